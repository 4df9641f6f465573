"""The course file store: asset bytes kept under the instance folder, named by their SHA-256.

Content addressing makes a stored file immutable, so every course version and draft that uses
the same bytes shares one copy, and a rolled-back request leaves at most an unused file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import Response, abort, current_app, send_file

_HEX = frozenset("0123456789abcdef")


def files_root() -> Path:
    return Path(current_app.config["LMS_FILES_DIR"])


def path_for(sha256: str) -> Path | None:
    """Where the bytes with this hash live, or None for a malformed hash."""
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        return None
    return files_root() / sha256[:2] / sha256


def store(data: bytes) -> str:
    """Write `data` once (atomically: a reader never sees half a file) and return its hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read(sha256: str) -> bytes:
    path = path_for(sha256)
    if path is None:
        raise FileNotFoundError(sha256)
    return path.read_bytes()


def send_asset(name: str, asset: dict) -> Response:
    """Serve a stored course file: by its sniffed type, never guessed; PDFs as downloads."""
    path = path_for(asset["sha256"])
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=asset["type"],
        as_attachment=asset["type"] == "application/pdf",
        download_name=name,
        etag=asset["sha256"],
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    return response
