"""Course packages as .zip files: a faithful, repeatable download, and uploads read as hostile."""

from __future__ import annotations

import io
import shutil
import stat
import struct
import tracemalloc
import zipfile

import pytest

from lms.content.archive import read_package_zip, write_package_zip
from lms.content.package import find_course_folders
from tests.conftest import COURSES
from tests.unit.test_assets import TINY_JPEG, TINY_PDF, tiny_png

FILES = {
    "course.md": "---\ncode: TES-101\n---\n\n# Tentang\n\nKursus uji: ![bagan](assets/bagan.png)\n",
    "01-pengantar.md": "---\ntitle: Pengantar\nminutes: 10\n---\n\nIsi — dengan “kutipan” dan é.\n",
    "quiz.md": "## Benar?\n\ntype: true-false\nanswer: benar\n",
}
ASSETS = {"bagan.png": tiny_png(), "foto.jpg": TINY_JPEG, "lampiran.pdf": TINY_PDF}
ZEROS = bytes(1 << 20)  # one shared megabyte: bombs are written from it, never held whole


def make_zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name or ZipInfo, bytes or str) pairs, written as given (no name clean-up)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def bomb(name: str, megabytes: int, header_size: int | None = None) -> bytes:
    """A zip with `megabytes` MB of zeros in one deflated entry (about 1,000 times smaller)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, archive.open(info, "w") as out:
        for _ in range(megabytes):
            out.write(ZEROS)
    data = buffer.getvalue()
    if header_size is not None:  # a header that lies about the unpacked size
        data = patch_entries(data, file_size=header_size)
    return data


def patch_entries(data: bytes, *, flag_bits: int = 0, file_size: int | None = None) -> bytes:
    """Set general-purpose flag bits (and maybe the stated size) in every local and central header."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = [info.header_offset for info in archive.infolist()]
        central = archive.start_dir
        count = len(local)
    for offset in local:
        (flags,) = struct.unpack_from("<H", patched, offset + 6)
        struct.pack_into("<H", patched, offset + 6, flags | flag_bits)
        if file_size is not None:
            struct.pack_into("<I", patched, offset + 22, file_size)
    for _ in range(count):
        assert patched[central : central + 4] == b"PK\x01\x02"
        (flags,) = struct.unpack_from("<H", patched, central + 8)
        struct.pack_into("<H", patched, central + 8, flags | flag_bits)
        if file_size is not None:
            struct.pack_into("<I", patched, central + 24, file_size)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", patched, central + 28)
        central += 46 + name_len + extra_len + comment_len
    return bytes(patched)


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


# Writing


def test_round_trip_gives_back_the_same_package():
    """Does a package written to a zip read back exactly, without a single problem?"""
    files, assets, problems = read_package_zip(write_package_zip(FILES, ASSETS))
    assert (files, assets, problems) == (FILES, ASSETS, [])


def test_the_same_package_gives_the_same_bytes():
    """Is a download repeatable (same content, same bytes), whatever order the dicts are in?"""
    first = write_package_zip(FILES, ASSETS)
    reordered = write_package_zip(dict(reversed(FILES.items())), dict(reversed(ASSETS.items())))
    assert first == write_package_zip(FILES, ASSETS) == reordered


def test_written_zip_has_markdown_on_top_and_assets_in_their_folder():
    """Does the zip open in a file manager as a tidy package: sorted, dated 1980, rw-r--r--?"""
    with zipfile.ZipFile(io.BytesIO(write_package_zip(FILES, ASSETS))) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "01-pengantar.md",
            "course.md",
            "quiz.md",
            "assets/bagan.png",
            "assets/foto.jpg",
            "assets/lampiran.pdf",
        ]
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("01-pengantar.md").decode("utf-8") == FILES["01-pengantar.md"]


@pytest.mark.parametrize(
    ("files", "assets"),
    [
        ({"../evil.md": "x"}, {}),
        ({"sub/01-a.md": "x"}, {}),
        ({"notes.txt": "x"}, {}),
        ({}, {"Bagan.png": b"x"}),
        ({}, {"../bagan.png": b"x"}),
    ],
)
def test_writing_refuses_names_that_reading_would_refuse(files, assets):
    with pytest.raises(ValueError):
        write_package_zip(files, assets)


def bundled_course_folders():
    return find_course_folders(COURSES)


