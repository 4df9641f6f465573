"""Confirmed mentoring sessions as learning records of the mentee: JP, profile, reports, exports, API.

Programmes, pairings and sessions are made directly with the models (`logged`): the mentoring pages
and their services are another feature's; here a session is a fact to count, or not to count.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from lms.accounts import services as accounts
from lms.api import feed
from lms.api import services as api
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion, Enrolment
from lms.mentoring.models import (
    CONFIRMED,
    DECLINED,
    PENDING,
    MentoringProgramme,
    MentoringSession,
    Mentorship,
)
from lms.reports import summaries
from lms.reports.models import ExportLog
from lms.reports.queries import CompletionFilter
from tests.conftest import PASSWORD, import_course, make_user, sign_in, write_course

WIB = ZoneInfo("Asia/Jakarta")
YEAR = datetime.now(WIB).year  # the dashboard and the reports default to this year
LAST = YEAR - 1
PERIOD = {"since": f"{YEAR}-01-01", "until": f"{YEAR}-12-31"}


def at(year: int, month: int, day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def logged(
    pairing_id: int,
    started_at: datetime,
    minutes: int,
    *,
    status: str = CONFIRMED,
    jp: float | None = None,
    topic: str = "Rencana aksi",
    decided_at: datetime | None = None,
) -> int:
    """A session as the mentoring feature leaves it: confirmed ones with JP fixed (45-minute JP
    unless given) and a decision time (by default yesterday, whatever the meeting's date)."""
    pairing = db.session.get(Mentorship, pairing_id)
    session = MentoringSession(
        mentorship_id=pairing_id, started_at=started_at, minutes=minutes, topic=topic,
        notes="", notes_html="", logged_by_id=pairing.mentor_id, status=status,
    )  # fmt: skip
    if status != PENDING:
        session.decided_by_id = pairing.mentee_id
        session.decided_at = decided_at or datetime.now(UTC) - timedelta(days=1)
    if status == CONFIRMED:
        session.jp = round(minutes / 45, 2) if jp is None else jp
    db.session.add(session)
    db.session.flush()
    return session.id


def completed(user_id: int, code: str, when: datetime, *, jp: float = 2.0, n: int = 0) -> None:
    course = published_course(code)
    db.session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=when))
    db.session.add(
        Completion(
            user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
            score=90.0, jp=jp, enrolled_at=when - timedelta(days=2), completed_at=when,
            certificate_no=f"{YEAR}-MENT-0000-{n:04d}",
        )
    )  # fmt: skip


@pytest.fixture
def world(app, tmp_path):
    """Units KOTA > DINKES > P2P and KOTA > DPMPTSP; Ani (P2P) and Cici (DPMPTSP) mentored by Mira.

    Ani: one course (2 JP, March) and this year two confirmed sessions (90 min = 2 JP in March,
    45 min = 1 JP at 00:30 WIB on 1 January, still 31 December in UTC), one pending and one
    declined (never counted), one confirmed last year (3 JP). Cici: one confirmed session, 1,5 JP.
    """
    import_course(app, write_course(tmp_path / "a", code="AAA-1"))
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        dinkes = accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("P2P", "Bidang P2P", dinkes)
        accounts.ensure_unit("DPMPTSP", "Dinas PTSP", kota)
        db.session.commit()
    people = {
        "ani": make_user(app, "learner", name="Ani Mentee", unit="P2P"),
        "cici": make_user(app, "learner", name="Cici Mentee", unit="DPMPTSP"),
        "mira": make_user(app, "learner", name="Mira Mentor", unit="DINKES"),
    }
    ani, cici, mira = (people[k][0] for k in ("ani", "cici", "mira"))
    with app.app_context():
        programme = MentoringProgramme(name="Mentoring CPNS", starts_on=date(LAST, 1, 1))
        db.session.add(programme)
        db.session.flush()
        pairs = {}
        for who, mentee in (("ani", ani), ("cici", cici)):
            pairing = Mentorship(
                programme_id=programme.id, mentor_id=mira, mentee_id=mentee,
                starts_on=date(LAST, 1, 1),
            )  # fmt: skip
            db.session.add(pairing)
            db.session.flush()
            pairs[who] = pairing.id
        completed(ani, "AAA-1", at(YEAR, 3, 1))
        sessions = {
            "march": logged(pairs["ani"], at(YEAR, 3, 10), 90, topic="Rencana aksi"),
            "new_year": logged(pairs["ani"], at(LAST, 12, 31, 17, 30), 45, topic="Tahun baru"),
            "pending": logged(pairs["ani"], at(YEAR, 4, 1), 120, status=PENDING, topic="Tertunda"),
            "declined": logged(pairs["ani"], at(YEAR, 4, 2), 120, status=DECLINED, topic="Ditolak"),
            "last_year": logged(pairs["ani"], at(LAST, 6, 1), 135, topic="Tahun lalu"),
            "cici": logged(pairs["cici"], at(YEAR, 5, 5), 60, jp=1.5, topic="Pelayanan"),
        }
        db.session.commit()
    return {"people": people, "pairs": pairs, "sessions": sessions}


