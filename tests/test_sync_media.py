"""`sync pull-forms` brings the files of each form version (pictures, CSV lists), checked by hash and size."""

import hashlib

import pytest
from sqlmodel import Session

from survey_app import create_app
from survey_app.forms_store import get_version
from survey_app.sync_media import MediaError
from survey_app.sync_media import declared_files

from .servers import LiveServer
from .test_xlsform_corpus import CORPUS

FORM = "media_pictures"


def local_app(folder, database_url, forms):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(folder),
                       "SURVEY_DATABASE_URL": database_url, "SURVEY_FORMS_DIR": str(forms),
                       "WTF_CSRF_ENABLED": False})


@pytest.fixture
def central(tmp_path):
    """A central server on loopback holding a questionnaire imported from a zip with pictures and a sound."""
    database_url = f"sqlite:///{tmp_path / 'central.db'}"
    app = local_app(tmp_path / "central", database_url, tmp_path / "no-forms")
    assert app.test_cli_runner().invoke(args=["forms", "import", str(CORPUS / f"{FORM}.zip")]).exit_code == 0
    app.extensions["survey_engine"].dispose()
    server = LiveServer(tmp_path / "central", database_url, tmp_path / "no-forms").start()
    yield server
    server.stop()


@pytest.fixture
def laptop(tmp_path):
    app = local_app(tmp_path / "laptop", f"sqlite:///{tmp_path / 'laptop.db'}", tmp_path / "no-forms")
    yield app
    app.extensions["survey_engine"].dispose()


def pulled_version(app):
    with Session(app.extensions["survey_engine"]) as session:
        return get_version(session=session, form_id=FORM)


def test_pulled_form_shows_its_pictures_on_the_laptop(central, laptop, tmp_path):
    result = laptop.test_cli_runner().invoke(args=["sync", "pull-forms", "--from", central.url])
    assert result.exit_code == 0, result.output
    files = pulled_version(laptop).definition["media_files"]
    for meta in files.values():
        stored = tmp_path / "laptop" / "media" / meta["sha256"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == meta["sha256"]
    client = laptop.test_client()
    page = client.get(f"/forms/{FORM}?lang=en").get_data(as_text=True)
    picture = files["happy.png"]["sha256"]
    assert f"/media/{picture}/happy.png" in page
    assert hashlib.sha256(client.get(f"/media/{picture}/happy.png").data).hexdigest() == picture


def test_a_file_that_is_not_what_its_version_says_stops_that_form_until_it_is(central, laptop, tmp_path):
    files = local_app(tmp_path / "central", f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "no-forms")
    meta = next(iter(pulled_version(files).definition["media_files"].values()))
    files.extensions["survey_engine"].dispose()
    stored = tmp_path / "central" / "media" / meta["sha256"]
    original = stored.read_bytes()
    stored.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # same size, another hash
    runner = laptop.test_cli_runner()
    refused = runner.invoke(args=["sync", "pull-forms", "--from", central.url])
    assert refused.exit_code != 0 and "sha256" in refused.output
    assert pulled_version(laptop) is None  # not published without its files: the next pull tries again
    assert not (tmp_path / "laptop" / "media" / meta["sha256"]).exists()
    stored.write_bytes(original + b"more")
    longer = runner.invoke(args=["sync", "pull-forms", "--from", central.url])
    assert longer.exit_code != 0 and "bytes long" in longer.output
    stored.write_bytes(original)
    assert runner.invoke(args=["sync", "pull-forms", "--from", central.url]).exit_code == 0
    assert pulled_version(laptop) is not None


def test_a_file_missing_after_an_earlier_pull_comes_with_the_next(central, laptop, tmp_path):
    runner = laptop.test_cli_runner()
    assert runner.invoke(args=["sync", "pull-forms", "--from", central.url]).exit_code == 0
    meta = next(iter(pulled_version(laptop).definition["media_files"].values()))
    (tmp_path / "laptop" / "media" / meta["sha256"]).unlink()
    again = runner.invoke(args=["sync", "pull-forms", "--from", central.url])
    assert again.exit_code == 0 and "unchanged" in again.output
    assert (tmp_path / "laptop" / "media" / meta["sha256"]).is_file()


@pytest.mark.parametrize(("files", "problem"), [
    ({"a.png": {"sha256": "0" * 64, "size": 17 * 2**20}}, "size"),
    ({"a.png": {"sha256": "0" * 64, "size": -1}}, "size"),
    ({"a.png": {"sha256": "0" * 64, "size": "12"}}, "size"),
    ({"a.png": {"sha256": "../../etc/passwd", "size": 1}}, "sha256"),
    ({f"{n}.png": {"sha256": f"{n:064x}", "size": 15 * 2**20} for n in range(5)}, "add up"),
    (["a.png"], "mapping"),
])
def test_declared_files_are_bounded_before_anything_is_fetched(files, problem):
    with pytest.raises(MediaError, match=problem):
        declared_files({"media_files": files})
