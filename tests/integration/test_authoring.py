"""Trainer authoring through the browser's routes: drafts, preview, publish, versions, files.

Each test drives the Flask test client as a trainer would and checks what a trainer or a
learner would notice: pages, messages, what the catalog shows, what a download contains.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from lms.authoring.models import CourseAuthor, CourseDraft
from lms.catalog.models import Course, CourseVersion
from lms.extensions import db
from tests.conftest import flashes, make_user
from tests.conftest import sign_in as sign_in_id


def sign_in(client, login: str):
    """Sign in and switch to English: the assertions read the English messages."""
    sign_in_id(client, login)
    client.post("/language", data={"locale": "en"})
    client.get("/my")  # shows (and so clears) the welcome message


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

QUIZ = """\
---
title: Kuis Akhir
---

## Apa kepanjangan ASN?

- [x] Aparatur Sipil Negara
- [ ] Aparat Sipil Nasional

## Satu JP sama dengan 45 menit.

type: true-false
answer: benar
"""

COURSE_FORM = {
    "code": "LAT-201",
    "title": "Pelayanan Prima",
    "summary": "Melayani warga dengan cepat dan ramah.",
    "category": "pelayanan-publik",
    "jp": "2,5",
    "competencies": "M3:2, T-PENGADUAN:1",
    "pass_mark": "70",
    "max_attempts": "3",
    "introduction": "# Tentang kursus\n\nKursus untuk petugas loket.",
}


@pytest.fixture
def trainer(app, client):
    user_id, login = make_user(app, "trainer", name="Tari Pelatih")
    sign_in(client, login)
    return user_id


def revision(app, code: str) -> int:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        return db.session.get(CourseDraft, course.id).revision


def draft_files(app, code: str) -> dict:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        return dict(db.session.get(CourseDraft, course.id).files)


def create_course(client, **changes) -> None:
    response = client.post("/author/new", data={**COURSE_FORM, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def add_module(client, app, title: str, body: str, code: str = "LAT-201") -> str:
    response = client.post(
        f"/author/courses/{code}/modules",
        data={"title": title, "minutes": "15", "revision": revision(app, code)},
    )
    assert response.status_code == 302
    key = response.location.rsplit("/", 1)[1]
    save_module(client, app, key, title, body, code)
    return key


def save_module(client, app, key, title, body, code="LAT-201", rev=None):
    return client.post(
        f"/author/courses/{code}/modules/{key}",
        data={
            "title": title,
            "minutes": "15",
            "body": body,
            "revision": rev if rev is not None else revision(app, code),
        },
    )


def save_quiz(client, app, text=QUIZ, code="LAT-201"):
    return client.post(
        f"/author/courses/{code}/quiz", data={"text": text, "revision": revision(app, code)}
    )


def publish(client, app, note="Versi pertama", code="LAT-201"):
    return client.post(
        f"/author/courses/{code}/publish", data={"note": note, "revision": revision(app, code)}
    )


def build_course(client, app) -> tuple[str, str]:
    create_course(client)
    first = add_module(client, app, "Sikap Melayani", "## Senyum\n\nSapa warga dengan ramah.")
    second = add_module(client, app, "Menangani Keluhan", "## Dengar\n\nDengarkan sampai selesai.")
    assert save_quiz(client, app).status_code == 302
    return first, second


# --- Creating and editing -----------------------------------------------------------------


def test_a_new_course_is_a_draft_learners_cannot_see(app, client, trainer):
    """Does a course the trainer creates stay out of the catalog until it is published?"""
    create_course(client)
    page = client.get("/author/").get_data(as_text=True)
    assert "Pelayanan Prima" in page and "LAT-201" in page
    learner_client = app.test_client()
    sign_in(learner_client, make_user(app, "learner")[1])
    assert learner_client.get("/courses/LAT-201").status_code == 404
    assert "Pelayanan Prima" not in learner_client.get("/courses").get_data(as_text=True)
    course_md = draft_files(app, "LAT-201")["course.md"]
    assert "jp: 2.5" in course_md and "code: T-PENGADUAN" in course_md


def test_a_bad_course_form_explains_each_field_and_keeps_the_input(app, client, trainer):
    """Does a wrong code, JP or competency get a message at the field, with the text kept?"""
    response = client.post(
        "/author/new",
        data={**COURSE_FORM, "code": "1-salah kode", "jp": "0,3", "competencies": "M9:2"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "starting with a letter" in page
    assert "steps of 0.5" in page
    assert "Unknown competency code M9" in page
    assert "Melayani warga dengan cepat dan ramah." in page  # what was typed is still there
    with app.app_context():
        assert db.session.scalar(select(Course).where(Course.code == "LAT-201")) is None


def test_a_course_code_cannot_be_taken_twice(app, client, trainer, course):
    """Is creating a course with an existing code refused with a clear message?"""
    response = client.post("/author/new", data={**COURSE_FORM, "code": "tes-101"})
    assert "already exists" in response.get_data(as_text=True)


def test_modules_can_be_added_renamed_reordered_and_deleted(app, client, trainer):
    """Do module operations change the draft's files while keeping each module's id?"""
    create_course(client)
    a = add_module(client, app, "Satu", "Isi satu.")
    b = add_module(client, app, "Dua", "Isi dua.")
    c = add_module(client, app, "Tiga", "Isi tiga.")
    assert sorted(n for n in draft_files(app, "LAT-201") if n != "course.md") == [
        "01-satu.md",
        "02-dua.md",
        "03-tiga.md",
    ]
    response = client.post(
        f"/author/courses/LAT-201/modules/{c}/move",
        data={"direction": "up", "revision": revision(app, "LAT-201")},
    )
    assert response.status_code == 302
    assert "02-tiga.md" in draft_files(app, "LAT-201")
    assert save_module(client, app, b, "Dua (baru)", "Isi dua diubah.").status_code == 302
    assert "title: Dua (baru)" in draft_files(app, "LAT-201")["03-dua.md"]
    page = client.get(f"/author/courses/LAT-201/modules/{a}/delete")
    assert "Delete module Satu?" in page.get_data(as_text=True)
    response = client.post(
        f"/author/courses/LAT-201/modules/{a}/delete", data={"revision": revision(app, "LAT-201")}
    )
    assert response.status_code == 302
    names = sorted(n for n in draft_files(app, "LAT-201") if n != "course.md")
    assert names == ["01-tiga.md", "02-dua.md"]
    overview = client.get("/author/courses/LAT-201").get_data(as_text=True)
    assert overview.index("Tiga") < overview.index("Dua (baru)")


def test_the_module_editor_shows_the_learner_rendering_and_line_numbered_problems(
    app, client, trainer
):
    """Does the editor preview what learners get, and point at the line of a broken link?"""
    create_course(client)
    key = add_module(client, app, "Satu", "Pembuka.\n\nLihat [modul hilang](09-hilang.md).")
    page = client.get(f"/author/courses/LAT-201/modules/{key}").get_data(as_text=True)
    assert "<p>Pembuka.</p>" in page
    assert "link to a module that does not exist: 09-hilang.md" in page
    assert re.search(r"line 3</span>\s*link to a module", page)


def test_the_preview_endpoint_renders_safely_and_reports_problems(app, client, trainer):
    """Is hostile Markdown neutralised in the preview, and quiz mistakes given with lines?"""
    create_course(client)
    hostile = "# Judul\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1))"
    answer = client.post(
        "/author/preview", data={"course": "LAT-201", "kind": "module", "text": hostile}
    ).get_json()
    assert "<h1" in answer["html"]
    assert "<script" not in answer["html"] and "javascript:" not in answer["html"]
    answer = client.post(
        "/author/preview",
        data={"course": "LAT-201", "kind": "quiz", "text": "## Pertanyaan?\n\n- [ ] a\n- [ ] b\n"},
    ).get_json()
    assert answer["problems"] == [
        {"line": 1, "message": "the file must start with front matter between --- lines"}
    ] or any("no correct option" in p["message"] for p in answer["problems"])


def test_the_preview_needs_a_csrf_token_and_an_author(csrf_app, app, course):
    """Can a page on another site, or a trainer who is not an author, use the preview?"""
    client = app.test_client()
    sign_in_with_csrf(app, client, make_user(app, "trainer")[1])
    response = client.post("/author/preview", data={"course": course, "kind": "module"})
    assert response.status_code == 400  # no CSRF token
    token = csrf_token(client)
    response = client.post(
        "/author/preview",
        data={"course": course, "kind": "module", "text": "x"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 403  # a trainer, but not an author of TES-101


def sign_in_with_csrf(app, client, login):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = client.post(
        "/login", data={"login": login, "password": "rahasia-sekali-2026", "csrf_token": token[1]}
    )
    assert response.status_code == 302
    client.post("/language", data={"locale": "en", "csrf_token": token[1]})


def csrf_token(client) -> str:
    page = client.get("/author/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_makes_the_course_visible_to_learners(app, client, trainer):
    """After publishing, can a learner find the course and read the module as previewed?"""
    first, _ = build_course(client, app)
    response = publish(client, app)
    assert response.status_code == 302
    assert "Version 1 published." in flashes(client.get(response.location))
    learner_client = app.test_client()
    sign_in(learner_client, make_user(app, "learner")[1])
    assert "Pelayanan Prima" in learner_client.get("/courses").get_data(as_text=True)
    learner_client.post("/courses/LAT-201/enrol")
    page = learner_client.get(f"/courses/LAT-201/modules/{first}").get_data(as_text=True)
    assert "Sapa warga dengan ramah." in page


def test_a_publish_that_fails_validation_leaves_the_published_version_untouched(
    app, client, trainer
):
    """Does a broken draft stay unpublished, with its problems listed and v1 still served?"""
    build_course(client, app)
    publish(client, app)
    broken = QUIZ.replace("- [x] Aparatur Sipil Negara", "- [ ] Aparatur Sipil Negara")
    save_quiz(client, app, broken)
    response = publish(client, app, note="rusak")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "nothing was published" in page
    assert "question has no correct option" in page
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
        assert course.current_version.number == 1
        assert db.session.scalar(select(CourseVersion.id).where(CourseVersion.number == 2)) is None


def test_publishing_unchanged_content_creates_no_version(app, client, trainer):
    """Is a second publish of the same draft a no-op with a message?"""
    build_course(client, app)
    publish(client, app)
    response = publish(client, app, note="lagi")
    assert "Nothing changed since version 1." in flashes(client.get(response.location))


def test_progress_carries_over_and_completions_keep_their_version(app, client, trainer):
    """After a revision, does a learner keep progress on modules that still exist?"""
    first, second = build_course(client, app)
    publish(client, app)
    learner_client = app.test_client()
    learner_id, login = make_user(app, "learner")
    sign_in(learner_client, login)
    learner_client.post("/courses/LAT-201/enrol")
    learner_client.post(f"/courses/LAT-201/modules/{first}/done")
    learner_client.post(f"/courses/LAT-201/modules/{second}/done")

    save_module(client, app, first, "Sikap Melayani", "## Senyum\n\nSapa dan tawarkan bantuan.")
    client.post(
        f"/author/courses/LAT-201/modules/{second}/delete",
        data={"revision": revision(app, "LAT-201")},
    )
    add_module(client, app, "Modul Baru", "Isi baru.")
    publish(client, app, note="revisi")
    from lms.learning.services import progress_for

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
        progress = progress_for(learner_id, course.current_version)
        assert course.current_version.number == 2
        assert progress.done == {first} and progress.total == 2  # the deleted module is gone
    module_page = learner_client.get(f"/courses/LAT-201/modules/{first}").get_data(as_text=True)
    assert "tawarkan bantuan" in module_page


def test_history_diff_and_rollback(app, client, trainer):
    """Does the history say who published what, the diff show the change, rollback restore it?"""
    first, _ = build_course(client, app)
    publish(client, app, note="Versi pertama")
    save_module(client, app, first, "Sikap Melayani", "## Senyum\n\nSapa warga dengan hangat.")
    publish(client, app, note="Kata diperbaiki")
    history = client.get("/author/courses/LAT-201/versions").get_data(as_text=True)
    assert "Versi pertama" in history and "Kata diperbaiki" in history
    assert "Tari Pelatih" in history
    diff = client.get("/author/courses/LAT-201/diff?from=1&to=2").get_data(as_text=True)
    assert "Sapa warga dengan ramah." in diff and "Sapa warga dengan hangat." in diff
    assert 'class="diff-removed"' in diff and 'class="diff-added"' in diff
    assert "Publish version 1 again?" in client.get(
        "/author/courses/LAT-201/versions/1/rollback"
    ).get_data(as_text=True)
    response = client.post("/author/courses/LAT-201/versions/1/rollback", data={"note": ""})
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
        current = course.current_version
        v1 = db.session.scalar(select(CourseVersion).where(CourseVersion.number == 1))
        assert current.number == 3 and current.source == v1.source
        assert current.note == "Rollback to version 1"
    assert "ramah" in draft_files(app, "LAT-201")[f"01-{first}.md"]


# --- Optimistic locking -------------------------------------------------------------------


def test_a_stale_save_is_refused_and_loses_nothing(app, client, trainer):
    """If a co-author saved since I opened the editor, is my save refused with my text kept?"""
    create_course(client)
    key = add_module(client, app, "Satu", "Teks awal.")
    opened = revision(app, "LAT-201")
    other = app.test_client()
    other_id, other_login = make_user(app, "trainer", name="Rekan Pelatih")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
        db.session.add(CourseAuthor(course_id=course.id, user_id=other_id))
        db.session.commit()
    sign_in(other, other_login)
    assert save_module(other, app, key, "Satu", "Teks rekan.", rev=opened).status_code == 302
    response = save_module(client, app, key, "Satu", "Teks saya yang panjang.", rev=opened)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this course" in page
    assert "Teks saya yang panjang." in page  # my text is still in the editor
    assert "Teks rekan." in draft_files(app, "LAT-201")[f"01-{key}.md"]  # theirs is kept


def open_editor(client, path: str) -> dict[str, str]:
    """What a browser keeps from an editor page: the draft revision and the file's hash."""
    page = client.get(path).get_data(as_text=True)
    fields = dict(
        re.findall(r'<input id="(revision|base)" name="\1" type="hidden" value="([^"]*)"', page)
    )
    assert set(fields) == {"revision", "base"}, fields
    return fields


