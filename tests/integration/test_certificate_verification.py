"""Certificates after a real completion: the PDF for those allowed, and the public check page.

Messages are checked in English (the language switch works without signing in) so the tests do
not depend on the Indonesian catalogue; names, numbers and dates are checked as data.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.learning import certificates
from lms.learning.models import Completion
from tests.conftest import correct_answers, course_quiz, make_user, sign_in

GENUINE = "This certificate is genuine"
NOT_ISSUED = "No certificate with the number"
NOT_A_NUMBER = "This is not a certificate number"


@pytest.fixture
def done(app, client, course, learner):
    """Budi completes TES-101 through the pages; returns his completion's facts."""
    client.post(f"/courses/{course}/enrol")
    for key in ("modul-1", "modul-2"):
        client.post(f"/courses/{course}/modules/{key}/done")
    attempt = client.post(f"/courses/{course}/quiz/start").location
    client.post(attempt, data=MultiDict(correct_answers(course_quiz(app, course))))
    with app.app_context():
        completion = db.session.scalar(db.select(Completion).where(Completion.user_id == learner))
        return {
            "number": completion.certificate_no,
            "nip": completion.user.nip,
            "day": completion.completed_at.astimezone(ZoneInfo("Asia/Jakarta")).date(),
        }


def visitor(app, locale: str = "en"):
    """A browser that has not signed in, reading in the given language."""
    client = app.test_client()
    client.post("/language", data={"locale": locale})
    return client


def signed_in(app, *roles: str):
    client = app.test_client()
    sign_in(client, make_user(app, *roles)[1])
    return client


# --- the PDF ----------------------------------------------------------------------------------


