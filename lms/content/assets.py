"""Course asset files (images and attachments): which kinds are allowed, how they are named, and
the checks an upload or an archive entry must pass. Pure: names and bytes in, problems out.

In a package, assets live in the `assets/` sub-folder and Markdown refers to them relatively as
`assets/NAME`, so a page previews the same in any Markdown editor as on the portal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lms.content.problems import N_, Problem, ProblemList

ASSET_FOLDER = "assets"
MAX_ASSET_NAME = 100
MAX_ASSET_BYTES = 5_000_000  # default limit for one asset (decimal MB, as in messages)

# One extension, lowercase, starting with a letter or digit: safe in a URL, a zip and on any disk.
ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$")
INVALID_NAME = N_(
    "invalid file name %(name)s: use lowercase letters, digits, - and _, like diagram-1.png"
)


@dataclass(frozen=True)
class AssetType:
    kind: str  # shown to people: "PNG", "PDF"
    media_type: str
    extensions: tuple[str, ...]  # with the dot; the first is the usual one


ASSET_TYPES: dict[str, AssetType] = {
    t.media_type: t
    for t in (
        AssetType("PNG", "image/png", (".png",)),
        AssetType("JPEG", "image/jpeg", (".jpg", ".jpeg")),
        AssetType("WebP", "image/webp", (".webp",)),
        AssetType("GIF", "image/gif", (".gif",)),
        AssetType("PDF", "application/pdf", (".pdf",)),
    )
}
MEDIA_TYPE_BY_EXTENSION: dict[str, str] = {
    ext: t.media_type for t in ASSET_TYPES.values() for ext in t.extensions
}


def sniff_media_type(data: bytes) -> str | None:
    """The media type told by the file's first bytes, or None when it is not an allowed kind.

    Only the content counts: SVG and HTML (which can carry scripts) are never recognised.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def media_type_for_name(name: str) -> str | None:
    """The media type an asset name promises by its extension (None when not an allowed one)."""
    dot = name.rfind(".")
    return MEDIA_TYPE_BY_EXTENSION.get(name[dot:].lower()) if dot >= 0 else None


def is_asset_name(name: str) -> bool:
    return len(name) <= MAX_ASSET_NAME and bool(ASSET_NAME.match(name))


def asset_path(name: str) -> str:
    """How Markdown refers to an asset: `assets/NAME`."""
    return f"{ASSET_FOLDER}/{name}"


def normalise_asset_name(filename: str) -> str | None:
    """A valid asset name made from an uploaded file name, or None when nothing usable remains.

    "C:\\Users\\ani\\Bagan Alur (1).PNG" -> "bagan-alur-1.png",
    "Ébauche_v2.JPEG" -> "ebauche_v2.jpeg".
    """
    base = re.split(r"[/\\]", filename)[-1]
    ascii_name = unicodedata.normalize("NFKD", base.casefold()).encode("ascii", "ignore").decode()
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        return None
    ext = re.sub(r"[^a-z0-9]", "", ext)
    # Any run of other characters (spaces, brackets, dots) becomes one dash; "-_-" too.
    stem = re.sub(r"[^a-z0-9_]+", "-", stem)
    stem = re.sub(r"[-_]{2,}", "-", stem).strip("-_")
    if not ext or not stem or len(ext) > 10:
        return None
    stem = stem[: MAX_ASSET_NAME - len(ext) - 1].rstrip("-_")
    return f"{stem}.{ext}"


def megabytes(limit: int) -> str:
    """A byte limit as decimal megabytes for messages: 1000000 -> "1", 2500000 -> "2.5"."""
    return f"{limit / 1_000_000:g}"


def check_asset(
    name: str, data: bytes, max_bytes: int = MAX_ASSET_BYTES, *, path: str | None = None
) -> tuple[str | None, list[Problem]]:
    """Check an asset before it is stored: (media type sniffed from the content, problems).

    The media type is None whenever there is a problem, so a caller stores only when it is set
    and serves the file with that type. `path` names the file in problems (default: `name`).
    """
    where = name if path is None else path
    problems = ProblemList()
    if not data:
        problems.add(where, None, N_("the file is empty"))
        return None, problems
    if len(data) > max_bytes:
        problems.add(
            where, None, N_("the file is larger than %(limit)s MB"), limit=megabytes(max_bytes)
        )
        return None, problems
    name_ok = is_asset_name(name)
    if not name_ok:
        problems.add(where, None, INVALID_NAME, name=name)
    media_type = sniff_media_type(data)
    if media_type is None:
        problems.add(where, None, N_("the file is not a PNG, JPEG, WebP, GIF or PDF"))
    elif name_ok and media_type_for_name(name) != media_type:
        problems.add(
            where,
            None,
            N_("the file's content is %(kind)s but its name ends in %(ext)s"),
            kind=ASSET_TYPES[media_type].kind,
            ext=name[name.rfind(".") :],
        )
    return (media_type if not problems else None), problems