@pytest.fixture
def coauthor(app, client, trainer):
    """The course LAT-201 with two modules, and a second author signed in on their own browser."""
    create_course(client)
    first = add_module(client, app, "Satu", "Teks satu.")
    second = add_module(client, app, "Dua", "Teks dua.")
    other = app.test_client()
    other_id, other_login = make_user(app, "trainer", name="Rekan Pelatih")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
        db.session.add(CourseAuthor(course_id=course.id, user_id=other_id))
        db.session.commit()
    sign_in(other, other_login)
    return {"first": first, "second": second, "other": other}


def post_module(client, key, body, opened):
    return client.post(
        f"/author/courses/LAT-201/modules/{key}",
        data={"title": "Judul", "minutes": "15", "body": body, **opened},
    )


def test_co_authors_write_different_modules_at_once(app, client, coauthor):
    """Two authors each open a module and save: are both changes kept, without a conflict?"""
    first, second, other = coauthor["first"], coauthor["second"], coauthor["other"]
    mine = open_editor(client, f"/author/courses/LAT-201/modules/{first}")
    theirs = open_editor(other, f"/author/courses/LAT-201/modules/{second}")
    assert post_module(other, second, "Teks rekan.", theirs).status_code == 302
    assert post_module(client, first, "Teks saya.", mine).status_code == 302
    files = draft_files(app, "LAT-201")
    assert "Teks saya." in files[f"01-{first}.md"] and "Teks rekan." in files[f"02-{second}.md"]