def as_person(app, world, who: str, locale: str = "en"):
    client = app.test_client()
    sign_in(client, world["people"][who][1])
    client.post("/language", data={"locale": locale})
    return client


@pytest.fixture
def hr(app, world):
    _, login = make_user(app, "hr", name="Petugas BKPSDM")
    client = app.test_client()
    sign_in(client, login)
    client.post("/language", data={"locale": "en"})
    return client


def unit_id(app, code):
    with app.app_context():
        return accounts.find_unit(code).id


def export(client, fmt, **filters):
    response = client.post(f"/reports/export/{fmt}", data={**PERIOD, **filters})
    assert response.status_code == 200, response.status_code
    return response


def csv_table(response, delimiter=","):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- The learner's dashboard and profile ---------------------------------------------------------


def test_dashboard_counts_confirmed_mentoring_as_its_own_line(app, world):
    """Do the mentee's JP this year include confirmed sessions (listed apart), and only those?"""
    page = as_person(app, world, "ani").get("/my").get_data(as_text=True)
    # 2 JP of the course + 2 JP (90 min) + 1 JP (00:30 WIB on 1 January); not the pending 120
    # minutes, nor the declined ones, nor last year's.
    assert "5 of 20 JP" in page
    assert "Mentoring: 3 JP" in page and "Courses: 2 JP" in page


def test_dashboard_of_someone_without_mentoring_has_no_mentoring_line(app, world):
    """Does a mentor (whose sessions are the mentee's records) see no mentoring JP of their own?"""
    page = as_person(app, world, "mira").get("/my").get_data(as_text=True)
    assert "0 of 20 JP" in page and "Mentoring:" not in page


def test_a_confirmed_session_keeps_the_learning_streak(app, world):
    """Does a month whose only learning was a confirmed session count in the streak, and a
    month with only a pending one not? (Mira, mentored by Ani now, has no other learning.)"""
    people = world["people"]
    with app.app_context():
        programme_id = db.session.scalar(sa.select(MentoringProgramme.id))
        pairing = Mentorship(
            programme_id=programme_id, mentor_id=people["ani"][0], mentee_id=people["mira"][0],
            starts_on=date(YEAR, 1, 1),
        )  # fmt: skip
        db.session.add(pairing)
        db.session.flush()
        recent = datetime.now(UTC) - timedelta(minutes=5)
        logged(pairing.id, recent, 60, status=PENDING)
        db.session.commit()
        pairing_id = pairing.id
    page = as_person(app, world, "mira").get("/my").get_data(as_text=True)
    assert "No learning streak yet" in page
    with app.app_context():
        # A minute apart: a pairing holds one session per start time.
        logged(pairing_id, recent - timedelta(minutes=1), 60)
        db.session.commit()
    page = as_person(app, world, "mira").get("/my").get_data(as_text=True)
    assert "Learning streak: 1 month." in page and "Mentoring: 1.3 JP" in page


