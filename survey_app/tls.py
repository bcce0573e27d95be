"""A self-signed certificate for a workshop laptop, so phones get service workers over HTTPS.

Browsers only run service workers on secure origins (HTTPS, or localhost). A laptop on a
workshop's Wi-Fi has no public name, so it signs its own certificate once, keeps it in the
instance folder (phones that accepted it once are not asked again) and lists its current
addresses in it.
"""

import datetime
import ipaddress
import socket
from pathlib import Path

import psutil
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def local_addresses() -> set[str]:
    """Return the IPv4 addresses of this machine's network interfaces (Wi-Fi hotspot included)."""
    return {"127.0.0.1"} | {
        address.address
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family == socket.AF_INET
    }


def ensure_certificate(folder: Path, names: set[str] | None = None) -> tuple[Path, Path]:
    """Return (certificate, key) paths, making a new pair when missing or not covering `names`."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "selfsigned.crt", folder / "selfsigned.key"
    names = (names or set()) | local_addresses() | {"localhost"}
    if cert_path.exists() and key_path.exists() and names <= _covered(cert_path):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Survey collector (workshop)")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in sorted(names)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _covered(cert_path: Path) -> set[str]:
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(n) for n in alt.get_values_for_type(x509.IPAddress)} | set(alt.get_values_for_type(x509.DNSName))
