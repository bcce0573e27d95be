"""HTTPS for a workshop laptop: a self-signed certificate kept in the instance folder."""

import ssl
import subprocess
import sys
import time
import urllib.request

from cryptography import x509

from survey_app.tls import ensure_certificate

from .conftest import TEST_FORMS
from .servers import ROOT
from .servers import free_port


def names_in(cert_path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(n) for n in alt.get_values_for_type(x509.IPAddress)} | set(alt.get_values_for_type(x509.DNSName))


def test_certificate_is_kept_and_renewed_only_for_new_names(tmp_path):
    cert, key = ensure_certificate(tmp_path)
    first = cert.read_bytes()
    assert {"127.0.0.1", "localhost"} <= names_in(cert)
    assert oct(key.stat().st_mode)[-3:] == "600"
    assert ensure_certificate(tmp_path)[0].read_bytes() == first
    ensure_certificate(tmp_path, {"survey.lan"})
    assert "survey.lan" in names_in(cert) and cert.read_bytes() != first


def test_run_py_serves_https_with_its_certificate(tmp_path):
    port = free_port()
    env = {"SURVEY_INSTANCE_PATH": str(tmp_path / "instance"), "SURVEY_FORMS_DIR": str(TEST_FORMS),
           "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "--https", "--port", str(port)],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cert = tmp_path / "instance" / "tls" / "selfsigned.crt"
        context = None
        for _ in range(300):
            if cert.exists():
                context = ssl.create_default_context(cafile=str(cert))
                try:
                    with urllib.request.urlopen(f"https://127.0.0.1:{port}/api/v1/forms", context=context) as r:
                        assert r.status == 200
                        break
                except (OSError, ssl.SSLError):
                    pass
            time.sleep(0.1)
        else:
            raise AssertionError("the HTTPS server never answered")
    finally:
        process.terminate()
        process.wait(10)