def test_dashboard_in_indonesian(app, world):
    """Is the mentoring line translated on the Indonesian dashboard?"""
    page = as_person(app, world, "ani", locale="id").get("/my").get_data(as_text=True)
    assert "Mentoring: 3 JP" in page and "Kursus: 2 JP" in page


def test_profile_has_jp_per_year_and_a_mentoring_line_per_pairing_and_year(app, world):
    """Does the profile count mentoring JP in each year and show one line per pairing and year?"""
    page = as_person(app, world, "ani").get("/my/profile").get_data(as_text=True)
    assert "Mentoring: Mentoring CPNS" in page and "Mira Mentor" in page
    assert "Mentoring: 3 JP" in page  # this year's part of the JP
    assert "No confirmed mentoring session yet." not in page
    assert "Tertunda" not in page and "Ditolak" not in page


def test_profile_download_has_mentoring_records(app, world):
    """Does the JSON profile give the JP per year with their mentoring part, and the lines?"""
    response = as_person(app, world, "ani").get("/my/profile.json")
    document = json.loads(response.get_data(as_text=True))
    years = {y["year"]: y for y in document["learning_hours"]["years"]}
    assert (years[YEAR]["jp"], years[YEAR]["mentoring_jp"]) == (5.0, 3.0)
    assert (years[LAST]["jp"], years[LAST]["mentoring_jp"]) == (3.0, 3.0)
    lines = {m["year"]: m for m in document["mentoring"]}
    assert set(lines) == {YEAR, LAST}
    this = lines[YEAR]
    assert (this["kind"], this["programme"], this["mentor"]) == (
        "Mentoring", "Mentoring CPNS", "Mira Mentor",
    )  # fmt: skip
    assert (this["sessions"], this["minutes"], this["jp"]) == (2, 135, 3.0)
    assert (this["first_on"], this["last_on"]) == (f"{YEAR}-01-01", f"{YEAR}-03-10")


def test_hr_sees_the_mentoring_in_anyones_profile(app, world, hr):
    """Does HR's view of the profile show the same mentoring lines?"""
    ani = world["people"]["ani"][0]
    page = hr.get(f"/reports/employees/{ani}/profile").get_data(as_text=True)
    assert "Mentoring: Mentoring CPNS" in page and "Mentoring: 3 JP" in page
    document = hr.get(f"/reports/employees/{ani}/profile.json").get_json()
    assert [m["jp"] for m in document["mentoring"]] == [3.0, 3.0]


def test_profile_without_mentoring_says_so(app, world):
    """Does a profile without confirmed sessions show the empty state?"""
    page = as_person(app, world, "mira").get("/my/profile").get_data(as_text=True)
    assert "No confirmed mentoring session yet." in page


# --- HR reports ------------------------------------------------------------------------------------


def test_report_summary_and_units_count_mentoring(app, world, hr):
    """Does the report page count confirmed sessions and their JP, per unit too?"""
    page = hr.get("/reports").get_data(as_text=True)
    assert "Confirmed mentoring sessions" in page
    assert "4 records: completions and confirmed mentoring sessions" in page
    with app.app_context():
        f = CompletionFilter.this_year()
        total = summaries.summary(f)
        assert (total.completions, total.mentoring_sessions, total.records) == (1, 3, 4)
        assert (total.jp, total.mentoring_jp, total.learners) == (6.5, 4.5, 2)
        units = {u.name: u for u in summaries.by_unit(f, 4.0)}
    p2p, ptsp = units["Bidang P2P"], units["Dinas PTSP"]
    assert (p2p.mentoring_sessions, p2p.mentoring_jp, p2p.jp, p2p.completed) == (2, 3.0, 5.0, 1)
    assert (ptsp.mentoring_sessions, ptsp.jp) == (1, 1.5)
    assert p2p.reached_target == 1 and ptsp.reached_target == 0  # 5 JP >= 4 thanks to mentoring
    assert units["Dinas Kesehatan"].mentoring_sessions == 0  # the mentor's unit: not hers


