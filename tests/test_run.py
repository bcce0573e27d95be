"""`python run.py`: the laptop serves with a production WSGI server, over HTTP and over HTTPS."""

import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import TEST_FORMS
from .servers import ROOT
from .servers import free_port


def start(tmp_path, *options):
    port = free_port()
    env = {"SURVEY_INSTANCE_PATH": str(tmp_path / "instance"), "SURVEY_FORMS_DIR": str(TEST_FORMS),
           "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "PATH": "/usr/bin:/bin"}
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "--port", str(port), *options],
                               env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process, port


def fetch(url, context=None):
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, context=context, timeout=5) as response:
                return response.status, dict(response.headers), response.read().decode()
        except (OSError, ssl.SSLError):
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_run_py_serves_pages_with_a_production_server(tmp_path, scheme):
    process, port = start(tmp_path, *(["--https"] if scheme == "https" else []))
    try:
        context = None
        if scheme == "https":
            cert = tmp_path / "instance" / "tls" / "selfsigned.crt"
            for _ in range(300):
                if cert.exists():
                    break
                time.sleep(0.1)
            context = ssl.create_default_context(cafile=str(cert))
        status, headers, body = fetch(f"{scheme}://127.0.0.1:{port}/forms/sample_feedback?lang=en", context)
        assert status == 200 and 'class="questionnaire"' in body
        assert "Werkzeug" not in headers.get("Server", "")
    finally:
        process.terminate()
        process.wait(10)
    output = (tmp_path / "server.log").read_text()
    assert f"Serving on {scheme}://127.0.0.1:{port}/" in output
    assert "development server" not in output
