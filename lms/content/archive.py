"""Course packages as .zip files: written deterministically for download, read defensively on
upload. Pure: bytes in, bytes out; nothing is ever extracted to disk. Every archive is hostile.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib

from lms.content.assets import (
    ASSET_FOLDER,
    MAX_ASSET_BYTES,
    check_asset,
    is_asset_name,
    megabytes,
)
from lms.content.package import MAX_FILE_BYTES
from lms.content.problems import N_, Problem, ProblemList

MAX_ENTRIES = 500
MAX_TOTAL_BYTES = 50_000_000  # everything unpacked from one archive, held in memory at once
ARCHIVE_NAME = "package.zip"  # names the archive itself in problems unless the caller says

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the same content, the same bytes
_FILE_MODE = 0o100644  # regular file, rw-r--r--
_CHUNK = 64 * 1024
# Only these decompress in bounded steps: ZipExtFile hands bzip2 and LZMA a whole compressed chunk
# at once, so a small chunk of them can expand to gigabytes before any limit is checked.
_READABLE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# A central-directory record is 46 bytes plus name, extra field and comment; real ones stay well
# under this. Checked before zipfile parses the directory, whose objects take ~10x its size.
_MAX_DIRECTORY_RECORD = 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_JUNK_NAMES = frozenset({"__macosx", "thumbs.db", "desktop.ini"})
# The errors zipfile and zlib raise on damaged or crafted data (an unknown method, a bad CRC...).
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


def write_package_zip(files: dict[str, str], assets: dict[str, bytes]) -> bytes:
    """A .zip of a package: Markdown files at the top level, assets under `assets/NAME`.

    Deterministic (sorted names, fixed time and permissions), so the same package gives the same
    bytes. Raises ValueError for a name that `read_package_zip` would refuse.
    """
    for name in files:
        if not name.endswith(".md") or not _is_plain_name(name):
            raise ValueError(f"not a Markdown file name: {name!r}")
    for name in assets:
        if not is_asset_name(name):
            raise ValueError(f"not an asset name: {name!r}")
    entries = [(name, files[name].encode("utf-8")) for name in sorted(files)]
    entries += [(f"{ASSET_FOLDER}/{name}", assets[name]) for name in sorted(assets)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, content in entries:
            info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the server runs on, so the mode bits count
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def read_package_zip(
    data: bytes,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_asset_bytes: int = MAX_ASSET_BYTES,
    source: str = ARCHIVE_NAME,
) -> tuple[dict[str, str], dict[str, bytes], list[Problem]]:
    """Read an uploaded package: (Markdown text by file name, asset bytes by name, problems).

    Problems about one entry carry its name in the archive as path (`PM-101/02-wbs.md`); problems
    about the whole archive carry `source`. The package is usable only when there are none; the
    files are then ready for `parse_package`. Content in one top-level folder (a zipped folder) is
    read as if it were at the top; `__MACOSX/`, hidden files, Thumbs.db and folders are skipped.
    """
    problems = ProblemList()
    files: dict[str, str] = {}
    assets: dict[str, bytes] = {}
    declared = _central_directory(data)
    if declared is not None and (
        declared[0] > max_entries or declared[1] > max_entries * _MAX_DIRECTORY_RECORD
    ):
        problems.add(
            source, None, N_("the archive has more than %(limit)s files"), limit=max_entries
        )
        return files, assets, problems
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED:
        problems.add(source, None, N_("the file is not a zip archive, or it is damaged"))
        return files, assets, problems
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            problems.add(
                source, None, N_("the archive has more than %(limit)s files"), limit=max_entries
            )
            return files, assets, problems
        wanted = _wanted_entries(entries, problems)
        prefix = _common_folder(info.filename for info in wanted)
        total = 0
        seen: set[str] = set()
        for info in wanted:
            entry = info.filename
            name = entry[len(prefix) :]
            if name.casefold() in seen:
                problems.add(entry, None, N_("the archive holds %(name)s twice"), name=name)
                continue
            seen.add(name.casefold())
            place = _place(entry, name, problems)
            if place is None:
                continue
            limit = max_asset_bytes if place == ASSET_FOLDER else max_file_bytes
            if not _readable(info, problems):
                continue
            try:
                content, total, overflow = _read_entry(archive, info, limit, total, max_total_bytes)
            except _DAMAGED:
                problems.add(entry, None, N_("the file cannot be read: the archive is damaged"))
                continue
            if overflow == "total":
                problems.add(
                    source,
                    None,
                    N_("the archive is larger than %(limit)s MB once unpacked"),
                    limit=megabytes(max_total_bytes),
                )
                return {}, {}, problems
            if overflow == "file":
                problems.add(
                    entry, None, N_("the file is larger than %(limit)s MB"), limit=megabytes(limit)
                )
                continue
            if place != ASSET_FOLDER:
                try:
                    files[name] = content.decode("utf-8").removeprefix("\ufeff")  # BOM allowed
                except UnicodeDecodeError as exc:
                    problems.add(
                        entry, None, N_("the file is not UTF-8 text (byte %(pos)s)"), pos=exc.start
                    )
            else:
                asset_name = name.removeprefix(f"{ASSET_FOLDER}/")
                _, found = check_asset(asset_name, content, max_asset_bytes, path=entry)
                if found:
                    problems.extend(found)
                else:
                    assets[asset_name] = content
    return files, assets, problems


def _is_plain_name(name: str) -> bool:
    return bool(name) and not name.startswith(".") and not re.search(r"[/\\\x00-\x1f]", name)


def _central_directory(data: bytes) -> tuple[int, int] | None:
    """(entries, directory size) that the end record declares, or None when there is no record.

    Found the way zipfile finds it (the last signature within a maximal comment of the end).
    """
    start = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if start < 0 or len(data) - start < 22:
        return None
    entries, size = struct.unpack("<HL", data[start + 10 : start + 16])
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # Zip64: the real figures are in its own record
        locator = start - 20
        record = data[locator - 56 : locator]
        if (
            locator >= 56
            and data[locator : locator + 4] == b"PK\x06\x07"
            and record[:4] == b"PK\x06\x06"
        ):
            entries, size = struct.unpack("<QQ", record[32:48])
    return entries, size


def _wanted_entries(entries: list[zipfile.ZipInfo], problems: ProblemList) -> list:
    """The entries that are content: unsafe names reported, folders and junk dropped."""
    wanted = []
    for info in entries:
        name = info.orig_filename
        parts = name.rstrip("/").split("/")
        if (
            not name
            or name.startswith("/")
            or _DRIVE.match(name)
            or re.search(r"[\\\x00-\x1f]", name)
            or any(part in ("", ".", "..") for part in parts)
        ):
            problems.add(name, None, N_("unsafe file name in the archive: %(name)s"), name=name)
            continue
        if name.endswith("/") or stat.S_ISDIR(info.external_attr >> 16):
            continue
        if any(part.startswith(".") or part.casefold() in _JUNK_NAMES for part in parts):
            continue
        wanted.append(info)
    return wanted


def _place(entry: str, name: str, problems: ProblemList) -> str | None:
    """Where a package file belongs: "" (Markdown at the top), "assets", or None (reported)."""
    parts = name.split("/")
    if len(parts) == 2 and parts[0] == ASSET_FOLDER:
        return ASSET_FOLDER
    if len(parts) > 1:
        problems.add(
            entry,
            None,
            N_("unexpected folder in the archive: %(name)s (only assets/ may hold files)"),
            name=name,
        )
        return None
    if not name.endswith(".md"):
        problems.add(entry, None, N_("unexpected file in the archive: %(name)s"), name=name)
        return None
    return ""


def _common_folder(names) -> str:
    """The one top-level folder every entry sits in ("PM-101/": a zipped folder), else ""."""
    tops = {name.split("/", 1)[0] if "/" in name else "" for name in names}
    if len(tops) == 1:
        (top,) = tops
        if top and top != ASSET_FOLDER:
            return top + "/"
    return ""


def _readable(info: zipfile.ZipInfo, problems: ProblemList) -> bool:
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        problems.add(
            info.filename,
            None,
            N_("links and special files are not allowed in the archive: %(name)s"),
            name=info.filename,
        )
        return False
    if info.flag_bits & 0x1:
        problems.add(info.filename, None, N_("the file is encrypted; zip it without a password"))
        return False
    if info.compress_type not in _READABLE_COMPRESSION:
        problems.add(
            info.filename,
            None,
            N_("the file uses a compression the portal cannot read; zip it with Deflate"),
        )
        return False
    return True


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, total: int, max_total: int
) -> tuple[bytes, int, str | None]:
    """Read one entry in chunks, never trusting its declared size.

    Returns (content, running total, overflow) where overflow is "file" or "total" when a limit
    was passed, and reading stopped at once.
    """
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            total += len(chunk)
            if size > limit:
                return b"", total, "file"
            if total > max_total:
                return b"", total, "total"
            chunks.append(chunk)
    return b"".join(chunks), total, None