def test_the_same_module_changed_by_both_is_still_a_conflict(app, client, coauthor):
    """Both open the same module; after theirs is saved, is mine refused with my text kept?"""
    first, other = coauthor["first"], coauthor["other"]
    mine = open_editor(client, f"/author/courses/LAT-201/modules/{first}")
    theirs = open_editor(other, f"/author/courses/LAT-201/modules/{first}")
    assert post_module(other, first, "Teks rekan.", theirs).status_code == 302
    response = post_module(client, first, "Teks saya.", mine)
    assert response.status_code == 409 and "Teks saya." in response.get_data(as_text=True)
    assert "Teks rekan." in draft_files(app, "LAT-201")[f"01-{first}.md"]


def test_a_save_lands_in_its_module_after_a_co_author_reordered(app, client, coauthor):
    """Module files are renamed when the order changes: does my save still find my module?"""
    first, second, other = coauthor["first"], coauthor["second"], coauthor["other"]
    mine = open_editor(client, f"/author/courses/LAT-201/modules/{first}")
    moved = other.post(
        f"/author/courses/LAT-201/modules/{second}/move",
        data={"direction": "up", "revision": revision(app, "LAT-201")},
    )
    assert moved.status_code == 302
    assert post_module(client, first, "Teks saya.", mine).status_code == 302
    files = draft_files(app, "LAT-201")
    assert "Teks saya." in files[f"02-{first}.md"] and f"01-{second}.md" in files


