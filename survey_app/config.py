"""Configuration from defaults and SURVEY_* environment variables."""

import datetime
import os
import secrets
import zoneinfo
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

INTERFACE_LANGUAGES = ("fa", "fa_AF", "ps", "en")


def from_environment(instance_path: str) -> dict:
    """Read settings from the environment, with defaults that need no other service."""
    instance = Path(instance_path)
    production = os.environ.get("SURVEY_ENV") == "production"
    return {
        "SECRET_KEY": os.environ.get("SURVEY_SECRET_KEY") or _instance_secret(instance),
        "SURVEY_DATABASE_URL": os.environ.get("SURVEY_DATABASE_URL")
        or f"sqlite:///{instance / 'survey.db'}",
        "SURVEY_FORMS_DIR": os.environ.get("SURVEY_FORMS_DIR") or str(PROJECT_ROOT / "forms"),
        "SURVEY_TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
        "SURVEY_DEFAULT_LANGUAGE": os.environ.get("SURVEY_DEFAULT_LANGUAGE", "fa"),
        "SURVEY_ANONYMOUS_SYNC": os.environ.get("SURVEY_ANONYMOUS_SYNC", "1") not in ("0", "false", "no"),
        "SURVEY_SYNC_TOKENS": [t for t in os.environ.get("SURVEY_SYNC_TOKENS", "").split(",") if t.strip()],
        "SURVEY_SYNC_MAX_RECORDS": int(os.environ.get("SURVEY_SYNC_MAX_RECORDS", "1000")),
        # The largest file of answers an organiser may upload on the import page.
        "SURVEY_IMPORT_MAX_BYTES": int(os.environ.get("SURVEY_IMPORT_MAX_BYTES", str(256 * 1024 * 1024))),
        # One photo or file given as an answer, and all of one submission's together (answer_files.py):
        # its base64 must fit one sync request (MAX_CONTENT_LENGTH, 8 MiB).
        "SURVEY_ANSWER_FILE_MAX_BYTES": int(os.environ.get("SURVEY_ANSWER_FILE_MAX_BYTES", str(5 * 1024 * 1024))),
        "SURVEY_SYNC_MAX_INFLATED": int(os.environ.get("SURVEY_SYNC_MAX_INFLATED", str(32 * 1024 * 1024))),
        # Times in exports are written in UTC and in this zone (the workshops' local time); staff pages
        # (audit log, quarantine, workshops' days) show times in it too. Everything is stored in UTC.
        "SURVEY_TIME_ZONE": _time_zone(os.environ.get("SURVEY_TIME_ZONE", "Asia/Tehran")),
        # Exports of more submissions than this run in the background; at most this many at once per process.
        "SURVEY_EXPORT_DIRECT_ROWS": int(os.environ.get("SURVEY_EXPORT_DIRECT_ROWS", "5000")),
        "SURVEY_EXPORT_WORKERS": int(os.environ.get("SURVEY_EXPORT_WORKERS", "2")),
        "SURVEY_EXPORT_KEEP_HOURS": float(os.environ.get("SURVEY_EXPORT_KEEP_HOURS", "24")),
        # Behind a proxy that ends TLS: how many proxies in front of the app to believe about the
        # client's address and scheme (X-Forwarded-For, X-Forwarded-Proto); 0 believes no header.
        # Pictures and recordings each phone keeps for offline use, smallest first, over all current
        # questionnaires (20 MB: about 400 one-minute recordings at the editor's Opus rate); larger
        # ones play only with a connection.
        "SURVEY_MEDIA_PRECACHE_BYTES": int(os.environ.get("SURVEY_MEDIA_PRECACHE_BYTES", str(20 * 1024 * 1024))),
        "SURVEY_PROXY_HOPS": int(os.environ.get("SURVEY_PROXY_HOPS", "0")),
        # Strict-Transport-Security on HTTPS answers; off on a workshop laptop, whose name may
        # serve plain HTTP at the next workshop.
        "SURVEY_HSTS_MAX_AGE": int(os.environ.get("SURVEY_HSTS_MAX_AGE", str(365 * 24 * 3600 if production else 0))),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Only a request that changes the session sends the cookie back. Otherwise a page the
        # service worker or the preview frame fetches at the same moment answers with the old
        # cookie and wipes out what the other request just stored (a "published" message).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PERMANENT_SESSION_LIFETIME": datetime.timedelta(hours=12),  # a working day, then sign in again
        "WTF_CSRF_TIME_LIMIT": None,
        "SEND_FILE_MAX_AGE_DEFAULT": 60 * 60 * 24 * 365,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Compress pages, JSON, CSS and JS (brotli where the browser accepts it), but never
        # buffer a streamed export to do so.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "image/svg+xml", "text/csv"],
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIN_SIZE": 512,
        # Brotli first: at level 7 a form page is a sixth smaller than with zstd's default, for
        # about a millisecond (static assets are compressed once, at brotli's best, in assets.py).
        "COMPRESS_ALGORITHM": ["br", "zstd", "gzip", "deflate"],
        "COMPRESS_BR_LEVEL": 7,
    }


def _time_zone(name: str) -> str:
    """Refuse to start with a time zone that does not exist, rather than fail at the first export."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"SURVEY_TIME_ZONE={name!r} is not a time zone (write one such as Asia/Tehran)") from exc
    return name


def _instance_secret(instance: Path) -> str:
    """Keep a random secret key in the instance folder so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()