def test_a_course_filter_leaves_mentoring_out_of_the_summary(app, world, hr):
    """With a course chosen, do the summary and its units count that course only?"""
    with app.app_context():
        f = CompletionFilter.this_year(course_code="AAA-1")
        total = summaries.summary(f)
        assert (total.completions, total.mentoring_sessions, total.jp) == (1, 0, 2.0)
        assert sum(u.mentoring_sessions for u in summaries.by_unit(f, 20.0)) == 0
    page = hr.get("/reports", query_string={"course": "AAA-1"}).get_data(as_text=True)
    assert "mentoring sessions are left out when one is set" in page


def test_employee_list_jp_status_counts_mentoring(app, world, hr):
    """Is Ani's JP status "reached" with mentoring, and Cici's sessions listed?"""
    app.config["LMS_JP_TARGET"] = 4.0
    reached = hr.get("/reports/employees", query_string={"status": "reached"})
    page = reached.get_data(as_text=True)
    assert "Ani Mentee" in page and "Cici Mentee" not in page
    below = hr.get("/reports/employees", query_string={"status": "below"}).get_data(as_text=True)
    assert "Cici Mentee" in below and "Ani Mentee" not in below
    with app.app_context():
        lines, _ = summaries.employees(CompletionFilter.this_year(), jp_target=4.0)
    by_name = {line.name: line for line in lines}
    assert (by_name["Ani Mentee"].jp, by_name["Ani Mentee"].mentoring_sessions) == (5.0, 2)
    assert (by_name["Cici Mentee"].jp, by_name["Cici Mentee"].completions) == (1.5, 0)
    assert by_name["Mira Mentor"].jp == 0


def test_most_active_learners_rank_by_all_jp(app, world, hr):
    """Does a mentee with only mentoring JP appear among the most active of her unit?"""
    page = hr.get("/reports/most-active").get_data(as_text=True)
    assert "Cici Mentee" in page and "Ani Mentee" in page and "Mira Mentor" not in page


def test_employee_record_page_lists_each_confirmed_session(app, world, hr):
    """Does HR's learning-record page list each confirmed session, counted in JP per year?"""
    ani = world["people"]["ani"][0]
    page = hr.get(f"/reports/employees/{ani}").get_data(as_text=True)
    assert "Rencana aksi" in page and "Tahun baru" in page and "Tahun lalu" in page
    assert "Tertunda" not in page and "Ditolak" not in page
    assert f"{YEAR}: <strong>5 JP</strong>" in page and f"{LAST}: <strong>3 JP</strong>" in page
    assert "90 minutes" in page


# --- Exports -------------------------------------------------------------------------------------


def test_csv_export_has_mentoring_rows_in_time_order(app, world, hr):
    """Does the CSV list the confirmed sessions among the completions, oldest first, typed?"""
    rows = csv_table(export(hr, "csv"))
    assert [(r["Nama"], r["Jenis"], r["Tanggal selesai"]) for r in rows] == [
        ("Ani Mentee", "Mentoring", f"{YEAR}-01-01"),  # 00:30 WIB, still last year in UTC
        ("Ani Mentee", "E-Learning", f"{YEAR}-03-01"),
        ("Ani Mentee", "Mentoring", f"{YEAR}-03-10"),
        ("Cici Mentee", "Mentoring", f"{YEAR}-05-05"),
    ]
    session = rows[2]
    assert session["Judul kursus"] == "Mentoring: Mentoring CPNS"
    assert (session["JP"], session["Kode kursus"], session["Nilai"]) == ("2", "", "")
    assert session["Waktu selesai"] == f"{YEAR}-03-10T09:00:00+07:00"
    assert session["Waktu mendaftar"] == "" and session["Nomor sertifikat"] == ""
    assert list(rows[0])[-1] == "Jenis"
    with app.app_context():
        log = db.session.scalars(sa.select(ExportLog).order_by(ExportLog.id.desc())).first()
        assert log.row_count == 4