def test_the_quiz_saves_while_a_co_author_edits_a_module(app, client, coauthor):
    """Does a quiz opened before a co-author's module save still save?"""
    second, other = coauthor["second"], coauthor["other"]
    opened = open_editor(client, "/author/courses/LAT-201/quiz")
    theirs = open_editor(other, f"/author/courses/LAT-201/modules/{second}")
    assert post_module(other, second, "Teks rekan.", theirs).status_code == 302
    response = client.post("/author/courses/LAT-201/quiz", data={"text": QUIZ, **opened})
    assert response.status_code == 302
    assert draft_files(app, "LAT-201")["quiz.md"] == QUIZ


def test_save_draft_is_a_compare_and_swap(app, trainer, course):
    """Does the service refuse a write based on an old revision even if the row was loaded?"""
    from lms.authoring import services

    with app.app_context():
        user = db.session.get(__import__("lms.accounts.models").accounts.models.User, trainer)
        c = db.session.scalar(select(Course).where(Course.code == course))
        draft = services.draft_for(c)
        services.save_draft(draft, draft.revision, user, dict(draft.files))
        with pytest.raises(services.DraftConflict):
            services.save_draft(draft, draft.revision - 1, user, {})
        assert draft.files  # nothing was overwritten


# --- Files ----------------------------------------------------------------------------------