@pytest.mark.parametrize("folder", bundled_course_folders(), ids=lambda p: p.name)
def test_bundled_courses_survive_a_round_trip(folder):
    """Does each bundled course (text and any assets) come back from a zip unchanged?"""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}
    assets = {p.name: p.read_bytes() for p in sorted(folder.glob("assets/*")) if p.is_file()}
    assert "course.md" in files
    assert read_package_zip(write_package_zip(files, assets)) == (files, assets, [])


def test_a_zipped_course_folder_is_read_as_the_package(tmp_path):
    """Is a folder zipped from the file manager (one top-level folder) read as the package?"""
    folder = find_course_folders(COURSES)[0]
    copy = tmp_path / "PM-101"
    (copy / "assets").mkdir(parents=True)
    for p in folder.glob("*.md"):
        shutil.copy(p, copy / p.name)
    (copy / "assets" / "bagan.png").write_bytes(tiny_png())
    made = shutil.make_archive(
        str(tmp_path / "upload"), "zip", root_dir=tmp_path, base_dir="PM-101"
    )
    with open(made, "rb") as f:
        data = f.read()
    files, assets, problems = read_package_zip(data)
    assert problems == []
    assert files == {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert assets == {"bagan.png": tiny_png()}


# Reading what trainers really upload


def test_mac_and_windows_junk_is_ignored():
    """Are __MACOSX, .DS_Store, Thumbs.db and folder entries skipped without a word?"""
    data = make_zip(
        [
            ("PM-101/", b""),
            ("PM-101/course.md", "kursus"),
            ("PM-101/.DS_Store", b"\x00\x00\x00\x01Bud1"),
            ("PM-101/assets/", b""),
            ("PM-101/assets/bagan.png", tiny_png()),
            ("PM-101/assets/Thumbs.db", b"\xd0\xcf\x11\xe0"),
            ("__MACOSX/", b""),
            ("__MACOSX/PM-101/._course.md", b"\x00\x05\x16\x07"),
            ("__MACOSX/PM-101/assets/._bagan.png", b"\x00\x05\x16\x07"),
        ]
    )
    assert read_package_zip(data) == ({"course.md": "kursus"}, {"bagan.png": tiny_png()}, [])


def test_a_byte_order_mark_is_accepted_and_dropped():
    data = make_zip([("course.md", "\ufeff---\ncode: X\n---\n".encode())])
    assert read_package_zip(data) == ({"course.md": "---\ncode: X\n---\n"}, {}, [])


def test_markdown_that_is_not_utf8_is_reported():
    """Is a module saved as Windows-1252 reported with the byte where it goes wrong?"""
    data = make_zip([("PM-101/course.md", "ok"), ("PM-101/01-a.md", "café".encode("cp1252"))])
    files, _, problems = read_package_zip(data)
    assert files == {"course.md": "ok"}
    assert messages(problems) == ["PM-101/01-a.md: the file is not UTF-8 text (byte 3)"]


def test_unexpected_files_and_folders_are_reported():
    """Is anything besides Markdown on top and assets in assets/ reported by its entry name?"""
    data = make_zip(
        [
            ("PM-101/course.md", "ok"),
            ("PM-101/notes.txt", "catatan"),
            ("PM-101/run.sh", "#!/bin/sh"),
            ("PM-101/bagan.png", tiny_png()),
            ("PM-101/modules/01-a.md", "x"),
            ("PM-101/assets/sub/bagan.png", tiny_png()),
        ]
    )
    files, assets, problems = read_package_zip(data)
    assert (files, assets) == ({"course.md": "ok"}, {})
    assert messages(problems) == [
        "PM-101/notes.txt: unexpected file in the archive: notes.txt",
        "PM-101/run.sh: unexpected file in the archive: run.sh",
        "PM-101/bagan.png: unexpected file in the archive: bagan.png",
        "PM-101/modules/01-a.md: unexpected folder in the archive: modules/01-a.md"
        " (only assets/ may hold files)",
        "PM-101/assets/sub/bagan.png: unexpected folder in the archive: assets/sub/bagan.png"
        " (only assets/ may hold files)",
    ]


def test_two_course_folders_are_not_merged():
    data = make_zip([("a/course.md", "a"), ("b/course.md", "b")])
    files, _, problems = read_package_zip(data)
    assert files == {}
    assert len(problems) == 2


def test_assets_in_the_archive_pass_the_asset_checks():
    """Is an HTML page named .png, or a JPEG named .png, refused inside a zip too?"""
    data = make_zip(
        [
            ("course.md", "ok"),
            ("assets/ok.png", tiny_png()),
            ("assets/page.png", b"<html><script>alert(1)</script></html>"),
            ("assets/photo.png", TINY_JPEG),
            ("assets/Bagan Alur.png", tiny_png()),
            ("assets/empty.pdf", b""),
        ]
    )
    _, assets, problems = read_package_zip(data)
    assert assets == {"ok.png": tiny_png()}
    assert messages(problems) == [
        "assets/page.png: the file is not a PNG, JPEG, WebP, GIF or PDF",
        "assets/photo.png: the file's content is JPEG but its name ends in .png",
        "assets/Bagan Alur.png: invalid file name Bagan Alur.png: use lowercase letters, digits,"
        " - and _, like diagram-1.png",
        "assets/empty.pdf: the file is empty",
    ]


def test_an_asset_over_its_limit_is_reported():
    data = make_zip([("assets/buku.pdf", TINY_PDF + bytes(3000))])
    _, assets, problems = read_package_zip(data, max_asset_bytes=2000)
    assert assets == {}
    assert messages(problems) == ["assets/buku.pdf: the file is larger than 0.002 MB"]


def test_duplicate_names_are_reported():
    """Can a second course.md (or COURSE.md) slip in behind the first?"""
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip([("course.md", "first"), ("course.md", "second"), ("COURSE.md", "x")])
    files, _, problems = read_package_zip(data)
    assert files == {"course.md": "first"}
    assert messages(problems) == [
        "course.md: the archive holds course.md twice",
        "COURSE.md: the archive holds COURSE.md twice",
    ]


# Hostile archives


@pytest.mark.parametrize(
    "name",
    [
        "../evil.md",
        "PM-101/../../evil.md",
        "assets/../course.md",
        "/etc/passwd",
        "/course.md",
        "C:\\x.md",
        "C:x.md",
        "c:/windows/x.md",
        "PM-101\\course.md",
        "assets\\bagan.png",
        "./course.md",
        "PM-101//course.md",
        "a\x01b.md",
    ],
)
def test_unsafe_paths_are_refused_by_name(name):
    """Is a path that could escape a folder (zip slip) refused, naming the entry?"""
    data = make_zip([(zipfile.ZipInfo(name), "x"), ("quiz.md", "ok")])
    files, assets, problems = read_package_zip(data)
    assert files == {"quiz.md": "ok"} and assets == {}
    assert messages(problems) == [f"{name}: unsafe file name in the archive: {name}"]


def test_symlinks_are_refused():
    """Is a symbolic link (to /etc/passwd, say) refused instead of read as a file?"""
    entries = []
    for name in ("course.md", "assets/bagan.png"):
        link = zipfile.ZipInfo(name)
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        entries.append((link, "/etc/passwd"))
    files, assets, problems = read_package_zip(make_zip(entries))
    assert (files, assets) == ({}, {})
    assert messages(problems) == [
        "course.md: links and special files are not allowed in the archive: course.md",
        "assets/bagan.png: links and special files are not allowed in the archive:"
        " assets/bagan.png",
    ]


def test_encrypted_entries_are_refused():
    data = patch_entries(make_zip([("course.md", "rahasia")]), flag_bits=0x1)
    files, _, problems = read_package_zip(data)
    assert files == {}
    assert messages(problems) == ["course.md: the file is encrypted; zip it without a password"]


def test_compression_that_cannot_be_read_in_bounded_steps_is_refused():
    data = make_zip([("course.md", "ok")], compression=zipfile.ZIP_BZIP2)
    files, _, problems = read_package_zip(data)
    assert files == {}
    assert messages(problems) == [
        "course.md: the file uses a compression the portal cannot read; zip it with Deflate"
    ]


def count_unpacked(monkeypatch) -> list[int]:
    """Count the bytes zipfile hands out, to see where reading stopped."""
    unpacked = [0]
    real_read = zipfile.ZipExtFile.read

    def read(self, n=-1):
        chunk = real_read(self, n)
        unpacked[0] += len(chunk)
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return unpacked


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("course.md", "course.md: the file is larger than 1 MB"),
        ("assets/bom.png", "assets/bom.png: the file is larger than 2 MB"),
    ],
)
def test_a_zip_bomb_is_stopped_at_the_limit_without_unpacking_it(monkeypatch, name, message):
    """Does 50 MB of zeros in a 50 KB zip stop at the limit, in bounded memory?"""
    data = bomb(name, 50)
    assert len(data) < 200_000
    unpacked = count_unpacked(monkeypatch)
    tracemalloc.start()
    try:
        files, assets, problems = read_package_zip(
            data, max_file_bytes=1_000_000, max_asset_bytes=2_000_000, max_total_bytes=10_000_000
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (files, assets) == ({}, {})
    assert messages(problems) == [message]
    assert unpacked[0] < 2_200_000
    assert peak < 4_000_000


def test_a_bomb_whose_header_understates_its_size_is_refused(monkeypatch):
    """Does a header claiming 100 bytes get the reader to trust it? (It must not.)"""
    data = bomb("course.md", 50, header_size=100)
    unpacked = count_unpacked(monkeypatch)
    files, _, problems = read_package_zip(data)
    assert files == {}
    assert messages(problems) == ["course.md: the file cannot be read: the archive is damaged"]
    assert unpacked[0] < 1_000_000


def test_many_small_files_stop_at_the_total_limit(monkeypatch):
    """Do files each under the limit stop reading once together they pass the archive limit?"""
    data = make_zip([(f"{n:02d}-modul.md", ZEROS[:900_000]) for n in range(1, 21)])
    unpacked = count_unpacked(monkeypatch)
    files, assets, problems = read_package_zip(data, max_total_bytes=2_000_000)
    assert (files, assets) == ({}, {})
    assert messages(problems) == ["package.zip: the archive is larger than 2 MB once unpacked"]
    assert unpacked[0] < 2_200_000


def test_too_many_entries_are_refused_before_reading():
    data = make_zip([(f"{n:03d}-m.md", "x") for n in range(501)])
    files, _, problems = read_package_zip(data, source="kursus.zip")
    assert files == {}
    assert messages(problems) == ["kursus.zip: the archive has more than 500 files"]
    assert read_package_zip(data, max_entries=501)[2] == []


def test_an_end_record_that_understates_the_entries_is_not_believed():
    """Can a zip claim 1 entry while its directory lists 400?"""
    data = bytearray(make_zip([(f"{n:03d}-{'m' * 40}.md", "x") for n in range(400)]))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)
    files, _, problems = read_package_zip(bytes(data), max_entries=10)
    assert files == {}
    assert messages(problems) == ["package.zip: the archive has more than 10 files"]


