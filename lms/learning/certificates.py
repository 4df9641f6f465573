"""Certificate documents: the PDF, the QR code, the masked NIP and the number's shape.

Pure: no Flask, no database. Views hand in a `Certificate` already worded in the reader's
language and get bytes (PDF) or markup (SVG) back.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field, replace

import segno
from fpdf import FPDF

# What `services.new_certificate_number` writes: year, then three groups of four characters.
# Letters beyond Crockford's alphabet are accepted here too (older or imported numbers).
NUMBER_SHAPE = re.compile(r"[0-9]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")  # ASCII only
NUMBER_LENGTH = 19
# Crockford's reading rules: characters the generator never writes stand for their look-alikes,
# so a number typed from paper with O for 0 or l for 1 still finds the certificate.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

# The NIP shown on the public verification page: birth year and sequence stay, the rest is
# starred, so the page confirms "this is the same person" to someone holding the paper without
# publishing a full personal number (UU 27/2022).
NIP_SHOWN_HEAD, NIP_SHOWN_TAIL = 4, 3


def normalise_number(text: str) -> str | None:
    """The certificate number as stored, or None when the text cannot be one.

    Case, surrounding spaces and Crockford look-alikes (O, I, L) are forgiven; anything else is
    refused before the database is asked.
    """
    if len(text) > NUMBER_LENGTH + 8:  # a little room for spaces around it, no more
        return None
    number = text.strip().upper().translate(_LOOK_ALIKES)
    return number if NUMBER_SHAPE.fullmatch(number) else None


def mask_nip(nip: str | None) -> str:
    """`198609262015051001` -> `1986***********001`; short or empty values are starred whole."""
    if not nip:
        return ""
    if len(nip) <= NIP_SHOWN_HEAD + NIP_SHOWN_TAIL:
        return "*" * len(nip)
    hidden = len(nip) - NIP_SHOWN_HEAD - NIP_SHOWN_TAIL
    return nip[:NIP_SHOWN_HEAD] + "*" * hidden + nip[-NIP_SHOWN_TAIL:]


@dataclass(frozen=True)
class Labels:
    """The certificate's fixed words, in the reader's language (English by default)."""

    title: str = "Certificate of completion"
    certifies: str = "This certifies that"
    nip: str = "NIP"
    has_completed: str = "has completed the e-learning course"
    learning_hours: str = "Learning hours"
    completed_on: str = "Completed on"
    competencies: str = "Competencies developed"
    number: str = "Certificate number"
    issued_by: str = "Issued by"
    verify: str = "Check this certificate at"


@dataclass(frozen=True)
class Certificate:
    """What one certificate says, with dates and numbers already formatted for the reader."""

    number: str
    holder_name: str
    nip: str | None
    course_title: str
    course_ref: str  # "PM-101 v2": which course version was completed
    jp: str  # "6 JP"
    completed_on: str  # "23 November 2026"
    organiser: str
    portal_name: str
    verification_url: str
    competencies: tuple[str, ...] = ()  # "M1 · Integritas (level 2)"
    labels: Labels = field(default_factory=Labels)


def public_view(cert: Certificate) -> Certificate:
    """The certificate as the public check page shows it: the same, with the NIP masked."""
    return replace(cert, nip=mask_nip(cert.nip))


# --- QR code -------------------------------------------------------------------------------


def qr_code(url: str) -> segno.QRCode:
    # Level M survives a crease or a smudge on paper; segno raises it when it costs no size.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str = "") -> str:
    """The QR code as inline SVG markup: no image request, allowed by the page's CSP."""
    return qr_code(url).svg_inline(scale=3, border=2, title=title or None, svgclass="cert-qr")


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------

# fpdf2's built-in fonts cover Latin-1 only and no Unicode font ships with it; names and course
# titles are Latin script, so the few characters beyond Latin-1 are written as their plain form.
_PLAIN = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
        "…": "...", "•": "·", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
        "€": "EUR", "™": "TM", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i",
        "Œ": "OE", "œ": "oe",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    """Text the PDF's core fonts can write: typographic marks made plain, accents kept where
    Latin-1 has them and dropped where it does not (Ş -> S), anything else as '?'."""
    text = text.translate(_PLAIN)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


_INK = (33, 37, 41)
_MUTED = (90, 98, 108)
_BRAND = (0, 82, 147)


def certificate_pdf(cert: Certificate, *, compress: bool = True) -> bytes:
    """An A4 landscape PDF of the certificate, with a vector QR code linking to its check page."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(f"{cert.labels.title} {cert.number}"))
    pdf.set_author(latin1(cert.organiser))
    pdf.set_creator(latin1(cert.portal_name))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    _frame(pdf)
    labels = cert.labels
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float, style: str = "", color=_INK, gap: float = 2) -> None:
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_text_color(*color)
        pdf.multi_cell(width, size * 0.5, latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(24)
    line(f"{cert.organiser} · {cert.portal_name}".upper(), 9, color=_MUTED, gap=4)
    line(labels.title, 26, "B", color=_BRAND, gap=4)
    line(labels.certifies, 12, color=_MUTED)
    line(cert.holder_name, 22, "B", gap=1)
    if cert.nip:
        line(f"{labels.nip} {cert.nip}", 11, color=_MUTED)
    pdf.ln(2)
    line(labels.has_completed, 12, color=_MUTED)
    line(cert.course_title, 16, "B", gap=5)

    facts = [
        (labels.learning_hours, cert.jp),
        (labels.completed_on, cert.completed_on),
        (labels.number, f"{cert.number}  ({cert.course_ref})"),
    ]
    if cert.competencies:
        facts.append((labels.competencies, "; ".join(cert.competencies)))
    _facts(pdf, facts, x=(pdf.w - 170) / 2, width=170)
    _issuer_and_qr(pdf, cert)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)


def _facts(pdf: FPDF, facts: list[tuple[str, str]], x: float, width: float) -> None:
    label_width = 55
    for label, value in facts:
        top = pdf.get_y()
        pdf.set_xy(x, top)
        pdf.set_font("helvetica", size=10)
        pdf.set_text_color(*_MUTED)
        pdf.cell(label_width, 6, latin1(label))
        pdf.set_xy(x + label_width, top)
        pdf.set_font("helvetica", style="B", size=10)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(width - label_width, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _issuer_and_qr(pdf: FPDF, cert: Certificate) -> None:
    size = 32  # mm: scans from a phone at arm's length
    x, y = pdf.w - pdf.r_margin - size, pdf.h - 22 - size - 8
    _draw_qr(pdf, cert.verification_url, x, y, size)
    pdf.link(x, y, size, size, cert.verification_url)
    pdf.set_font("helvetica", size=7)
    pdf.set_text_color(*_MUTED)
    caption_width = 90
    pdf.set_xy(pdf.w - pdf.r_margin - caption_width, y + size + 1)
    pdf.multi_cell(
        caption_width, 3.2, latin1(f"{cert.labels.verify}\n{cert.verification_url}"), align="R"
    )

    pdf.set_xy(pdf.l_margin + 10, y + size - 12)
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 5, latin1(cert.labels.issued_by), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 10)
    pdf.set_font("helvetica", style="B", size=12)
    pdf.set_text_color(*_INK)
    pdf.cell(0, 7, latin1(cert.organiser))


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles, one per run in a row: sharp at any print size."""
    rows = [list(row) for row in qr_code(url).matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A hair wider than the run so neighbouring rows leave no white seams when printed.
            pdf.rect(x + start * module, y + r * module, (c - start) * module + 0.01,
                     module + 0.01, style="F")  # fmt: skip