def upload(client, app, name, data, code="LAT-201"):
    return client.post(
        f"/author/courses/{code}/files",
        data={"file": (io.BytesIO(data), name), "revision": revision(app, code)},
        content_type="multipart/form-data",
    )


def test_images_are_uploaded_checked_by_bytes_and_served_safely(app, client, trainer):
    """Can a trainer show an uploaded image, and is it served with nosniff after publishing?"""
    first, _ = build_course(client, app)
    response = upload(client, app, "Bagan Alur.PNG", PNG)
    assert any("bagan-alur.png uploaded" in m for m in flashes(client.get(response.location)))
    save_module(client, app, first, "Sikap", "![Bagan](assets/bagan-alur.png)")
    editor = client.get(f"/author/courses/LAT-201/modules/{first}").get_data(as_text=True)
    assert 'src="/author/courses/LAT-201/draft-files/bagan-alur.png"' in editor
    publish(client, app)
    learner_client = app.test_client()
    sign_in(learner_client, make_user(app, "learner")[1])
    learner_client.post("/courses/LAT-201/enrol")
    page = learner_client.get(f"/courses/LAT-201/modules/{first}").get_data(as_text=True)
    assert 'src="/courses/LAT-201/files/bagan-alur.png"' in page
    image = learner_client.get("/courses/LAT-201/files/bagan-alur.png")
    assert image.status_code == 200 and image.data == PNG
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in image.headers.get("Content-Disposition", "")
    image.close()