def test_semicolon_csv_export_has_mentoring_with_decimal_comma(app, world, hr):
    """In the Indonesian-Excel CSV, is Cici's 1,5 JP session written with a decimal comma?"""
    rows = csv_table(export(hr, "csv-semicolon"), delimiter=";")
    cici = [r for r in rows if r["Nama"] == "Cici Mentee"]
    assert [(r["Jenis"], r["JP"]) for r in cici] == [("Mentoring", "1,5")]


def test_xlsx_export_has_mentoring_rows(app, world, hr):
    """Does the workbook hold the sessions as typed rows with the "Jenis" column last?"""
    response = export(hr, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, values, strict=True)) for values in sheet.iter_rows(2, values_only=True)
    ]
    assert header[-1] == "Jenis" and len(rows) == 4
    sessions = [r for r in rows if r["Jenis"] == "Mentoring"]
    assert [r["JP"] for r in sessions] == [1, 2, 1.5]
    assert sessions[0]["Tanggal selesai"] == datetime(YEAR, 1, 1)  # noqa: DTZ001 - Excel is naive
    assert all(r["Nilai"] is None and r["Versi"] is None for r in sessions)


def test_json_export_has_mentoring_records(app, world, hr):
    """Does the JSON export mark each record's kind, sessions with nulls for course facts?"""
    records = json.loads(export(hr, "json").get_data(as_text=True))
    assert [r["kind"] for r in records] == ["mentoring", "completion", "mentoring", "mentoring"]
    session = records[0]
    assert (session["jenis"], session["jp"], session["score"], session["enrolled_at"]) == (
        "Mentoring", 1.0, None, None,
    )  # fmt: skip
    assert session["completed_on"] == f"{YEAR}-01-01"


def test_xapi_export_has_attended_statements(app, world, hr):
    """Is each confirmed session an 'attended' statement on a meeting, with its duration?"""
    text = export(hr, "xapi").get_data(as_text=True)
    statements = [json.loads(line) for line in text.splitlines()]
    attended = [s for s in statements if s["verb"]["id"].endswith("/attended")]
    assert len(attended) == 3
    assert {s["verb"]["display"]["en-US"] for s in attended} == {"attended"}
    types = {s["object"]["definition"]["type"] for s in attended}
    assert types == {"http://adlnet.gov/expapi/activities/meeting"}
    march = world["sessions"]["march"]
    (first,) = [s for s in attended if s["object"]["id"].endswith(f"/mentoring/sessions/{march}")]
    assert first["result"]["duration"] == "PT1H30M"
    assert first["object"]["id"].startswith(first["actor"]["account"]["homePage"] + "/")
    again = export(hr, "xapi").get_data(as_text=True)
    assert [json.loads(line)["id"] for line in again.splitlines()] == [s["id"] for s in statements]


def test_siasn_export_has_mentoring_records(app, world, hr):
    """Is each session a SIASN record with jenisDiklatId 15, its programme and local dates?"""
    records = json.loads(export(hr, "siasn").get_data(as_text=True))
    sessions = [r for r in records if r["jenisDiklatId"] == 15]
    assert len(sessions) == 3 and len(records) == 4
    first = sessions[0]
    assert first["namaKursus"] == "Mentoring: Mentoring CPNS"
    assert first["tanggalKursus"] == first["tanggalSelesaiKursus"] == f"01-01-{YEAR}"
    assert (first["tahunKursus"], first["jumlahJam"], first["nomorSertipikat"]) == (YEAR, 1, "")
    assert [r["jumlahJam"] for r in sessions] == [1, 2, 2]  # 1,5 JP rounds half up


