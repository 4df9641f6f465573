"""Demo data for a first look at the portal: a small city government and four accounts.

Used by `flask lms seed-demo` (and `make run`); never by production setup.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.authoring.models import CourseAuthor
from lms.catalog.models import Course
from lms.competency import services as competency
from lms.extensions import db
from lms.mentoring import services as mentoring
from lms.mentoring.models import MentoringProgramme, Mentorship

DEMO_UNITS = [
    ("KOTA", "Pemerintah Kota Contoh", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "KOTA"),
    ("DINKES", "Dinas Kesehatan", "KOTA"),
    ("DINKES-P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "DINKES"),
    ("DPMPTSP", "Dinas Penanaman Modal dan PTSP", "KOTA"),
]

DEMO_ACCOUNTS = [
    {
        "label": "learner",
        "login": "198609262015051001",
        "password": "belajar-asn-2026",
        "name": "Budi Santoso",
        "roles": ["learner"],
        "unit": "DINKES-P2P",
        "jabatan": "Epidemiolog Kesehatan Ahli Pertama",
    },
    {
        "label": "trainer",
        "login": "pelatih",
        "password": "pelatih-asn-2026",
        "name": "Rina Wulandari",
        "roles": ["trainer", "learner"],
        "unit": "BKPSDM",
        "jabatan": "Widyaiswara",
    },
    {
        "label": "hr",
        "login": "199003142014032002",
        "password": "arsip-pegawai-2026",
        "name": "Dewi Lestari",
        "roles": ["hr", "learner"],
        "unit": "BKPSDM",
        "jabatan": "Analis SDM Aparatur",
    },
    {
        "label": "admin",
        "login": "admin",
        "password": "admin-portal-2026",
        "name": "Administrator Portal",
        "roles": ["admin"],
        "unit": "BKPSDM",
        "jabatan": "Pranata Komputer",
    },
]


# What the demo positions require, so the learner's dashboard has recommendations and HR's
# training-needs report has figures (M1 at level 3: no bundled course closes that gap).
DEMO_REQUIREMENTS = [
    ("Epidemiolog Kesehatan Ahli Pertama", "T-SURVKES", 1),
    ("Epidemiolog Kesehatan Ahli Pertama", "T-PROMKES", 2),
    ("Epidemiolog Kesehatan Ahli Pertama", "M2", 2),
    ("Epidemiolog Kesehatan Ahli Pertama", "M1", 3),
    ("Analis SDM Aparatur", "M3", 2),
    ("Analis SDM Aparatur", "M5", 2),
    ("Analis SDM Aparatur", "T-PENGADUAN", 2),
]


def seed() -> set[str]:
    """Create what is missing; return the logins created."""
    units = {}
    for code, name, parent in DEMO_UNITS:
        units[code] = accounts.ensure_unit(code, name, units.get(parent))
    created = set()
    for a in DEMO_ACCOUNTS:
        if accounts.find_by_login(a["login"]) is not None:
            continue
        accounts.create_user(
            login=a["login"], name=a["name"], password=a["password"], roles=a["roles"],
            unit=units[a["unit"]], jabatan=a["jabatan"], email=None,
        )  # fmt: skip
        created.add(a["login"])
    _give_courses_an_owner(accounts.find_by_login("pelatih"))
    for jabatan, code, level in DEMO_REQUIREMENTS:
        competency.ensure_requirement(jabatan, code, level)
    _seed_mentoring()
    return created


DEMO_PROGRAMME = "Mentoring Pegawai Baru (demo)"


def _seed_mentoring() -> None:
    """The demo trainer mentors the demo learner: one confirmed and one pending session.

    Made once; later runs find the programme and change nothing.
    """
    if db.session.scalar(
        select(MentoringProgramme).where(MentoringProgramme.name == DEMO_PROGRAMME)
    ):
        return
    trainer = accounts.find_by_login("pelatih")
    learner = accounts.find_by_login("198609262015051001")
    hr = accounts.find_by_login("199003142014032002")
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    today = datetime.now(ZoneInfo(zone)).date()
    programme = mentoring.create_programme(
        DEMO_PROGRAMME,
        "Pendampingan pegawai baru oleh widyaiswara selama masa orientasi.",
        today - timedelta(days=60), None, hr,
    )  # fmt: skip
    db.session.flush()
    mentoring.pair(programme, trainer.login, learner.login, today - timedelta(days=60), None, hr)
    pairing = db.session.scalar(select(Mentorship).where(Mentorship.programme_id == programme.id))
    first = mentoring.log_session(
        pairing, trainer,
        mentoring.SessionInput(
            today - timedelta(days=14), time(10, 0), 90, "Rencana pengembangan kompetensi",
            "Membahas **kesenjangan kompetensi** dan kursus yang perlu diambil tahun ini.",
        ),
        zone=zone,
    )  # fmt: skip
    mentoring.confirm_session(first, learner, jp_minutes=current_app.config["LMS_JP_MINUTES"])
    mentoring.log_session(
        pairing, learner,
        mentoring.SessionInput(
            today - timedelta(days=3), time(14, 0), 60, "Tindak lanjut surveilans kasus",
            "Latihan menyusun laporan mingguan surveilans.",
        ),
        zone=zone,
    )  # fmt: skip
    db.session.flush()


def _give_courses_an_owner(trainer) -> None:
    """The demo trainer owns every course nobody authors yet, so the trainer area has content."""
    authored = select(CourseAuthor.course_id)
    for course_id in db.session.scalars(select(Course.id).where(Course.id.not_in(authored))):
        db.session.add(CourseAuthor(course_id=course_id, user_id=trainer.id, is_owner=True))
    db.session.flush()