def test_a_pdf_is_served_as_an_attachment(app, client, trainer):
    """Is an uploaded PDF downloaded rather than opened inside the portal's origin?"""
    build_course(client, app)
    upload(client, app, "panduan.pdf", PDF)
    publish(client, app)
    response = client.get("/courses/LAT-201/files/panduan.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("gambar.png", b"<html><script>alert(1)</script></html>", "not a PNG, JPEG"),
        ("gambar.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG, JPEG"),
        ("foto.png", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "content is JPEG but its name ends"),
        ("kosong.png", b"", "empty"),
    ],
)
def test_a_malformed_upload_is_refused_and_the_draft_unchanged(
    app, client, trainer, name, data, message
):
    """Is a file whose bytes are not what its name says refused, with nothing stored?"""
    create_course(client)
    before = revision(app, "LAT-201")
    response = upload(client, app, name, data)
    assert any(message in m for m in flashes(client.get(response.location)))
    assert revision(app, "LAT-201") == before


def test_an_upload_over_the_size_limit_is_refused(app, client, trainer):
    """Is a file over LMS_UPLOAD_MB refused with the limit in the message?"""
    app.config["LMS_UPLOAD_MB"] = 0.001  # about 1 KB
    create_course(client)
    response = upload(client, app, "besar.png", PNG + b"\x00" * 5000)
    assert any("larger than" in m for m in flashes(client.get(response.location)))


def test_a_missing_asset_is_reported_at_its_line(app, client, trainer):
    """Does Markdown referring to a file that was never uploaded block publishing?"""
    first, _ = build_course(client, app)
    save_module(client, app, first, "Sikap", "Teks.\n\n![Bagan](assets/tidak-ada.png)")
    page = client.get("/author/courses/LAT-201").get_data(as_text=True)
    assert "file not found in the course&#39;s assets: assets/tidak-ada.png" in page


# --- Zip round trip -------------------------------------------------------------------------


