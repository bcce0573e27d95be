"""Photos travel with their answers: a laptop's push to a real central server, and export files."""

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session
from sqlmodel import select

from survey_app import create_app
from survey_app.answer_files import FILES_KEY
from survey_app.forms_store import get_version
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.submissions import apply_batch

from .photo_helpers import PHOTO_FORMS
from .photo_helpers import photo_record
from .photo_helpers import png
from .servers import LiveServer

PATIENCE = 120


def laptop_app(folder: Path):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(folder / "instance"),
                       "SURVEY_DATABASE_URL": f"sqlite:///{folder / 'laptop.db'}",
                       "SURVEY_FORMS_DIR": str(PHOTO_FORMS)})


def big_picture(size: int) -> bytes:
    """A PNG's first bytes then noise: the checks read the content's signature, and noise does not shrink in gzip."""
    return png(colour=tuple(os.urandom(3))) + os.urandom(size)


def store_on_laptop(app, pictures: list[bytes]) -> list[dict]:
    with app.app_context(), Session(app.extensions["survey_engine"]) as session:
        version = get_version(session=session, form_id="site_photos").version
        records = [photo_record(version, picture, name=f"room-{n:04d}.png") for n, picture in enumerate(pictures)]
        results = apply_batch(session=session, records=records, source="phone-1")
    assert {result.status for result in results} == {"stored"}
    return records


def rows(url: str) -> tuple[list[Submission], list[QuarantinedRecord]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Submission))), list(session.exec(select(QuarantinedRecord)))
    finally:
        engine.dispose()


@pytest.fixture
def central(database_url, tmp_path):
    # A smaller cap than the laptop's: one of the laptop's photos is too large here.
    server = LiveServer(tmp_path / "central", database_url, PHOTO_FORMS, SURVEY_ANSWER_FILE_MAX_BYTES=1_500_000)
    server.start(timeout=PATIENCE)
    server.database_url = database_url
    yield server
    server.stop()


def test_push_carries_the_photos_in_batches_and_one_too_large_is_kept_aside_alone(central, tmp_path):
    laptop = laptop_app(tmp_path / "laptop")
    # 9 photos of ~1 MB: more than one request's worth, so the push cuts its batches by weight.
    pictures = [big_picture(1_000_000) for _ in range(9)]
    pictures.insert(4, big_picture(1_600_000))  # over the central server's cap
    store_on_laptop(laptop, pictures)
    result = laptop.test_cli_runner().invoke(args=["sync", "push", "--to", central.url, "--retry-delay", "0.05"])
    assert result.exit_code == 0, result.output

    stored, kept = rows(central.database_url)
    assert len(stored) == 9 and len(kept) == 1
    assert kept[0].reasons == {"room": "file_size"} and kept[0].payload["answers"]["room"] == "room-0004.png"
    folder = central.instance / "answer_files"
    for row in stored:
        meta = row.answers[FILES_KEY][row.answers["room"]]
        picture = pictures[int(row.answers["room"][5:9])]
        assert meta == {"sha256": hashlib.sha256(picture).hexdigest(), "type": "image/png", "size": len(picture)}
        assert (folder / meta["sha256"]).read_bytes() == picture
    # The laptop keeps the refused one in its own quarantine; a second push sends nothing again.
    assert len(rows(f"sqlite:///{tmp_path / 'laptop' / 'laptop.db'}")[1]) == 1
    again = laptop.test_cli_runner().invoke(args=["sync", "push", "--to", central.url])
    assert again.exit_code == 0 and len(rows(central.database_url)[0]) == 9


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_export_file_carries_the_photos_to_another_server(database_url, tmp_path):
    laptop = laptop_app(tmp_path / "laptop")
    pictures = [png(3, 3, (n, n, n)) for n in range(3)]
    store_on_laptop(laptop, pictures)
    exported = tmp_path / "answers.jsonl.gz"
    result = laptop.test_cli_runner().invoke(args=["sync", "export", "-o", str(exported)])
    assert result.exit_code == 0, result.output

    other = laptop_app(tmp_path / "other")
    result = other.test_cli_runner().invoke(args=["sync", "import", str(exported)])
    assert result.exit_code == 0, result.output
    stored, kept = rows(f"sqlite:///{tmp_path / 'other' / 'laptop.db'}")
    assert len(stored) == 3 and not kept
    for picture in pictures:
        assert (tmp_path / "other" / "instance" / "answer_files" / hashlib.sha256(picture).hexdigest()).read_bytes() \
            == picture


def test_push_and_import_batches_are_cut_by_the_weight_of_their_photos():
    from types import SimpleNamespace

    from survey_app.sync_client import BATCH_BYTES
    from survey_app.sync_client import _weight
    from survey_app.sync_files import SubmissionFile

    heavy = SimpleNamespace(answers={"room": "a.png", FILES_KEY: {"a.png": {"sha256": "0" * 64, "size": 3_000_000}}})
    assert _weight([heavy]) == 4_000_000 and _weight([SimpleNamespace(answers={"room": None})]) == 0
    assert _weight([heavy, heavy]) > BATCH_BYTES  # two such records already go in two requests
    records = [{"uuid": str(n), "attachments": [{"name": "a.png", "data": "x" * 40}]} for n in range(5)]
    batches = list(SubmissionFile(kind="phone", source="x", count=5, _records=records).batches(max_bytes=100))
    assert [len(batch) for batch in batches] == [3, 2]
