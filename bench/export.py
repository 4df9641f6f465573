"""Completion exports at HR scale: CSV over HTTP against the sqlite3 CLI, memory, XLSX, xAPI, pages.

Seeds a temporary SQLite database (migrations, bundled courses, demo accounts), then bulk-inserts
with the sqlite3 module: about 50 units in a city > dinas > bidang tree, `--employees` learners with
valid unique NIPs, synthetic courses (SYN-001...) copied from an imported version so every learner
can finish 5 courses, `--completions` completions spread over 2026 (ids follow completion time, as
they do when the portal writes them) with their enrolments, and graded quiz attempts (passed and
failed) for the first 10% of the completions (at most 100,000). ANALYZE at the end.

It then, in the same run:

1. times `sqlite3 -csv -header` on the join the CSV export reads (same columns, same text: local
   times, JP and scores as the export writes them, same order) and the CSV export over HTTP
   (gunicorn, `--workers` sync workers, signed in as the HR demo account through the login form,
   POST /reports/export/csv with the CSRF token of the /reports page, response read with
   http.client in 64 KB reads). Both are run twice, interleaved, and the best of two is kept.
   The two files must have the same rows (row count, then every cell compared);
2. samples VmRSS of every gunicorn worker every 100 ms during each export (and reads VmHWM after
   resetting it through /proc/<pid>/clear_refs), and reports the worker that served the export
   (the one whose CPU time grew);
3. times the XLSX and xAPI exports once each (rows checked: the sheet's <row> elements, opened
   with openpyxl in --small mode only; NDJSON lines = completions + graded attempts in the period);
4. times GET /reports and GET /reports/employees?sort=-jp over HTTP (median of 3) against the same
   aggregates called in-process (lms.reports.summaries in an app context on the same database,
   median of 3), and lists the slowest SQL statements of each page, each re-run alone with the
   sqlite3 module, with EXPLAIN QUERY PLAN.

    .venv/bin/python bench/export.py --small           # 2,000 employees, 10,000 completions
    .venv/bin/python bench/export.py                   # 200,000 / 1,000,000: several minutes
    .venv/bin/python bench/export.py --employees 50000 --completions 250000 --workers 2 --keep
    .venv/bin/python bench/export.py --reuse /tmp/lms-export-bench-XXXX  # a --keep run's folder

Prints the seeding time, a table (rows, sqlite3 time, CSV time, time to the first byte and ratio
(target <= 3.0), peak worker RSS (target < 150 MB), XLSX and xAPI time and RSS, each report page
over HTTP against its aggregates alone (target <= 3.0)), a note for any export slower than the
worker timeout of deploy/gunicorn.conf.py (this bench runs gunicorn with --timeout 900 so that it
can measure them), and the query plans. Figures come from one run on a shared
machine: quote the ratios, not lone absolute times. Exits 1 only on a correctness failure (row
counts or cells that differ); targets missed are reported, not failed. --keep leaves the
temporary directory (database, exported files, gunicorn log) in place; --reuse measures such a
directory's database again without seeding (its files are overwritten, the folder is kept).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import math
import os
import random
import re
import runpy
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the portal's own modules (NIP validator, report aggregates)
BIN = Path(sys.executable).parent
SQLITE3 = "/usr/bin/sqlite3"
HR = ("199003142014032002", "arsip-pegawai-2026")
SECRET = "bench-export-secret-key"  # noqa: S105 - signs sessions of a throwaway database
ZONE = "Asia/Jakarta"  # the HR demo account's unit sets no zone: the portal default applies
SINCE, UNTIL = "2026-01-01", "2026-12-31"
# Completions fall between these two instants (naive UTC, as stored).
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
SEED_END = datetime(2026, 11, 23, tzinfo=UTC).replace(tzinfo=None)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
CERT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
READ_SIZE = 64 * 1024
RSS_TARGET_MB = 150
RATIO_TARGET = 3.0

FIRST_NAMES = (
    "Agus", "Budi", "Siti", "Dewi", "Rina", "Andi", "Ahmad", "Nur'aini", "Putu", "Made", "Wayan",
    "Komang", "Yohanes", "Maria", "Fransiska", "Bambang", "Sri", "Endang", "Heru", "Wahyu",
    "Rizky", "Fajar", "Indah", "Ratna", "Lestari", "Teguh", "Slamet", "Hendra", "Yuliani",
    "Citra", "Dimas", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Joko", "Kartika", "Lukman",
    "Mega",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Wulandari", "Lestari", "Saputra", "Hidayat", "Nugroho", "Pratama", "Siregar",
    "Nasution", "Simanjuntak", "Harahap", "Wijaya", "Kusuma", "Purnomo", "Setiawan", "Rahmawati",
    "Handayani", "Susanti", "Gunawan", "Firmansyah", "Hakim", "Syahputra", "Manurung", "Sitompul",
    "Tanjung", "Daulay", "Sembiring", "Ginting", "Tarigan", "Pangaribuan", "Halim", "Kurniawan",
    "Permana", "Ramadhan", "Utami", "Anggraini", "Suryadi", "Sutrisno", "Mulyadi", "Effendi",
)  # fmt: skip
FRONT_TITLES = ("", "", "", "", "", "", "Dr. ", "Ir. ", "dr. ", "Hj. ")
BACK_TITLES = ("", "", "", ", S.Kom.", ", S.E.", ", S.H.", ", S.Sos., M.Si.", ", A.Md.", ", S.T.")
JABATAN = (
    "Analis Kebijakan Ahli Pertama", "Pranata Komputer Ahli Muda", "Analis SDM Aparatur",
    "Pengelola Keuangan", "Penata Laporan Keuangan", "Arsiparis Terampil", "Perencana Ahli Muda",
    "Pengadministrasi Umum", "Auditor Ahli Pertama", "Guru Ahli Pertama", "Perawat Terampil",
    "Bidan Ahli Pertama", "Teknik Jalan dan Jembatan", "Pengawas Lingkungan Hidup",
)  # fmt: skip
DINAS = (
    ("DISDIK", "Dinas Pendidikan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DINSOS", "Dinas Sosial"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("DISDAG", "Dinas Perdagangan"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("DISPORA", "Dinas Pemuda dan Olahraga"),
)
BIDANG = (("SEK", "Sekretariat"), ("PRG", "Bidang Program"), ("YAN", "Bidang Pelayanan"))
SYNTHETIC_JP = (2.0, 2.5, 3.0, 4.0, 1.5, 6.0, 3.5, 2.0, 4.5, 3.0)
SYNTHETIC_CATEGORIES = (
    "kepemimpinan", "keuangan-daerah", "teknologi-informasi", "administrasi-pemerintahan",
    "pengembangan-diri", "pelayanan-publik", "manajemen-proyek", "kesehatan",
)  # fmt: skip

# The CSV export's columns (lms.reports.exports.EXPORT_COLUMNS) from the same join, written the
# way the export writes them: local ISO times to the second, the local day, JP and scores as
# integers when whole. {start}/{end} are the filter's bounds in naive UTC, as stored. Times are cut
# to whole seconds before SQLite converts them: its date functions round to milliseconds, so
# 42.9996 s would print as 43 where Python's isoformat(timespec="seconds") truncates to 42.
# No mentoring sessions are seeded (the demo's are deleted): the export's UNION ALL arm for them
# is read but empty, so this join (completions only) still gives the same rows.
BASELINE_SQL = """
WITH comp AS (
  SELECT course_version_id, group_concat(code, ', ') AS codes
  FROM (SELECT course_version_id, code FROM course_competency ORDER BY course_version_id, code)
  GROUP BY course_version_id
)
SELECT coalesce(u.nip, u.username, 'user-' || u.id) AS "NIP / Nama pengguna",
       u.name AS "Nama",
       un.code AS "Kode unit",
       un.name AS "Unit kerja",
       c.code AS "Kode kursus",
       v.title AS "Judul kursus",
       v.number AS "Versi",
       coalesce(comp.codes, '') AS "Kode kompetensi",
       CASE WHEN cp.jp = CAST(cp.jp AS INTEGER) THEN CAST(cp.jp AS INTEGER) ELSE cp.jp END
         AS "JP",
       strftime('%Y-%m-%dT%H:%M:%S{offset}', substr(cp.enrolled_at, 1, 19), '{shift}')
         AS "Waktu mendaftar",
       strftime('%Y-%m-%dT%H:%M:%S{offset}', substr(cp.completed_at, 1, 19), '{shift}')
         AS "Waktu selesai",
       date(substr(cp.completed_at, 1, 19), '{shift}') AS "Tanggal selesai",
       CASE WHEN cp.score = CAST(cp.score AS INTEGER) THEN CAST(cp.score AS INTEGER)
            ELSE cp.score END AS "Nilai",
       cp.certificate_no AS "Nomor sertifikat",
       CASE v.jenis_diklat WHEN 16 THEN 'E-Learning' WHEN 15 THEN 'Mentoring'
            WHEN 3 THEN 'Diklat Teknis' WHEN 8 THEN 'Bimbingan Teknis' WHEN 11 THEN 'Kursus'
            ELSE CAST(v.jenis_diklat AS TEXT) END AS "Jenis"