@pytest.mark.parametrize("fmt", ["csv", "csv-semicolon", "json", "xapi", "siasn", "xlsx"])
def test_unconfirmed_sessions_are_in_no_export(app, world, hr, fmt):
    """Is nothing of a pending or declined session in any export, whatever the format?"""
    body = export(hr, fmt, since=f"{LAST}-01-01").get_data()
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        body = json.dumps([list(r) for r in sheet.iter_rows(values_only=True)], default=str)
        body = body.encode()
    text = body.decode("utf-8")
    assert "Tertunda" not in text and "Ditolak" not in text  # topics are not exported anyway
    assert f"{YEAR}-04-01" not in text and f"{YEAR}-04-02" not in text
    assert f"01-04-{YEAR}" not in text and f"02-04-{YEAR}" not in text


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["mentoring", "completion", "mentoring", "mentoring"]),
        ({"unit": "DPMPTSP"}, ["mentoring"]),  # Cici's session
        ({"unit": "DINKES"}, ["mentoring", "completion", "mentoring"]),  # P2P is under DINKES
        ({"course": "AAA-1"}, ["completion"]),
        ({"category": "pengembangan-diri"}, ["completion"]),
        ({"competency": "M1"}, ["completion"]),
        ({"since": f"{YEAR}-03-02"}, ["mentoring", "mentoring"]),
        ({"since": f"{LAST}-01-01", "until": f"{LAST}-12-31"}, ["mentoring"]),  # last June only
    ],
)
def test_filters_apply_to_mentoring_records(app, world, hr, filters, expected):
    """Do period and unit narrow mentoring records, and a course filter leave them out,
    with the audit log and the report's count agreeing with the rows?"""
    if "unit" in filters:
        filters = {**filters, "unit": str(unit_id(app, filters["unit"]))}
    records = json.loads(export(hr, "json", **filters).get_data(as_text=True))
    assert [r["kind"] for r in records] == expected
    with app.app_context():
        log = db.session.scalars(sa.select(ExportLog).order_by(ExportLog.id.desc())).first()
        assert log.row_count == len(expected)
    page = hr.get("/reports", query_string={**PERIOD, **filters}).get_data(as_text=True)
    count = len(expected)
    assert f"{count} record{'s' if count != 1 else ''}: completions and confirmed" in page


# --- The API feed --------------------------------------------------------------------------------

URL = "/api/v1/completions"


def new_token(app) -> str:
    with app.app_context():
        _, secret = api.create_token("competency-profile", [api.COMPLETIONS_READ])
        db.session.commit()
        return secret