def test_the_holder_downloads_the_pdf(client, done):
    """Does the learner get a PDF file named after the course and number, as a download?"""
    response = client.get(f"/certificates/{done['number']}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"sertifikat-TES-101-{done['number']}.pdf" in disposition
    assert response.headers["Cache-Control"] == "no-store"  # personal data: not kept by browsers


def test_another_learner_gets_neither_the_page_nor_the_pdf(app, done):
    """Can a colleague open someone else's certificate or its PDF by knowing the number?"""
    colleague = signed_in(app, "learner")
    assert colleague.get(f"/certificates/{done['number']}").status_code == 404
    assert colleague.get(f"/certificates/{done['number']}/pdf").status_code == 404


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_admin_download_anyones_pdf(app, done, role):
    response = signed_in(app, role).get(f"/certificates/{done['number']}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_the_pdf_needs_a_signed_in_user(app, done):
    response = visitor(app).get(f"/certificates/{done['number']}/pdf")
    assert response.status_code == 302 and "/login" in response.location


# --- the certificate page ---------------------------------------------------------------------


def qr_path(svg_or_page: str) -> str:
    """The QR code's drawing (the one path segno writes) in an inline SVG."""
    svg = re.search(r"<svg[^>]*cert-qr.*?</svg>", svg_or_page, re.S).group(0)
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_the_page_shows_a_qr_code_of_the_public_check_address(client, done):
    """Does the QR code on the certificate page draw the check page's absolute address?"""
    page = client.get(f"/certificates/{done['number']}").get_data(as_text=True)
    url = f"http://portal.test/verify/{done['number']}"
    assert f'href="{url}"' in page
    assert qr_path(page) == qr_path(certificates.qr_svg(url))
    assert f'href="/certificates/{done["number"]}/pdf"' in page


def test_the_check_address_uses_the_portal_url_when_set(app, client, done):
    """Behind a proxy the request's host may be internal: is LMS_PORTAL_URL used instead?"""
    app.config["LMS_PORTAL_URL"] = "https://belajar.semarangkota.go.id/"
    page = client.get(f"/certificates/{done['number']}").get_data(as_text=True)
    url = f"https://belajar.semarangkota.go.id/verify/{done['number']}"
    assert f'href="{url}"' in page
    assert qr_path(page) == qr_path(certificates.qr_svg(url))


def test_the_page_shows_competencies_and_organiser(app, client, done):
    app.config["LMS_ORGANISER"] = "BKPSDM Kota Tanjungpinang"
    page = client.get(f"/certificates/{done['number']}").get_data(as_text=True)
    assert "M1 · Integritas" in page
    assert page.count("BKPSDM Kota Tanjungpinang") >= 2  # heading and "issued by"


# --- the public check -------------------------------------------------------------------------


def test_anyone_can_check_a_real_certificate_without_signing_in(app, done):
    """Does a stranger see name, course, date and JP, with the NIP masked, and nothing more?"""
    response = visitor(app).get(f"/verify/{done['number']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert GENUINE in page
    assert "Budi Peserta" in page
    assert "Kursus Uji TES-101" in page
    assert format_date(done["day"], "long", locale="en") in page
    assert "2 JP" in page
    masked = done["nip"][:4] + "*" * 11 + done["nip"][-3:]
    assert masked in page
    assert done["nip"] not in page
    assert "Final score" not in page and "Budi" not in page.split("<main", 1)[0]
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_check_is_in_indonesian_by_default(app, done):
    page = app.test_client().get(f"/verify/{done['number']}").get_data(as_text=True)
    assert format_date(done["day"], "long", locale="id") in page


def test_a_number_typed_in_lower_case_is_found(app, done):
    response = visitor(app).get(f"/verify/{done['number'].lower()}")
    assert response.status_code == 200 and GENUINE in response.get_data(as_text=True)


def forged_from(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def test_a_forged_number_is_plainly_not_genuine(app, done):
    """A number of the right shape that the portal never issued: does the page say so?"""
    forged = forged_from(done["number"])
    response = visitor(app).get(f"/verify/{forged}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert NOT_ISSUED in page and forged in page
    assert GENUINE not in page and "Budi Peserta" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/verify/bukan-nomor",
        "/verify/" + "A" * 5000,
        "/verify/..%2F..%2Fetc%2Fpasswd",
        "/verify/2026-AAAA/../../etc/passwd",
        "/verify/2026-AAAA-BBBB-CCCC/pdf",
        "/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/verify/%D9%A2%D9%A0%D9%A2%D9%A6-AAAA-BBBB-CCCC",
    ],
)
def test_a_malformed_number_gets_a_plain_message(app, path):
    """Garbage, a very long text or a path trick: a plain 'not a certificate number' page?"""
    response = visitor(app).get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, path
    assert NOT_A_NUMBER in page
    assert "Traceback" not in page and "<script>alert" not in page
    assert "A" * 100 not in page.split("<main", 1)[1]  # the message does not echo the input


def test_a_null_character_in_the_number_is_refused_with_a_reason(app):
    """A NUL never reaches the lookup (PostgreSQL cannot compare it): a 400 that says why."""
    response = visitor(app).get("/verify/2026-AAAA-BBBB-CCC%00")
    assert response.status_code == 400
    assert "null character" in response.get_data(as_text=True)


def test_guessing_numbers_is_slowed_down(app, done):
    """After too many unknown numbers from one address, is the check refused for a while, while
    genuine checks before that did not count?"""
    app.config["LMS_VERIFY_LIMIT"] = "3 per 10 minutes"
    client = visitor(app)
    for _ in range(5):
        assert client.get(f"/verify/{done['number']}").status_code == 200
    for guess in ("2026-AAAA-BBBB-CCC1", "2026-AAAA-BBBB-CCC2", "nonsense"):
        assert client.get(f"/verify/{guess}").status_code in (400, 404)
    blocked = client.get("/verify/2026-AAAA-BBBB-CCC3")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other_office = client.get(
        "/verify/2026-AAAA-BBBB-CCC3", environ_base={"REMOTE_ADDR": "10.2.3.4"}
    )
    assert other_office.status_code == 404