FROM completion cp
JOIN user_account u ON u.id = cp.user_id
LEFT JOIN unit un ON un.id = u.unit_id
JOIN course c ON c.id = cp.course_id
JOIN course_version v ON v.id = cp.course_version_id
LEFT JOIN comp ON comp.course_version_id = cp.course_version_id
WHERE cp.completed_at >= '{start}' AND cp.completed_at < '{end}'
ORDER BY cp.completed_at, cp.id;
"""


# --- helpers -------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def stamp(moment: datetime) -> str:
    """Naive UTC as the portal stores it on SQLite (SQLAlchemy's DateTime text format)."""
    return moment.isoformat(sep=" ", timespec="microseconds")


def bounds_utc() -> tuple[str, str]:
    """The export filter's bounds (local days SINCE..UNTIL inclusive) as stored text in UTC."""
    tz = ZoneInfo(ZONE)
    start = datetime.fromisoformat(SINCE).replace(tzinfo=tz).astimezone(UTC)
    end = (datetime.fromisoformat(UNTIL) + timedelta(days=1)).replace(tzinfo=tz).astimezone(UTC)
    return stamp(start.replace(tzinfo=None)), stamp(end.replace(tzinfo=None))


def baseline_sql() -> str:
    offset = ZoneInfo(ZONE).utcoffset(YEAR_START)  # Asia/Jakarta: +07:00 all year, no DST
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    start, end = bounds_utc()
    return BASELINE_SQL.format(
        offset=text, shift=f"{minutes:+d} minutes", start=start, end=end
    ).strip()


def certificate_no(index: int) -> str:
    # Multiplying by an odd number is a bijection modulo 2**60 = 32**12: unique, random-looking.
    value = ((index + 1) * 0x9E3779B97F4A7C15) % (1 << 60)
    chars = []
    for _ in range(12):
        value, digit = divmod(value, 32)
        chars.append(CERT_ALPHABET[digit])
    body = "".join(chars)
    return f"2026-{body[:4]}-{body[4:8]}-{body[8:]}"


def count_newlines(path: Path) -> int:
    total = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            total += chunk.count(b"\n")
    return total


def mb(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MB"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- seeding -------------------------------------------------------------------------------------


@dataclass
class Seeded:
    employees: int
    completions: int
    attempts: int
    courses: int
    units: int
    seconds: float


def run_flask(args: list[str], env: dict) -> None:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode:
        print(done.stdout + done.stderr, file=sys.stderr)
        raise RuntimeError(f"flask {' '.join(args)} failed with {done.returncode}")


def make_nips(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """Valid PNS NIPs: YYYYMMDD birth, YYYYMM start 20-32 years later, sex, sequence 001-999."""
    from lms.accounts.nip import parse_nip

    nips: list[str] = []
    first_day = date(1965, 1, 1)
    for _ in range(count * 3):  # collisions are rare; the bound only guards the loop
        if len(nips) == count:
            break
        birth = first_day + timedelta(days=rng.randrange(0, 35 * 365))
        start_year = min(2025, birth.year + rng.randint(20, 32))
        nip = (
            f"{birth:%Y%m%d}{start_year:04d}{rng.randint(1, 12):02d}"
            f"{rng.choice((1, 2))}{rng.randint(1, 999):03d}"
        )
        if nip not in taken:
            taken.add(nip)
            nips.append(nip)
    if len(nips) != count:
        raise RuntimeError("could not draw enough unique NIPs")
    for nip in nips:  # the portal's own validator: a bad seed would make the bench meaningless
        parse_nip(nip)
    return nips


def copy_row(con: sqlite3.Connection, table: str, row: sqlite3.Row, **changes) -> int:
    values = {k: row[k] for k in row.keys() if k != "id"} | changes  # noqa: SIM118 - a Row
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - our own table names
    cur = con.execute(sql, tuple(values.values()))
    return cur.lastrowid


def add_synthetic_courses(con: sqlite3.Connection, count: int, now: str) -> None:
    """SYN-001...: copies of the imported versions (course, version, modules, competencies)."""
    con.row_factory = sqlite3.Row
    sources = con.execute(
        "SELECT v.* FROM course_version v JOIN course c ON c.current_version_id = v.id"
        " ORDER BY c.id"
    ).fetchall()
    for k in range(count):
        src = sources[k % len(sources)]
        code = f"SYN-{k + 1:03d}"
        course_id = con.execute(
            "INSERT INTO course (code, created_at, archived) VALUES (?, ?, 0)", (code, now)
        ).lastrowid
        version_id = copy_row(
            con, "course_version", src,
            course_id=course_id, number=1, title=f"{src['title']} (Seri {k + 1})",
            category=SYNTHETIC_CATEGORIES[k % len(SYNTHETIC_CATEGORIES)],
            jp=SYNTHETIC_JP[k % len(SYNTHETIC_JP)], created_at=now,
        )  # fmt: skip
        con.execute(
            "UPDATE course SET current_version_id = ? WHERE id = ?", (version_id, course_id)
        )
        modules = con.execute(
            "SELECT mv.*, cm.key AS module_key FROM module_version mv "
            "JOIN course_module cm ON cm.id = mv.module_id WHERE mv.course_version_id = ?",
            (src["id"],),
        ).fetchall()
        for mv in modules:
            module_id = con.execute(
                "INSERT INTO course_module (course_id, key) VALUES (?, ?)",
                (course_id, mv["module_key"]),
            ).lastrowid
            con.execute(
                "INSERT INTO module_version (course_version_id, module_id, position, title,"
                " minutes, html, toc_html) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (version_id, module_id, mv["position"], mv["title"], mv["minutes"], mv["html"],
                 mv["toc_html"]),
            )  # fmt: skip
        con.execute(
            "INSERT INTO course_competency (course_version_id, code, level) "
            "SELECT ?, code, level FROM course_competency WHERE course_version_id = ?",
            (version_id, src["id"]),
        )
    con.row_factory = None


def seed(db_path: Path, env: dict, employees: int, completions: int) -> Seeded:
    from werkzeug.security import generate_password_hash

    started = time.perf_counter()
    run_flask(["db", "upgrade"], env)
    run_flask(["lms", "import-courses", "courses"], env)
    run_flask(["lms", "seed-demo"], env)
    log("schema, courses and demo accounts ready; bulk insert starts")

    rng = random.Random(20261123)
    now = stamp(datetime.now(UTC).replace(tzinfo=None))
    per_user = math.ceil(completions / employees)
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")  # 400 MB: the unique indexes get random inserts
    con.execute("PRAGMA temp_store=MEMORY")
    con.execute("BEGIN")
    # The demo's mentoring pairing goes: the reference join below reads completions only, so
    # the export's UNION ALL arm for confirmed mentoring sessions is read but empty.
    for table in ("mentoring_session", "course_suggestion", "mentorship", "mentoring_programme"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    # Units: the demo city KOTA > 12 dinas/badan > 3 bidang each.
    city = con.execute("SELECT id FROM unit WHERE code = 'KOTA'").fetchone()[0]
    dinas_ids, bidang_ids = [], []
    for code, name in DINAS:
        dinas = con.execute(
            "INSERT INTO unit (code, name, parent_id) VALUES (?, ?, ?)", (code, name, city)
        ).lastrowid
        dinas_ids.append(dinas)
        for suffix, bidang in BIDANG:
            bidang_ids.append(
                con.execute(
                    "INSERT INTO unit (code, name, parent_id) VALUES (?, ?, ?)",
                    (f"{code}-{suffix}", f"{bidang} {name}", dinas),
                ).lastrowid
            )
    add_synthetic_courses(con, max(7, per_user), now)
    con.execute("COMMIT")

    # Learners.
    password_hash = generate_password_hash("peserta-bench-2026")
    taken = {r[0] for r in con.execute("SELECT nip FROM user_account WHERE nip IS NOT NULL")}
    nips = make_nips(employees, rng, taken)
    first_user = con.execute("SELECT coalesce(max(id), 0) + 1 FROM user_account").fetchone()[0]
    batch = []
    for i, nip in enumerate(nips):
        roll = rng.random()
        unit = (
            None
            if roll < 0.005
            else rng.choice(dinas_ids)
            if roll < 0.2
            else rng.choice(bidang_ids)
        )
        name = (
            f"{rng.choice(FRONT_TITLES)}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            f"{rng.choice(BACK_TITLES)}"
        )
        batch.append((first_user + i, nip, name, unit, rng.choice(JABATAN), password_hash, now))
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO user_account (id, nip, username, name, email, unit_id, jabatan, password_hash,"
        " role_names, active, session_version, locale, created_at)"
        " VALUES (?, ?, NULL, ?, NULL, ?, ?, ?, 'learner', 1, 1, NULL, ?)",
        batch,
    )
    con.execute("COMMIT")
    del batch, nips, taken
    log(f"{employees:,} learners inserted")

    # Completions: every learner finishes per_user distinct courses; ids follow completed_at.
    versions = {
        course_id: (version_id, jp, pass_mark)
        for course_id, version_id, jp, pass_mark in con.execute(
            "SELECT c.id, v.id, v.jp, v.pass_mark FROM course c "
            "JOIN course_version v ON v.id = c.current_version_id"
        )
    }
    course_ids = sorted(versions)
    pairs = []
    for u in range(employees):
        for course_id in rng.sample(course_ids, per_user):
            pairs.append((first_user + u) * 1024 + course_id)
            if len(pairs) == completions:
                break
        if len(pairs) == completions:
            break
    rng.shuffle(pairs)
    span = (SEED_END - YEAR_START).total_seconds()
    moments = sorted(rng.random() * span for _ in range(completions))
    with_attempts = min(100_000, completions // 10)

    completion_sql = (
        "INSERT INTO completion (user_id, course_id, course_version_id, score, jp, enrolled_at,"
        " completed_at, certificate_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    enrolment_sql = "INSERT INTO enrolment (user_id, course_id, enrolled_at) VALUES (?, ?, ?)"
    attempt_sql = (
        "INSERT INTO quiz_attempt (user_id, course_id, course_version_id, number, started_at,"
        " submitted_at, layout, responses, results, score, passed)"
        " VALUES (?, ?, ?, ?, ?, ?, '[]', '{}', '{}', ?, ?)"
    )
    attempts = 0
    step = 100_000
    for lo in range(0, completions, step):
        rows_c, rows_e, rows_a = [], [], []
        for i in range(lo, min(lo + step, completions)):
            user_id, course_id = divmod(pairs[i], 1024)
            version_id, jp, pass_mark = versions[course_id]
            done = YEAR_START + timedelta(seconds=moments[i])
            enrolled = done - timedelta(seconds=rng.uniform(3600, 14 * 86400))
            # Scores from the pass mark up: a completion needs a passed quiz.
            score = round(rng.uniform(pass_mark, 100), 1)
            rows_c.append(
                (user_id, course_id, version_id, score, jp, stamp(enrolled), stamp(done),
                 certificate_no(i))
            )  # fmt: skip
            rows_e.append((user_id, course_id, stamp(enrolled)))
            if i < with_attempts:
                start = done - timedelta(minutes=rng.uniform(20, 60))
                submit = done - timedelta(minutes=rng.uniform(0.5, 5))
                number = 1
                if i % 5 == 0:  # a failed first try, a day or so before
                    failed_start = start - timedelta(hours=rng.uniform(2, 30))
                    rows_a.append(
                        (user_id, course_id, version_id, 1, stamp(failed_start),
                         stamp(failed_start + timedelta(minutes=25)),
                         round(rng.uniform(30, pass_mark - 0.1), 1), 0)
                    )  # fmt: skip
                    number = 2
                rows_a.append(
                    (user_id, course_id, version_id, number, stamp(start), stamp(submit), score, 1)
                )
        con.execute("BEGIN")
        con.executemany(completion_sql, rows_c)
        con.executemany(enrolment_sql, rows_e)
        if rows_a:
            con.executemany(attempt_sql, rows_a)
        con.execute("COMMIT")
        attempts += len(rows_a)
        if completions > step:
            log(f"  {min(lo + step, completions):,} completions")
    del pairs, moments

    con.execute("ANALYZE")
    problems = con.execute("PRAGMA foreign_key_check").fetchmany(5)
    if problems:
        raise RuntimeError(f"seeded rows break foreign keys: {problems}")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    units = con.execute("SELECT count(*) FROM unit").fetchone()[0]
    courses = len(course_ids)
    con.close()
    return Seeded(employees, completions, attempts, courses, units, time.perf_counter() - started)


def reuse(db_path: Path) -> Seeded:
    """The counts of a database an earlier run seeded and kept, for --reuse (no seeding time)."""
    con = sqlite3.connect(db_path)
    try:
        counts = [
            con.execute(sql).fetchone()[0]
            for sql in (
                "SELECT count(DISTINCT user_id) FROM completion",
                "SELECT count(*) FROM completion",
                "SELECT count(*) FROM quiz_attempt WHERE submitted_at IS NOT NULL",
                "SELECT count(*) FROM course",
                "SELECT count(*) FROM unit",
            )
        ]
    finally:
        con.close()
    return Seeded(*counts, seconds=0.0)


# --- gunicorn, HTTP, memory ----------------------------------------------------------------------


def start_gunicorn(port: int, env: dict, workers: int, timeout: int, log_path: Path):
    logfile = log_path.open("ab")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", str(timeout), "--log-level", "warning", "app:app"],
        cwd=ROOT, env=env, stdout=logfile, stderr=logfile,
        start_new_session=True,  # its own process group: stop() reaches only what we started
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(worker_pids(proc.pid)) == workers:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"gunicorn on port {port} did not start; see {log_path}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group gunicorn was started in, nothing else
        proc.wait(10)


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
        return [int(p) for p in text.split()]
    except OSError:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
        return pids


def status_kib(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return 0


class RssSampler:
    """Peak VmRSS of every worker of a gunicorn master, polled every 100 ms in a thread."""

    def __init__(self, master: int, limit_seconds: float):
        self.master = master
        self.limit = limit_seconds
        self.peaks: dict[int, int] = {}
        self.cpu_before: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        for pid in worker_pids(self.master):
            self.cpu_before[pid] = cpu_ticks(pid)
            with contextlib.suppress(OSError):  # "5" resets VmHWM (peak RSS) to the current RSS
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sample()

    def _sample(self) -> None:
        for pid in worker_pids(self.master):
            rss = status_kib(pid, "VmRSS")
            if rss is not None:
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss)

    def _run(self) -> None:
        deadline = time.monotonic() + self.limit
        while not self._stop.wait(0.1) and time.monotonic() < deadline:
            self._sample()

    def served_by(self) -> tuple[int | None, int | None, int | None]:
        """(pid, peak sampled RSS, VmHWM) of the worker whose CPU time grew most."""
        grown = {pid: cpu_ticks(pid) - self.cpu_before.get(pid, 0) for pid in self.peaks}
        if not grown:
            return None, None, None
        pid = max(grown, key=grown.get)
        return pid, self.peaks.get(pid), status_kib(pid, "VmHWM")


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value

    def _headers(self, extra: dict | None = None) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def get(self, path: str, timeout: float) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=self._headers())
            response = conn.getresponse()
            body = response.read()
            self._remember(response)
            return response.status, body
        finally:
            conn.close()

    def post_form(self, path: str, fields: dict, timeout: float):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        body = urllib.parse.urlencode(fields)
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        conn.request("POST", path, body, headers)
        return conn, conn.getresponse()

    def sign_in(self, login: str, password: str) -> None:
        _status, page = self.get("/login", 30)
        token = CSRF_RE.search(page.decode()).group(1)
        conn, response = self.post_form(
            "/login", {"csrf_token": token, "login": login, "password": password}, 30
        )
        response.read()
        self._remember(response)
        conn.close()
        if response.status != 302:
            raise RuntimeError(f"sign-in failed: HTTP {response.status}")


@dataclass
class Export:
    fmt: str
    seconds: float
    first_byte: float  # seconds until the first body bytes arrived
    size: int
    pid: int | None
    peak_kib: int | None
    hwm_kib: int | None
    path: Path


def export_over_http(
    client: Client, master: int, fmt: str, csrf: str, dest: Path, limit: float
) -> Export:
    fields = {"csrf_token": csrf, "since": SINCE, "until": UNTIL}
    with RssSampler(master, limit) as sampler:
        started = time.perf_counter()
        conn, response = client.post_form(f"/reports/export/{fmt}", fields, timeout=limit)
        if response.status != 200:
            raise RuntimeError(f"{fmt} export: HTTP {response.status}: {response.read()[:300]!r}")
        size, first_byte = 0, None
        deadline = time.monotonic() + limit
        with dest.open("wb") as out:
            while chunk := response.read(READ_SIZE):
                if first_byte is None:  # gunicorn sends the headers with the first body chunk
                    first_byte = time.perf_counter() - started
                out.write(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{fmt} export still streaming after {limit:.0f} s")
        elapsed = time.perf_counter() - started
        conn.close()
    pid, peak, hwm = sampler.served_by()
    return Export(fmt, elapsed, first_byte or elapsed, size, pid, peak, hwm, dest)


def time_baseline(db_path: Path, dest: Path, limit: float) -> float:
    started = time.perf_counter()
    with dest.open("wb") as out:
        subprocess.run(
            [SQLITE3, "-csv", "-header", str(db_path), baseline_sql()],
            stdout=out, check=True, timeout=limit,
        )  # fmt: skip
    return time.perf_counter() - started


# --- checks --------------------------------------------------------------------------------------


def compare_csv(app_file: Path, baseline_file: Path) -> tuple[int, int, str]:
    """(rows compared, rows that differ, first difference) after parsing both files as CSV."""
    differing, first, rows = 0, "", 0
    with (
        app_file.open(encoding="utf-8-sig", newline="") as a,
        baseline_file.open(encoding="utf-8", newline="") as b,
    ):
        for n, (ra, rb) in enumerate(zip(csv.reader(a), csv.reader(b), strict=False)):
            rows = n + 1
            if ra != rb:
                differing += 1
                first = first or f"row {n}: export {ra} vs sqlite3 {rb}"
    return rows, differing, first


def xlsx_rows(path: Path) -> tuple[int, list[str]]:
    """<row> elements in the sheet, read as a stream from the zip; also the zip's part names."""
    pattern = re.compile(rb"<row[ >]")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        sheet = next(n for n in names if n.startswith("xl/worksheets/sheet"))
        count, tail = 0, b""
        with z.open(sheet) as fh:
            while chunk := fh.read(1 << 20):
                data = tail + chunk
                count += len(pattern.findall(data))
                # Keep the last 4 bytes (shorter than a match) so no tag is split or counted twice.
                tail = data[-4:]
        return count, names


def expected_attempts(db_path: Path) -> int:
    start, end = bounds_utc()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as con:
        return con.execute(
            "SELECT count(*) FROM quiz_attempt WHERE submitted_at IS NOT NULL"
            " AND submitted_at >= ? AND submitted_at < ?",
            (start, end),
        ).fetchone()[0]


# --- report pages ---------------------------------------------------------------------------------


@dataclass
class PageTiming:
    name: str
    path: str
    http: list[float] = field(default_factory=list)
    alone: list[float] = field(default_factory=list)
    peak_kib: int | None = None
    statements: list[tuple[str, tuple]] = field(default_factory=list)


class InProcess:
    """The report aggregates called directly, in an app context on the benchmark database."""

    def __init__(self, env: dict):
        for key in ("LMS_DATABASE_URL", "LMS_SECRET_KEY", "LMS_REQUEST_LOG"):
            os.environ[key] = env[key]
        from sqlalchemy import event

        from lms import create_app
        from lms.extensions import db
        from lms.reports import summaries
        from lms.reports.queries import CompletionFilter

        self.app = create_app()
        self.db = db
        self.summaries = summaries
        self.filter = CompletionFilter.this_year(ZONE)
        self.target = self.app.config["LMS_JP_TARGET"]
        self.capture: list[tuple[str, tuple]] | None = None
        with self.app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, executemany):
            if self.capture is not None and not executemany:
                self.capture.append((statement, tuple(parameters or ())))

    def index(self) -> None:  # what GET /reports computes (lms.reports.views.index)
        s, f = self.summaries, self.filter
        s.by_unit(f, self.target)
        s.summary(f)
        s.by_course(f)
        s.jp_distribution(f, self.target)

    def employees(self) -> None:  # what GET /reports/employees?sort=-jp computes
        self.summaries.employees(self.filter, sort="-jp", page=1, per_page=50)

    def timed(self, page: PageTiming, capture: bool) -> float:
        call = self.index if page.name == "index" else self.employees
        with self.app.app_context():
            self.capture = [] if capture else None
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
            if capture:
                page.statements = self.capture
            self.capture = None
            self.db.session.remove()
        return elapsed


def time_page(client: Client, master: int, page: PageTiming, limit: float) -> float:
    with RssSampler(master, limit) as sampler:
        started = time.perf_counter()
        status, _body = client.get(page.path, timeout=limit)
        elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"GET {page.path}: HTTP {status}")
    _pid, peak, _hwm = sampler.served_by()
    if peak is not None:
        page.peak_kib = max(page.peak_kib or 0, peak)
    return elapsed


def explain_statements(db_path: Path, page: PageTiming) -> list[tuple[float, str, tuple, list]]:
    """Each captured statement re-run alone (all rows fetched), slowest first, with its plan."""
    out = []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as con:
        for statement, params in page.statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            started = time.perf_counter()
            con.execute(statement, params).fetchall()
            elapsed = time.perf_counter() - started
            plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + statement, params)]
            out.append((elapsed, statement, params, plan))
    return sorted(out, key=lambda item: -item[0])


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=200_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--small", action="store_true", help="2,000 employees, 10,000 completions")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--reuse", type=Path, metavar="DIR",
        help="measure the database a --keep run left in DIR again, without seeding",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=int, default=900,
        help="gunicorn worker timeout for this bench (s); exports longer than the deploy "
        "config's timeout are flagged",
    )  # fmt: skip
    args = parser.parse_args()
    if args.small:
        args.employees, args.completions = 2_000, 10_000
    if args.completions > args.employees * 1000:
        parser.error("at most 1,000 completions per employee")
    limit = float(args.timeout)
    try:
        deploy_timeout = int(runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))["timeout"])
    except Exception:  # only used to flag long exports
        deploy_timeout = None

    work = args.reuse or Path(tempfile.mkdtemp(prefix="lms-export-bench-"))
    db_path = work / "bench.sqlite3"
    if args.reuse and not db_path.is_file():
        parser.error(f"--reuse: no bench.sqlite3 in {work}")
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{db_path}",
        "LMS_SECRET_KEY": SECRET,
        "LMS_REQUEST_LOG": "0",
        "PYTHONPATH": str(ROOT),
    }
    failures: list[str] = []
    proc = None
    try:
        if args.reuse:
            seeded = reuse(db_path)
            args.employees, args.completions = seeded.employees, seeded.completions
            (work / "gunicorn.log").unlink(missing_ok=True)  # its WORKER TIMEOUTs are old news
            log(f"reusing {db_path}: {seeded.completions:,} completions")
        else:
            log(f"seeding {args.employees:,} employees, {args.completions:,} completions in {work}")
            seeded = seed(db_path, env, args.employees, args.completions)
        size_mb = db_path.stat().st_size / 1e6
        log(
            f"{'reused' if args.reuse else 'seeded'} in {seeded.seconds:.1f} s: "
            f"{seeded.units} units, {seeded.courses} courses, "
            f"{seeded.attempts:,} quiz attempts, database {size_mb:,.0f} MB"
        )
        n = args.completions

        port = free_port()
        proc = start_gunicorn(port, env, args.workers, args.timeout, work / "gunicorn.log")
        client = Client(port)
        client.sign_in(*HR)
        status, page = client.get("/reports", timeout=limit)  # also warms the page cache
        if status != 200:
            raise RuntimeError(f"GET /reports: HTTP {status}")
        csrf = CSRF_RE.search(page.decode()).group(1)
        log("signed in as HR; CSRF token from /reports")

        # 1. CSV against sqlite3 -csv: interleaved, twice each, best of two.
        baseline_times, csv_runs = [], []
        for attempt in (1, 2):
            baseline_times.append(time_baseline(db_path, work / f"baseline-{attempt}.csv", limit))
            log(f"sqlite3 -csv run {attempt}: {baseline_times[-1]:.2f} s")
            csv_runs.append(
                export_over_http(
                    client, proc.pid, "csv", csrf, work / f"export-{attempt}.csv", limit
                )
            )
            log(f"CSV over HTTP run {attempt}: {csv_runs[-1].seconds:.2f} s, "
                f"worker {csv_runs[-1].pid} peak {mb(csv_runs[-1].peak_kib)}")  # fmt: skip
        baseline_lines = count_newlines(work / "baseline-1.csv")
        csv_lines = [count_newlines(run.path) for run in csv_runs]
        if baseline_lines != n + 1:
            failures.append(f"sqlite3 baseline has {baseline_lines - 1:,} rows, expected {n:,}")
        for run, lines in zip(csv_runs, csv_lines, strict=True):
            if lines != baseline_lines:
                failures.append(
                    f"CSV export {run.path.name}: {lines - 1:,} rows vs {baseline_lines - 1:,} "
                    "from sqlite3"
                )
        compared, differing, first = compare_csv(csv_runs[0].path, work / "baseline-1.csv")
        if differing:
            failures.append(f"CSV cells differ from sqlite3 in {differing:,} rows; {first}")
        log(f"CSV checked: {csv_lines[0] - 1:,} rows, {compared - 1:,} compared cell by cell, "
            f"{differing} differ")  # fmt: skip

        # 2. XLSX and xAPI, one run each (after the CSV runs: the cache is warm).
        xlsx = export_over_http(client, proc.pid, "xlsx", csrf, work / "export.xlsx", limit)
        log(f"XLSX: {xlsx.seconds:.2f} s, {xlsx.size / 1e6:.1f} MB, peak {mb(xlsx.peak_kib)}")
        sheet_rows, parts = xlsx_rows(xlsx.path)
        if "xl/workbook.xml" not in parts or "[Content_Types].xml" not in parts:
            failures.append(f"XLSX zip lacks workbook parts: {parts}")
        if sheet_rows != n + 1:
            failures.append(f"XLSX sheet has {sheet_rows:,} rows, expected {n + 1:,}")
        xlsx_check = f"{sheet_rows - 1:,} rows (<row> in the zip)"
        if args.small:
            from openpyxl import load_workbook

            workbook = load_workbook(xlsx.path, read_only=True)
            opened = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
            workbook.close()
            if opened != n + 1:
                failures.append(f"openpyxl reads {opened:,} rows, expected {n + 1:,}")
            xlsx_check += f", openpyxl {opened - 1:,}"

        xapi = export_over_http(client, proc.pid, "xapi", csrf, work / "export.ndjson", limit)
        log(f"xAPI: {xapi.seconds:.2f} s, {xapi.size / 1e6:.1f} MB, peak {mb(xapi.peak_kib)}")
        attempts = expected_attempts(db_path)
        statements = count_newlines(xapi.path)
        if statements != n + attempts:
            failures.append(f"xAPI has {statements:,} statements, expected {n + attempts:,}")
        with xapi.path.open(encoding="utf-8") as fh:
            json.loads(fh.readline())  # well-formed, at least the first

        # 3. Report pages over HTTP against their aggregates alone, interleaved, median of 3.
        inproc = InProcess(env)
        pages = [
            PageTiming("index", "/reports"),
            PageTiming("employees", "/reports/employees?sort=-jp"),
        ]
        for rep in range(3):
            for page in pages:
                page.http.append(time_page(client, proc.pid, page, limit))
                page.alone.append(inproc.timed(page, capture=rep == 0))
        log("report pages timed")
    except Exception:
        print(f"failed; the temporary directory is left in place: {work}", file=sys.stderr)
        if proc is not None and (work / "gunicorn.log").exists():
            tail = (work / "gunicorn.log").read_text(errors="replace")[-3000:]
            print("--- gunicorn log (tail) ---\n" + tail, file=sys.stderr)
        raise
    finally:
        if proc is not None:
            stop(proc)

    timed_out = "WORKER TIMEOUT" in (work / "gunicorn.log").read_text(errors="replace")
    plans = {page.name: explain_statements(db_path, page) for page in pages}

    # --- the table --------------------------------------------------------------------------------
    base = min(baseline_times)
    best = min(csv_runs, key=lambda r: r.seconds)
    csv_peak = max((r.peak_kib or 0) for r in csv_runs)
    csv_hwm = max((r.hwm_kib or 0) for r in csv_runs) or None
    ratio = best.seconds / base
    print()
    print(
        f"Exports and report pages: {seeded.employees:,} employees, {n:,} completions, "
        f"{attempts:,} graded attempts in {SINCE[:4]}, SQLite ({size_mb:,.0f} MB), "
        f"gunicorn {args.workers} sync workers"
    )
    if args.reuse:
        print(f"seeding: none, the database of {work} was reused")
    else:
        print(f"seeding: {seeded.seconds:.1f} s (migrations, import, demo, bulk insert, ANALYZE)")
    print("times: wall clock; sqlite3 and CSV best of 2 (interleaved), XLSX and xAPI one run")
    print()
    verdict = "ok" if ratio <= RATIO_TARGET else "MISSED"
    rss_ok = "ok" if csv_peak < RSS_TARGET_MB * 1024 else "MISSED"
    rows = [
        ("", "time", "1st byte", "x sqlite3", "peak RSS", "VmHWM", "rows / check"),
        ("sqlite3 -csv (same join, columns)", f"{base:.2f} s", "", "1.00", "", "",
         f"{baseline_lines - 1:,}"),
        ("CSV over HTTP", f"{best.seconds:.2f} s", f"{best.first_byte:.2f} s", f"{ratio:.2f}",
         mb(csv_peak), mb(csv_hwm),
         f"{csv_lines[0] - 1:,}, cells = sqlite3's; ratio {verdict} (<= 3.0), "
         f"RSS {rss_ok} (< 150 MB)"),
        ("XLSX over HTTP", f"{xlsx.seconds:.2f} s", f"{xlsx.first_byte:.2f} s",
         f"{xlsx.seconds / base:.2f}", mb(xlsx.peak_kib), mb(xlsx.hwm_kib),
         f"{xlsx_check}; {xlsx.size / 1e6:.1f} MB"),
        ("xAPI NDJSON over HTTP", f"{xapi.seconds:.2f} s", f"{xapi.first_byte:.2f} s",
         f"{xapi.seconds / base:.2f}", mb(xapi.peak_kib), mb(xapi.hwm_kib),
         f"{statements:,} statements ({n:,} completed + {attempts:,} passed/failed); "
         f"{xapi.size / 1e6:.1f} MB"),
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r[1:6], 1)]
        print("  ".join(cells) + "  " + r[6])
    print()
    rows = [("report page (median of 3)", "HTTP", "alone", "HTTP/alone", "peak RSS", "")]
    for page in pages:
        http_s, alone_s = statistics.median(page.http), statistics.median(page.alone)
        page_ratio = http_s / alone_s
        rows.append(
            ("GET " + page.path, f"{http_s:.2f} s", f"{alone_s:.2f} s", f"{page_ratio:.2f}",
             mb(page.peak_kib), "ok (<= 3.0)" if page_ratio <= RATIO_TARGET else "MISSED (<= 3.0)")
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r[1:5], 1)]
        print("  ".join(cells) + "  " + r[5])
    print("alone = the page's lms.reports.summaries calls in-process on the same database")
    if deploy_timeout is not None:
        slow = sorted({e.fmt for e in (*csv_runs, xlsx, xapi) if e.seconds > deploy_timeout})
        if slow:
            print(
                f"\nNOTE: {', '.join(slow)} took longer than the worker timeout of "
                f"deploy/gunicorn.conf.py ({deploy_timeout} s; this run used --timeout "
                f"{args.timeout}): a sync worker is killed mid-stream at that timeout."
            )
    if timed_out:
        print("NOTE: gunicorn logged WORKER TIMEOUT during the run")

    print("\nSlowest statements of each page, re-run alone with the sqlite3 module:")
    for page in pages:
        alone_s = statistics.median(page.alone)
        total = sum(item[0] for item in plans[page.name])
        print(f"\n  {page.path}: {len(plans[page.name])} statements, {total:.2f} s of SQL "
              f"(page aggregates in-process {alone_s:.2f} s)")  # fmt: skip
        for elapsed, statement, params, plan in plans[page.name][:3]:
            flat = " ".join(statement.split())
            print(f"  - {elapsed:6.2f} s  {flat[:600]}{' ...' if len(flat) > 600 else ''}")
            print(f"             params {params}")
            for step in plan:
                print(f"             | {step}")

    print()
    if failures:
        print("CORRECTNESS FAILURES:")
        for failure in failures:
            print("  - " + failure)
    else:
        print("correctness: row counts match (CSV = sqlite3 = XLSX rows; xAPI = completions + "
              "attempts), CSV cells equal to sqlite3's")  # fmt: skip
    if args.keep or args.reuse:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
