"""Course assets: which uploads are accepted as images or attachments, and how they are named."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.content.assets import (
    ASSET_TYPES,
    MEDIA_TYPE_BY_EXTENSION,
    asset_path,
    check_asset,
    is_asset_name,
    media_type_for_name,
    normalise_asset_name,
    sniff_media_type,
)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def tiny_png() -> bytes:
    """A real 1x1 greyscale PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + _png_chunk(b"IEND", b"")
    )


TINY_GIF89 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
TINY_GIF87 = b"GIF87a" + TINY_GIF89[6:]
# SOI, a JFIF APP0 segment, EOI: the start every JPEG camera or editor writes.
TINY_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
_VP8L = (
    b"VP8L" + struct.pack("<I", 13) + b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
TINY_WEBP = b"RIFF" + struct.pack("<I", 4 + len(_VP8L)) + b"WEBP" + _VP8L
TINY_PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"

SAMPLES = {
    "image/png": [tiny_png()],
    "image/jpeg": [TINY_JPEG],
    "image/gif": [TINY_GIF89, TINY_GIF87],
    "image/webp": [TINY_WEBP],
    "application/pdf": [TINY_PDF],
}
NAMES = {
    "image/png": ["diagram-1.png"],
    "image/jpeg": ["foto.jpg", "foto.jpeg"],
    "image/gif": ["animasi.gif"],
    "image/webp": ["peta_wilayah.webp"],
    "application/pdf": ["lampiran-2024.pdf"],
}


def messages(problems) -> list[str]:
    return [p.message for p in problems]


def test_the_allowed_kinds_are_png_jpeg_webp_gif_and_pdf():
    """Which kinds may a trainer upload, and under which extensions?"""
    assert {t.kind for t in ASSET_TYPES.values()} == {"PNG", "JPEG", "WebP", "GIF", "PDF"}
    assert MEDIA_TYPE_BY_EXTENSION == {
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".webp": "image/webp",
        ".gif": "image/gif",
        ".pdf": "application/pdf",
    }
    assert media_type_for_name("Foto.JPG") == "image/jpeg"
    assert media_type_for_name("skrip.svg") is None
    assert asset_path("diagram-1.png") == "assets/diagram-1.png"


@pytest.mark.parametrize(
    ("media_type", "data"), [(t, d) for t, samples in SAMPLES.items() for d in samples]
)
def test_every_allowed_kind_is_recognised_by_its_content(media_type, data):
    """Is each allowed kind told from its first bytes, and accepted under each of its names?"""
    assert sniff_media_type(data) == media_type
    for name in NAMES[media_type]:
        assert check_asset(name, data, 1_000_000) == (media_type, [])


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # RIFF, but a sound, not WebP
        b"\x89PNG",  # cut short
        b"plain text",
    ],
)
def test_html_svg_and_other_content_named_png_is_refused(data):
    """Can a script or a program be uploaded as an "image" by naming it .png?"""
    assert sniff_media_type(data) is None
    media_type, problems = check_asset("gambar.png", data, 1_000_000)
    assert media_type is None
    assert messages(problems) == ["the file is not a PNG, JPEG, WebP, GIF or PDF"]


def test_content_that_does_not_match_the_extension_is_refused():
    """Is a JPEG named .png refused, with a message saying what it really is?"""
    media_type, problems = check_asset("foto.png", TINY_JPEG, 1_000_000)
    assert media_type is None
    assert [str(p) for p in problems] == [
        "foto.png: the file's content is JPEG but its name ends in .png"
    ]
    _, problems = check_asset("laporan.pdf", tiny_png(), 1_000_000)
    assert messages(problems) == ["the file's content is PNG but its name ends in .pdf"]


def test_a_file_over_the_limit_is_refused():
    """Is a file one byte over the limit refused, and one at the limit accepted?"""
    data = TINY_PDF + b" " * (2_000_000 - len(TINY_PDF))
    assert check_asset("buku.pdf", data, 2_000_000) == ("application/pdf", [])
    media_type, problems = check_asset("buku.pdf", data + b" ", 2_000_000)
    assert media_type is None
    assert messages(problems) == ["the file is larger than 2 MB"]
    _, problems = check_asset("buku.pdf", data, 1_500_000)
    assert messages(problems) == ["the file is larger than 1.5 MB"]


def test_an_empty_file_is_refused():
    media_type, problems = check_asset("kosong.png", b"", 1_000_000)
    assert media_type is None
    assert messages(problems) == ["the file is empty"]


@pytest.mark.parametrize(
    "name",
    [
        "Diagram.png",
        "bagan alur.png",
        "../diagram.png",
        "assets/diagram.png",
        "diagram.tar.png",
        "-diagram.png",
        ".png",
        "diagram",
        "diagram.",
        "a" * 97 + ".png",
    ],
)
def test_an_invalid_name_is_refused(name):
    """Are names that are unsafe in a URL, a zip or on a disk refused?"""
    assert not is_asset_name(name)
    media_type, problems = check_asset(name, tiny_png(), 1_000_000)
    assert media_type is None
    assert messages(problems) == [
        f"invalid file name {name}: use lowercase letters, digits, - and _, like diagram-1.png"
    ]


def test_problems_can_name_the_file_by_its_path():
    """Does a problem point at the file where the caller found it (an archive entry)?"""
    _, problems = check_asset("x.png", b"<html>", 100, path="PM-101/assets/x.png")
    assert str(problems[0]).startswith("PM-101/assets/x.png: ")


def test_longest_valid_name_is_100_characters():
    assert is_asset_name("a" * 96 + ".png")
    assert not is_asset_name("a" * 97 + ".png")


@pytest.mark.parametrize(
    ("uploaded", "expected"),
    [
        ("Bagan Alur (1).PNG", "bagan-alur-1.png"),
        ("diagram-1.png", "diagram-1.png"),
        ("C:\\Users\\ani\\Desktop\\Foto Kegiatan.JPG", "foto-kegiatan.jpg"),
        ("/home/budi/unduhan/peta.webp", "peta.webp"),
        ("Ébauche_v2.JPEG", "ebauche_v2.jpeg"),
        ("Laporan   Akhir -- 2024.pdf", "laporan-akhir-2024.pdf"),
        ("__rapat__ _ notulen.pdf", "rapat-notulen.pdf"),
        ("peta.wilayah.v2.gif", "peta-wilayah-v2.gif"),
        ("  spasi  .png  ", "spasi.png"),
        ("Straße.png", "strasse.png"),
        ("a" * 150 + ".png", "a" * 96 + ".png"),
    ],
)
def test_uploaded_names_are_made_valid(uploaded, expected):
    """Does a name from a trainer's computer become a tidy, valid asset name?"""
    assert normalise_asset_name(uploaded) == expected
    assert is_asset_name(expected)


@pytest.mark.parametrize(
    "uploaded", ["", "gambar", "(-).png", "---.png", "图片.png", "diagram.", "dir/", ".png"]
)
def test_names_with_nothing_usable_give_none(uploaded):
    assert normalise_asset_name(uploaded) is None


@given(st.text(max_size=300))
def test_normalised_names_are_always_valid(uploaded):
    """Whatever a browser sends as a file name, is the result valid or None?"""
    result = normalise_asset_name(uploaded)
    assert result is None or is_asset_name(result)
