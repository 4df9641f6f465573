"""Employee and unit import by HR: upload, preview that changes nothing, confirm once, re-import."""

from __future__ import annotations

import io
import threading
import time

import pytest
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import EmployeeImport, Unit, User
from lms.extensions import db
from tests.conftest import PASSWORD, flashes, make_user, sign_in

BUDI, ANI, CICI = "198609262015051101", "199203152023212004", "198001012005011003"


def csv_file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.fixture
def units(app):
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        db.session.commit()


@pytest.fixture
def hr(app, client, units):
    make_user(app, "hr", login="petugas.bkpsdm", name="Petugas BKPSDM")
    sign_in(client, "petugas.bkpsdm")
    client.post("/language", data={"locale": "en"})  # the assertions read English messages
    return client


def upload(client, data: bytes, kind: str = "employees", filename: str = "pegawai.csv"):
    return client.post(
        "/employees/import",
        data={"kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def user_by_nip(app, nip: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.nip == nip))
        if user is not None:
            _ = user.unit  # loaded before the session closes
        return user


MIXED = csv_file(
    "NIP;Nama;Email;Unit Kerja;Jabatan;Golongan;Pangkat",
    f"{BUDI};Budi Santoso;budi@kota.go.id;DINKES;Analis Kebijakan;III/a;Penata Muda",
    f"{ANI};Ani Lestari;;Pemerintah Kota;Pranata Komputer;IX;",
    "198613262015051001;Salah Tanggal;;DINKES;;;",
    f"{CICI};;;DINKES;;;",
    "198001012005011004;Dinas Lain;;DINSOS;;;",
)


def test_preview_lists_every_problem_and_saves_nothing(app, hr):
    """Does the preview show each bad row with its number and reason, before anything changes?"""
    before = count_users(app)
    page = hr.get(f"/employees/import/{preview_id(upload(hr, MIXED))}").get_data(as_text=True)
    assert "Nothing has been saved yet." in page
    assert "digits 1-8 are not a real birth date (YYYYMMDD)" in page
    assert "The name is missing." in page
    assert "No unit has this code or name." in page
    for row in ("<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in page
    assert "Confirm and save the valid rows" in page and "<dd>2</dd>" in page
    assert count_users(app) == before
    assert user_by_nip(app, BUDI) is None


def test_confirm_applies_the_valid_rows_as_learners_without_a_password(app, hr):
    """After confirming, do the valid rows exist as learner accounts nobody can sign in to yet?"""
    import_id = preview_id(upload(hr, MIXED))
    response = hr.post(f"/employees/import/{import_id}/confirm")
    assert response.status_code == 302
    page = hr.get(response.location).get_data(as_text=True)
    assert "Import saved: 2 created, 0 updated, 0 unchanged." in page
    assert "This import has been saved." in page and "Confirm and save" not in page
    budi = user_by_nip(app, BUDI)
    assert (budi.name, budi.email, budi.unit.code, budi.jabatan) == (
        "Budi Santoso", "budi@kota.go.id", "DINKES", "Analis Kebijakan",
    )  # fmt: skip
    assert (budi.golongan, budi.pangkat, budi.eselon) == ("III/a", "Penata Muda", None)
    assert budi.roles == {"learner"} and budi.active
    assert user_by_nip(app, ANI).unit.code == "KOTA"
    assert user_by_nip(app, CICI) is None
    other = app.test_client()
    assert other.post("/login", data={"login": BUDI, "password": ""}).status_code == 400
    assert other.post("/login", data={"login": BUDI, "password": "x" * 12}).status_code == 400


def test_reimport_updates_by_nip_and_never_touches_roles_or_password(app, hr):
    """Does a second file update the same employees, leaving roles, password and sessions alone?"""
    make_user(app, "trainer", "learner", login=BUDI, name="Budi Lama", unit="KOTA")
    with app.app_context():
        version = db.session.scalar(select(User.session_version).where(User.nip == BUDI))
    first = preview_id(upload(hr, csv_file("nip,nama,unit_kerja,golongan", f"{BUDI},Budi,KOTA,")))
    page = hr.get(f"/employees/import/{first}").get_data(as_text=True)
    assert "Will be updated" in page
    hr.post(f"/employees/import/{first}/confirm")
    second = upload(
        hr,
        csv_file(
            "nip,nama,email,unit_kerja,golongan",
            f"{BUDI},Budi Santoso,budi@kota.go.id,DINKES,III/b",
            f"{ANI},Ani,,KOTA,",
        ),
    )
    response = hr.post(f"/employees/import/{preview_id(second)}/confirm")
    assert "Import saved: 1 created, 1 updated, 0 unchanged." in flashes(hr.get(response.location))
    budi = user_by_nip(app, BUDI)
    assert (budi.name, budi.unit.code, budi.golongan) == ("Budi Santoso", "DINKES", "III/b")
    assert budi.roles == {"trainer", "learner"} and budi.session_version == version
    sign_in(app.test_client(), BUDI, PASSWORD)
    third = upload(hr, csv_file("nip,nama,unit_kerja", f"{BUDI},Budi Santoso,DINKES"))
    response = hr.post(f"/employees/import/{preview_id(third)}/confirm")
    assert "0 created, 0 updated, 1 unchanged" in flashes(hr.get(response.location))[0]
    assert user_by_nip(app, BUDI).email == "budi@kota.go.id"  # no email column: kept


def test_confirming_twice_is_refused(app, hr):
    """Can a double click or a second tab apply the same file twice?"""
    import_id = preview_id(upload(hr, MIXED))
    assert hr.post(f"/employees/import/{import_id}/confirm").status_code == 302
    again = hr.post(f"/employees/import/{import_id}/confirm")
    assert again.status_code == 409
    assert "This import has already been applied." in again.get_data(as_text=True)
    with app.app_context():
        started = db.session.get(EmployeeImport, import_id)
        assert started.status == "applied" and started.counts["created"] == 2
    assert count_users(app) == 3


def test_two_simultaneous_confirmations_apply_the_file_once(app, hr):
    """If two confirmations race (two tabs, two officers), does exactly one of them apply?"""
    from lms.accounts import imports

    import_id = preview_id(upload(hr, MIXED))
    with app.app_context():
        hr_id = db.session.scalar(select(User.id).where(User.username == "petugas.bkpsdm"))
    first_applied, let_first_commit = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def confirm(name: str) -> None:
        with app.app_context():
            try:
                if name == "second":
                    first_applied.wait(10)
                outcomes[name] = imports.apply_import(import_id, db.session.get(User, hr_id))
                if name == "first":
                    first_applied.set()
                    let_first_commit.wait(10)  # the second one is now waiting for this one
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                outcomes[name] = exc

    threads = [threading.Thread(target=confirm, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    first_applied.wait(10)
    time.sleep(0.3)
    let_first_commit.set()
    for t in threads:
        t.join(30)
    assert outcomes["first"] == imports.ImportCounts(created=2)
    assert isinstance(outcomes["second"], imports.ImportAlreadyApplied)
    assert count_users(app) == 3


def test_applying_is_all_or_nothing(app, hr):
    """If the portal changed since the preview, is no row saved at all?"""
    lines = [f"19860926201505{1}{n:03d},Pegawai {n},KOTA" for n in range(1, 4)]
    lines.append(f"{BUDI},Budi,DINKES")
    import_id = preview_id(upload(hr, csv_file("nip,nama,unit_kerja", *lines)))
    with app.app_context():  # the unit of the last row disappears before HR confirms
        db.session.delete(db.session.scalar(select(Unit).where(Unit.code == "DINKES")))
        db.session.commit()
    response = hr.post(f"/employees/import/{import_id}/confirm")
    assert response.status_code == 409
    assert "nothing was saved" in response.get_data(as_text=True)
    assert count_users(app) == 1
    with app.app_context():
        assert db.session.get(EmployeeImport, import_id).status == "pending"


def test_a_file_without_valid_rows_offers_nothing_to_confirm(app, hr):
    import_id = preview_id(upload(hr, csv_file("nip,nama,unit_kerja", "123,Ani,KOTA")))
    page = hr.get(f"/employees/import/{import_id}").get_data(as_text=True)
    assert "No row can be saved." in page and "Confirm and save" not in page
    assert hr.post(f"/employees/import/{import_id}/confirm").status_code == 409


def test_a_file_that_is_not_a_table_is_refused_and_nothing_is_stored(app, hr):
    response = upload(hr, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filename="foto.csv")
    assert response.status_code == 400
    assert "neither a CSV text file" in response.get_data(as_text=True)
    assert upload(hr, b"nip", filename="pegawai.pdf").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EmployeeImport)) == 0


def test_a_request_over_the_size_limit_is_refused(app, hr):
    """Is a huge upload refused before it is read (the file checks would come too late)?"""
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024  # small, so the test client keeps it in memory
    assert upload(hr, b"x" * 200 * 1024).status_code == 413


def test_names_are_shown_as_text_not_html_or_formulas(app, hr):
    """Is a name with markup escaped in the preview, and a formula kept as typed?"""
    data = csv_file(
        "nip,nama,unit_kerja", f"{BUDI},<script>alert(1)</script>,KOTA", f'{ANI},"=1+2",KOTA'
    )
    import_id = preview_id(upload(hr, data))
    page = hr.get(f"/employees/import/{import_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    hr.post(f"/employees/import/{import_id}/confirm")
    assert user_by_nip(app, ANI).name == "=1+2"


def test_a_new_upload_replaces_the_unconfirmed_preview(app, hr):
    old = preview_id(upload(hr, MIXED))
    new = preview_id(upload(hr, MIXED))
    assert hr.get(f"/employees/import/{old}").status_code == 404
    assert hr.get(f"/employees/import/{new}").status_code == 200
    assert "pegawai.csv" in hr.get("/employees/import").get_data(as_text=True)


def test_unit_tree_then_employees_in_the_new_units(app, hr):
    """Can HR import a unit tree (children listed first), then employees placed in its bidang?"""
    units = csv_file(
        "kode,nama,induk,zona_waktu",
        "P2P,Bidang Pencegahan dan Pengendalian Penyakit,DINKES,",
        "DINKES,Dinas Kesehatan Kota,KOTA,",
        "BAPPEDA,Badan Perencanaan Pembangunan Daerah,KOTA,WITA",
        "LOOP,Unit Salah,LOOP,",
    )
    import_id = preview_id(upload(hr, units, kind="units", filename="unit.csv"))
    page = hr.get(f"/employees/import/{import_id}").get_data(as_text=True)
    assert "The parent chain loops back to this unit: LOOP → LOOP." in page
    response = hr.post(f"/employees/import/{import_id}/confirm")
    assert "Import saved: 2 created, 1 updated, 0 unchanged." in flashes(hr.get(response.location))
    with app.app_context():
        p2p = accounts.find_unit("P2P")
        assert (p2p.parent.code, p2p.parent.name) == ("DINKES", "Dinas Kesehatan Kota")
        assert accounts.find_unit("BAPPEDA").timezone == "Asia/Makassar"
        assert accounts.find_unit("LOOP") is None
    people = csv_file("nip,nama,unit_kerja", f"{BUDI},Budi,P2P", f"{ANI},Ani,bappeda")
    response = hr.post(f"/employees/import/{preview_id(upload(hr, people))}/confirm")
    assert response.status_code == 302
    assert user_by_nip(app, BUDI).unit.code == "P2P"
    assert user_by_nip(app, ANI).unit.code == "BAPPEDA"


def test_templates_download_with_the_expected_columns(app, hr):
    response = hr.get("/employees/import/template/employees.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True)
    assert text == "\ufeffnip,nama,email,unit_kerja,jabatan,golongan,pangkat,eselon\r\n"
    units = hr.get("/employees/import/template/units.csv").get_data(as_text=True)
    assert units.startswith("\ufeffkode,nama,induk,zona_waktu")
    assert hr.get("/employees/import/template/other.csv").status_code == 404


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_cannot_import(app, client, units, role):
    """Can anyone but HR or an administrator read or change employee data here?"""
    _, login = make_user(app, role)
    sign_in(client, login)
    assert client.get("/employees/import").status_code == 403
    assert upload(client, MIXED).status_code == 403
    assert client.get("/employees/import/template/employees.csv").status_code == 403
    assert client.post("/employees/import/1/confirm").status_code == 403
    assert count_users(app) == 1


def test_an_administrator_may_import(app, client, units):
    make_user(app, "admin", login="admin")
    sign_in(client, "admin")
    assert client.get("/employees/import").status_code == 200
    import_id = preview_id(upload(client, MIXED))
    assert client.post(f"/employees/import/{import_id}/confirm").status_code == 302


def test_confirm_needs_the_csrf_token(app, csrf_app, units):
    """Can another site make an HR officer's browser confirm an import?"""
    client = csrf_app.test_client()
    make_user(app, "hr", login="petugas.bkpsdm")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    login = {"login": "petugas.bkpsdm", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    page = client.get("/employees/import").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/employees/import",
        data={"kind": "employees", "file": (io.BytesIO(MIXED), "p.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    import_id = preview_id(response)
    assert client.post(f"/employees/import/{import_id}/confirm").status_code == 400
    assert count_users(app) == 1
