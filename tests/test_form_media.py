"""Files that come with an imported questionnaire: stored by hash, served with long caching,
precached for offline use within the budget, never shown inline when they could run scripts."""

import hashlib
import re
from types import SimpleNamespace

from survey_app import form_media

from .test_xlsform_corpus import CORPUS


def test_media_of_an_imported_zip_are_served_by_hash_and_precached(runner, client):
    assert runner.invoke(args=["forms", "import", str(CORPUS / "media_pictures.zip")]).exit_code == 0
    worker = client.get("/sw.js").data.decode()
    urls = re.findall(r"/media/[0-9a-f]{64}/[\w.]+", worker)
    assert sorted(url.rsplit("/", 1)[1] for url in urls) == ["course.png", "course_prs.png", "happy.png",
                                                               "question.wav", "sad.png"]
    response = client.get(urls[0])
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == urls[0].split("/")[2]
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_an_unknown_or_malformed_hash_is_not_found(client):
    assert client.get("/media/" + "0" * 64 + "/a.png").status_code == 404
    assert client.get("/media/..%2F..%2Fsurvey.db/a.png").status_code == 404


def test_a_file_that_could_run_scripts_is_only_downloaded(app, client):
    content = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    sha = hashlib.sha256(content).hexdigest()
    with app.app_context():
        form_media.store({"x.svg": content}, {"x.svg": {"sha256": sha, "size": len(content), "type": "image/svg+xml"}})
    response = client.get(f"/media/{sha}/x.svg")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_precaching_takes_the_smallest_files_within_the_budget():
    form = SimpleNamespace(media_files={
        "big.png": {"sha256": "b" * 64, "size": 900, "type": "image/png"},
        "small.png": {"sha256": "s" * 64, "size": 100, "type": "image/png"},
        "mid.wav": {"sha256": "m" * 64, "size": 300, "type": "audio/wav"},
        "list.csv": {"sha256": "c" * 64, "size": 10, "type": "text/csv"},
    })
    assert form_media.precache_list([form], 500) == [("s" * 64, "small.png"), ("m" * 64, "mid.wav")]
