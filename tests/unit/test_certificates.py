"""The certificate builder: number shape, NIP masking, the PDF's text and the QR code's content."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from lms.learning import certificates
from lms.learning.certificates import Certificate, Labels

URL = "https://belajar.semarangkota.go.id/verify/2026-7KQ2-M9XD-4HTR"


def sample(**changes) -> Certificate:
    facts = {
        "number": "2026-7KQ2-M9XD-4HTR",
        "holder_name": "Siti Aminah",
        "nip": "198609262015052001",
        "course_title": "Manajemen Proyek Pemerintah Daerah",
        "course_ref": "PM-101 v2",
        "jp": "6 JP",
        "completed_on": "23 November 2026",
        "organiser": "BKPSDM Kota Semarang",
        "portal_name": "Portal Belajar ASN",
        "verification_url": URL,
        "competencies": ("M4 · Orientasi pada Hasil (level 2)", "T-PROYEK · T-PROYEK (level 3)"),
    }
    return Certificate(**{**facts, **changes})


def pdf_source(cert: Certificate) -> str:
    return certificates.certificate_pdf(cert, compress=False).decode("latin-1")


def pdf_text(cert: Certificate) -> str:
    """The text the uncompressed PDF shows: each `(string) Tj` on a line, escapes undone."""
    shown = re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", pdf_source(cert))
    return "\n".join(re.sub(r"\\(.)", r"\1", s) for s in shown)


def decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


# --- the number -------------------------------------------------------------------------------


def test_a_well_formed_number_is_kept():
    assert certificates.normalise_number("2026-7KQ2-M9XD-4HTR") == "2026-7KQ2-M9XD-4HTR"


def test_a_number_typed_from_paper_is_forgiven():
    """Are lower case, spaces and O/I/L (never written by the portal) read as 0/1/1?"""
    assert certificates.normalise_number(" 2026-7kq2-m9xd-4htr ") == "2026-7KQ2-M9XD-4HTR"
    assert certificates.normalise_number("2O26-ABCO-1IL0-0000") == "2026-ABC0-1110-0000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2026-7KQ2-M9XD",  # a group short
        "2026-7KQ2-M9XD-4HTR-AAAA",  # a group too many
        "2026_7KQ2_M9XD_4HTR",
        "../../etc/passwd",
        "2026-7KQ2-M9XD-4HT?",
        "2026-7KQ2-M9XD-4HTR\n2026-7KQ2-M9XD-4HTR",
        "٢٠٢٦-7KQ2-M9XD-4HTR",  # digits, but not ASCII ones
        "2026-7KQ2-M9XD-4HTR" + " " * 20,
        "A" * 10_000,
    ],
)
def test_anything_else_is_not_a_number(text):
    assert certificates.normalise_number(text) is None


# --- the NIP ----------------------------------------------------------------------------------


def test_the_public_nip_shows_birth_year_and_sequence_only():
    """Is the NIP masked as first 4 and last 3 digits, the 11 between starred?"""
    assert certificates.mask_nip("198609262015051001") == "1986***********001"


@pytest.mark.parametrize("nip,masked", [(None, ""), ("", ""), ("1234567", "*******")])
def test_short_or_missing_nips_reveal_nothing(nip, masked):
    assert certificates.mask_nip(nip) == masked


def test_the_public_view_masks_the_nip_and_keeps_the_rest():
    public = certificates.public_view(sample())
    assert public.nip == "1986***********001"
    assert public.holder_name == "Siti Aminah" and public.number == sample().number


# --- the PDF ----------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf():
    data = certificates.certificate_pdf(sample())
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_the_pdf_says_everything_the_certificate_must():
    """Name, NIP, course, JP, competencies, date, number, organiser and the check address?"""
    text = pdf_text(sample())
    for expected in [
        "Siti Aminah",
        "198609262015052001",
        "Manajemen Proyek Pemerintah Daerah",
        "6 JP",
        "M4 · Orientasi pada Hasil (level 2)",
        "23 November 2026",
        "2026-7KQ2-M9XD-4HTR",
        "BKPSDM Kota Semarang",
        "Certificate of completion",
    ]:
        assert expected in text, expected
    # The QR code is a link too: a click in a PDF reader opens the check page.
    assert f"/URI ({URL})" in pdf_source(sample())


def test_the_pdf_uses_the_readers_words():
    text = pdf_text(sample(labels=Labels(title="Sertifikat Penyelesaian", nip="NIP")))
    assert "Sertifikat Penyelesaian" in text and "Certificate of completion" not in text


def test_names_beyond_latin_1_are_written_plainly_instead_of_failing():
    """Does a name with a curly apostrophe or a Turkish S build a PDF (core fonts are Latin-1)?"""
    text = pdf_text(sample(holder_name="Nur’aini Şahin", course_title="Pelayanan “Prima” – Dasar…"))
    assert "Nur'aini Sahin" in text
    assert 'Pelayanan "Prima" - Dasar...' in text


def test_latin_1_letters_keep_their_accents():
    assert certificates.latin1("José Ñoño") == "José Ñoño"
    assert certificates.latin1("Łukasz 李") == "Lukasz ?"


def test_a_certificate_without_nip_or_competencies_still_builds():
    text = pdf_text(sample(nip=None, competencies=()))
    assert "Siti Aminah" in text and "Competencies developed" not in text


# --- the QR code ------------------------------------------------------------------------------


def test_the_qr_code_encodes_the_verification_url():
    """Read back with a QR decoder: does the code hold exactly the check page's address?"""
    assert decode_qr(certificates.qr_png(URL)) == [URL]


def test_the_qr_svg_is_inline_markup_with_an_escaped_title():
    svg = certificates.qr_svg(URL, title='Periksa <"sertifikat">')
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<path" in svg and "<script" not in svg
    assert "&lt;" in svg and '<"sertifikat">' not in svg


def test_the_qr_svg_and_png_draw_the_same_code():
    svg_path = re.search(r' d="([^"]+)"', certificates.qr_svg(URL)).group(1)
    assert svg_path == re.search(r' d="([^"]+)"', certificates.qr_svg(URL, title="x")).group(1)
    other = re.search(r' d="([^"]+)"', certificates.qr_svg(URL + "X")).group(1)
    assert svg_path != other