def poll(client, secret, **params):
    response = client.get(URL, query_string=params, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def page_through(client, secret, cursor=None, **params) -> tuple[list[tuple[str, int]], str]:
    """Follow next_cursor until has_more is false: the (kind, id) received, and the last cursor."""
    seen = []
    while True:
        body = poll(client, secret, **params, **({"cursor": cursor} if cursor else {}))
        for item in body["data"]:
            key = "mentoring_session_id" if item["kind"] == "mentoring" else "completion_id"
            seen.append((item["kind"], item[key]))
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor


def all_records(app) -> set[tuple[str, int]]:
    with app.app_context():
        completions = {("completion", i) for i in db.session.scalars(sa.select(Completion.id))}
        sessions = db.session.scalars(
            sa.select(MentoringSession.id).where(MentoringSession.status == CONFIRMED)
        )
        return completions | {("mentoring", i) for i in sessions}


@pytest.fixture
def interleaved(app, world):
    """More completions and sessions, alternating in time, sessions confirmed out of id order."""
    with app.app_context():
        learners = [
            accounts.create_user(
                login=f"peserta{n}", name=f"Peserta {n}", password=PASSWORD, roles=["learner"]
            )
            for n in range(6)
        ]
        db.session.flush()
        pair = world["pairs"]["cici"]
        for n, person in enumerate(learners):
            completed(person.id, "AAA-1", at(YEAR, 6, 1 + 2 * n), n=n + 1)
        for n in range(6):
            # Logged in this order, confirmed in the reverse one.
            confirmed = datetime.now(UTC) - timedelta(hours=1 + n)
            logged(pair, at(YEAR, 6, 2 + 2 * n), 45, decided_at=confirmed)
        db.session.commit()


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
def test_api_pages_both_kinds_without_skipping_or_repeating(app, client, interleaved, limit):
    """Paging with any page size, does the feed give every confirmed record once, both kinds?"""
    secret = new_token(app)
    seen, _ = page_through(client, secret, limit=limit)
    assert len(seen) == len(set(seen))
    assert set(seen) == all_records(app)
    assert {kind for kind, _ in seen} == {"completion", "mentoring"}
    if limit == 100:  # one page: the two kinds interleaved by record time
        kinds = [kind for kind, _ in seen]
        assert "completion" in kinds[kinds.index("mentoring") :]


def test_api_items_say_their_kind_and_unconfirmed_sessions_never_appear(app, client, world):
    """Is a session item marked "mentoring" with its own id, and pending/declined ones absent?"""
    seen, _ = page_through(client, new_token(app), limit=2)
    sessions = world["sessions"]
    ids = {i for kind, i in seen if kind == "mentoring"}
    assert ids == {sessions[k] for k in ("march", "new_year", "last_year", "cici")}
    body = poll(client, new_token_again(app), limit=100)
    item = next(i for i in body["data"] if i["mentoring_session_id"] == sessions["march"])
    assert item["completion_id"] is None and item["jenis"] == "Mentoring"
    assert item["course_title"] == "Mentoring: Mentoring CPNS" and item["jp"] == 2.0


def new_token_again(app) -> str:
    with app.app_context():
        _, secret = api.create_token("second-reader", [api.COMPLETIONS_READ])
        db.session.commit()
        return secret


def test_api_delivers_a_session_confirmed_later_with_an_earlier_meeting(app, client, world):
    """A session of February confirmed after the poller read March's: is it still delivered,
    once, on the next poll (and only after its confirmation has settled)?"""
    secret = new_token(app)
    first, cursor = page_through(client, secret, limit=2)
    with app.app_context():
        pending = db.session.get(MentoringSession, world["sessions"]["pending"])
        pending.status, pending.jp = CONFIRMED, 2.67
        pending.decided_at = datetime.now(UTC) - timedelta(seconds=30)  # just now
        db.session.commit()
    fresh, cursor = page_through(client, secret, cursor=cursor, limit=2)
    assert fresh == []  # confirmed less than two minutes ago: not yet, so nothing is overtaken
    with app.app_context():
        db.session.get(MentoringSession, world["sessions"]["pending"]).decided_at = datetime.now(
            UTC
        ) - timedelta(minutes=3)
        db.session.commit()
    later, cursor = page_through(client, secret, cursor=cursor, limit=2)
    assert later == [("mentoring", world["sessions"]["pending"])]
    assert page_through(client, secret, cursor=cursor)[0] == []
    assert set(first) | set(later) == all_records(app)


def test_api_filters_apply_to_sessions(app, client, world):
    """Do `since` and `unit` narrow mentoring records by meeting day and mentee's unit?"""
    secret = new_token(app)
    seen, _ = page_through(client, secret, unit="DPMPTSP")
    assert seen == [("mentoring", world["sessions"]["cici"])]
    seen, _ = page_through(client, secret, since=f"{YEAR}-03-02")
    assert sorted(seen) == sorted(
        [("mentoring", world["sessions"]["march"]), ("mentoring", world["sessions"]["cici"])]
    )


def test_api_accepts_a_cursor_from_before_mentoring(app, client, world):
    """Does a version-1 cursor (completions only) still work, giving the sessions once?"""
    with app.app_context():
        last_completion = db.session.scalar(sa.select(sa.func.max(Completion.id)))
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt=feed.CURSOR_SALT).dumps(
        {"v": 1, "after": last_completion}
    )
    seen, _ = page_through(client, new_token(app), cursor=old)
    assert {kind for kind, _ in seen} == {"mentoring"} and len(seen) == 4