@pytest.mark.parametrize("data", [b"", b"hello", TINY_PDF, tiny_png(), b"PK\x03\x04" + bytes(100)])
def test_bytes_that_are_not_a_zip_are_reported(data):
    """Is a PDF or a picture uploaded as a package answered with a message, not a traceback?"""
    files, assets, problems = read_package_zip(data)
    assert (files, assets) == ({}, {})
    assert messages(problems) == ["package.zip: the file is not a zip archive, or it is damaged"]


def test_an_empty_zip_has_nothing_in_it():
    """An empty archive is a valid zip; the package check then reports course.md missing."""
    assert read_package_zip(make_zip([])) == ({}, {}, [])


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.99])
def test_a_truncated_zip_is_reported_without_a_traceback(keep):
    data = write_package_zip(FILES, ASSETS)
    problems = read_package_zip(data[: int(len(data) * keep)])[2]
    assert messages(problems) == ["package.zip: the file is not a zip archive, or it is damaged"]


def test_damaged_entries_are_reported_and_never_raise():
    """Does any flipped byte in an archive give problems, never an exception?"""
    data = write_package_zip(FILES, ASSETS)
    for position in range(0, len(data), 7):
        for value in (0x00, 0xFF):
            damaged = bytearray(data)
            damaged[position] = value
            read_package_zip(bytes(damaged))  # must not raise
    damaged = bytearray(data)
    damaged[60] ^= 0xFF  # inside the first entry's compressed data
    _, _, problems = read_package_zip(bytes(damaged))
    assert messages(problems) == [
        "01-pengantar.md: the file cannot be read: the archive is damaged"
    ]