def test_every_bundled_course_survives_export_and_import(app, client, bundled, tmp_path):
    """Does exporting each bundled course and importing the zip reproduce identical content?"""
    from lms import create_app
    from lms.competency.services import seed_shipped

    _admin_id, admin_login = make_user(app, "admin")
    sign_in(client, admin_login)
    exports = {}
    for code in bundled:
        response = client.get(f"/author/courses/{code}/versions/1/export.zip")
        assert response.status_code == 200 and response.mimetype == "application/zip"
        exports[code] = response.data
    with app.app_context():
        originals = {
            c.code: (c.current_version.content_hash, dict(c.current_version.source))
            for c in db.session.scalars(select(Course))
        }

    other = create_app(
        {
            **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED")},
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "LMS_FILES_DIR": str(tmp_path / "other-files"),
            "LMS_CATALOG_TTL": 0,
            "LMS_REQUEST_LOG": False,
        }
    )
    with other.app_context():
        db.create_all()
        seed_shipped()  # the competency dictionary, as the migration ships it
        db.session.commit()
    _trainer_id, trainer_login = make_user(other, "trainer")
    other_client = other.test_client()
    sign_in(other_client, trainer_login)
    for code, data in exports.items():
        response = other_client.post(
            "/author/import",
            data={"file": (io.BytesIO(data), f"{code}.zip")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with other.app_context():
        for course in db.session.scalars(select(Course)):
            digest, source = originals[course.code]
            assert course.current_version.content_hash == digest
            assert course.current_version.source == source
        db.engine.dispose()
    # Exporting the re-imported course gives the very same bytes.
    for code, data in exports.items():
        assert other_client.get(f"/author/courses/{code}/versions/1/export.zip").data == data


def test_a_course_with_files_round_trips_through_a_zip(app, client, trainer):
    """Do uploaded files travel in the zip under assets/ and come back byte for byte?"""
    first, _ = build_course(client, app)
    upload(client, app, "bagan.png", PNG)
    save_module(client, app, first, "Sikap", "![Bagan](assets/bagan.png)")
    publish(client, app)
    data = client.get("/author/courses/LAT-201/export.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("assets/bagan.png") == PNG
        assert "quiz.md" in archive.namelist()
    response = client.post(
        "/author/import",
        data={"file": (io.BytesIO(data), "LAT-201.zip")},
        content_type="multipart/form-data",
    )
    assert "LAT-201 is unchanged (version 1)." in flashes(client.get(response.location))


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../course.md": b"x"}, "unsafe file name"),
        ({"/etc/passwd": b"x"}, "unsafe file name"),
        ({"assets/bom.png": b"\x00" * 20_000_000}, "larger than"),
        ({"course.md": b"---\ncode: LAT-201\n---\n"}, "missing field"),
    ],
)
def test_a_bad_zip_changes_nothing(app, client, trainer, entries, message):
    """Is a hostile or invalid package refused with the reason, the existing course intact?"""
    build_course(client, app)
    publish(client, app)
    response = client.post(
        "/author/import",
        data={"file": (io.BytesIO(zip_of(entries)), "paket.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Course).where(Course.code == "LAT-201")).current_version
        assert (
            db.session.scalar(select(CourseVersion.number).order_by(CourseVersion.id.desc())) == 1
        )


def test_not_a_zip_is_refused_with_a_message(app, client, trainer):
    """Does a file that is not a zip get a plain message rather than an error page?"""
    response = client.post(
        "/author/import",
        data={"file": (io.BytesIO(b"bukan zip"), "paket.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not a zip archive" in response.get_data(as_text=True)


def test_importing_over_unpublished_changes_needs_confirmation(app, client, trainer):
    """Would a zip upload silently throw away a co-author's unpublished draft changes?"""
    first, _ = build_course(client, app)
    publish(client, app)
    data = client.get("/author/courses/LAT-201/versions/1/export.zip").data
    save_module(client, app, first, "Sikap", "Perubahan yang belum terbit.")
    response = client.post(
        "/author/import",
        data={"file": (io.BytesIO(data), "LAT-201.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert "Perubahan yang belum terbit." in draft_files(app, "LAT-201")[f"01-{first}.md"]


# --- Permissions ----------------------------------------------------------------------------


def course_routes(code: str, key: str) -> list[tuple[str, str]]:
    base = f"/author/courses/{code}"
    return [
        ("GET", base),
        ("GET", f"{base}/details"),
        ("POST", f"{base}/details"),
        ("POST", f"{base}/modules"),
        ("GET", f"{base}/modules/{key}"),
        ("POST", f"{base}/modules/{key}"),
        ("POST", f"{base}/modules/{key}/move"),
        ("GET", f"{base}/modules/{key}/delete"),
        ("POST", f"{base}/modules/{key}/delete"),
        ("GET", f"{base}/quiz"),
        ("POST", f"{base}/quiz"),
        ("POST", f"{base}/files"),
        ("POST", f"{base}/publish"),
        ("GET", f"{base}/discard"),
        ("GET", f"{base}/versions"),
        ("GET", f"{base}/diff?from=1&to=draft"),
        ("GET", f"{base}/versions/1/rollback"),
        ("POST", f"{base}/versions/1/rollback"),
        ("GET", f"{base}/export.zip"),
        ("GET", f"{base}/versions/1/export.zip"),
        ("GET", f"{base}/authors"),
        ("POST", f"{base}/authors"),
        ("GET", f"{base}/archive"),
        ("GET", f"{base}/statistics"),
    ]


@pytest.mark.parametrize("role", ["learner", "hr", "trainer-not-author"])
def test_only_authors_reach_a_course_s_authoring_routes(app, course, role):
    """Is every authoring route of a course refused to learners, HR and other trainers?"""
    client = app.test_client()
    sign_in(client, make_user(app, "trainer" if role.startswith("trainer") else role)[1])
    for method, url in course_routes(course, "modul-1"):
        response = client.open(url, method=method, data={})
        assert response.status_code == 403, f"{role} got {response.status_code} at {method} {url}"
    for method, url in [("GET", "/author/"), ("GET", "/author/new"), ("GET", "/author/import")]:
        expected = 200 if role.startswith("trainer") else 403
        assert client.open(url, method=method).status_code == expected


def test_co_authors_edit_and_only_owners_manage_authors(app, client, trainer):
    """Can the owner add a co-author who may edit but not add others; can admins edit all?"""
    build_course(client, app)
    _co_id, co_login = make_user(app, "trainer", name="Rekan Pelatih")
    learner_login = make_user(app, "learner", name="Bukan Pelatih")[1]
    response = client.post("/author/courses/LAT-201/authors", data={"login": learner_login})
    assert "is not a trainer" in response.get_data(as_text=True)
    response = client.post("/author/courses/LAT-201/authors", data={"login": co_login})
    assert "Rekan Pelatih can now edit this course." in flashes(client.get(response.location))
    co = app.test_client()
    sign_in(co, co_login)
    assert co.get("/author/courses/LAT-201/quiz").status_code == 200
    assert "LAT-201" in co.get("/author/").get_data(as_text=True)
    assert co.post("/author/courses/LAT-201/authors", data={"login": co_login}).status_code == 403
    assert co.get("/author/courses/LAT-201/archive").status_code == 403
    admin = app.test_client()
    sign_in(admin, make_user(app, "admin")[1])
    assert admin.get("/author/courses/LAT-201/quiz").status_code == 200


def test_archiving_hides_a_course_and_restoring_brings_it_back(app, client, trainer):
    """Does an archived course leave the catalog, and come back when restored?"""
    build_course(client, app)
    publish(client, app)
    assert "Archive this course?" in client.get("/author/courses/LAT-201/archive").get_data(
        as_text=True
    )
    client.post("/author/courses/LAT-201/archive", data={})
    learner_client = app.test_client()
    sign_in(learner_client, make_user(app, "learner")[1])
    assert learner_client.get("/courses/LAT-201").status_code == 404
    client.post("/author/courses/LAT-201/archive", data={})
    assert learner_client.get("/courses/LAT-201").status_code == 200


def test_the_statistics_page_is_there_for_authors(app, client, trainer):
    """Does the author see the statistics page of a published course?"""
    build_course(client, app)
    publish(client, app)
    page = client.get("/author/courses/LAT-201/statistics").get_data(as_text=True)
    assert "Statistics: Pelayanan Prima" in page


def test_two_publishes_at_once_make_one_version(app, client, trainer):
    """Do two authors pressing Publish at the same moment get one version, not an error?"""
    import os
    import threading

    from lms.accounts.models import User
    from lms.authoring import services

    if not os.environ.get("LMS_TEST_DATABASE_URL"):
        pytest.skip("SQLite requests take the write lock at BEGIN: publishes cannot interleave")
    build_course(client, app)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def press_publish():
        with app.app_context():
            course = db.session.scalar(select(Course).where(Course.code == "LAT-201"))
            draft = services.draft_for(course)
            user = db.session.get(User, trainer)
            assert course.current_version is None  # both loaded the course before publishing
            barrier.wait()
            try:
                outcomes.append(services.publish(course, draft, user, "bersamaan"))
                db.session.commit()
            except Exception as exc:  # the assertion below reports it
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=press_publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(o.created for o in outcomes) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 1
