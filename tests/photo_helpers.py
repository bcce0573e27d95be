"""Small pictures made in the tests (no imaging library needed) and records carrying them."""

import base64
import struct
import uuid
import zlib
from pathlib import Path

PHOTO_FORMS = Path(__file__).parent / "data" / "photo_forms"


def png(width: int = 4, height: int = 3, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid PNG of one colour, written chunk by chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def photo_record(version: str, data: bytes | None = None, name: str = "room-1a2b3c.png", **changes) -> dict:
    """A record of the photo questionnaire with its picture attached."""
    data = png() if data is None else data
    return {"uuid": str(uuid.uuid4()), "form_id": "site_photos", "form_version": version, "lang": "en",
            "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:07:30Z", "workshop": None,
            "answers": {"ready": "yes", "room": name},
            "attachments": [{"name": name, "data": b64(data)}], **changes}
