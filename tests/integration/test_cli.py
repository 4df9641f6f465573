"""The `flask lms` commands: check-courses, import-courses, create-user, seed-demo."""

from __future__ import annotations

from lms.accounts.models import User
from lms.catalog.models import CourseVersion
from lms.extensions import db
from tests.conftest import COURSES, write_course


def test_check_courses_passes_on_bundled_courses(runner):
    """Does `check-courses courses/` accept the bundled courses and exit 0?"""
    result = runner.invoke(args=["lms", "check-courses", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok  ") == 3


def test_check_courses_lists_every_problem_and_fails(runner, tmp_path):
    """With several mistakes, are all listed with file:line and is the exit code non-zero?"""
    folder = write_course(tmp_path / "c")
    text = (folder / "course.md").read_text().replace("pass_mark: 60", "pass_mark: 101")
    (folder / "course.md").write_text(text.replace("category: pengembangan-diri", "category: x"))
    (folder / "quiz.md").write_text("## Soal tanpa jawaban benar\n\n- [ ] a\n- [ ] b\n")
    result = runner.invoke(args=["lms", "check-courses", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}/course.md:10: pass_mark must be a whole number from 0 to 100" in result.output
    assert f"{folder}/course.md:5: unknown category x" in result.output
    assert f"{folder}/quiz.md:1: question has no correct option" in result.output
    assert "3 problem(s) found." in result.output


def test_import_is_atomic_and_idempotent(app, runner, tmp_path):
    """Does a broken package import nothing, and a repeated import change nothing?"""
    folder = write_course(tmp_path / "c")
    broken = write_course(tmp_path / "d", code="RUSAK-1")
    (broken / "02-modul-2.md").write_text("tanpa front matter\n")
    result = runner.invoke(args=["lms", "import-courses", str(tmp_path)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    with app.app_context():
        assert db.session.query(CourseVersion).count() == 0

    ok = runner.invoke(args=["lms", "import-courses", str(folder)])
    assert ok.exit_code == 0 and "TES-101: new version 1" in ok.output
    again = runner.invoke(args=["lms", "import-courses", str(folder)])
    assert "TES-101: unchanged (version 1)" in again.output


def test_create_user_from_the_shell(app, runner):
    """Can an admin create an account from the shell, with the password prompted?"""
    result = runner.invoke(
        args=["lms", "create-user", "--login", "198609262015051001", "--name", "Budi",
              "--role", "learner", "--role", "hr", "--unit", "Dinas Kesehatan"],
        input="kata-sandi-kuat-1\nkata-sandi-kuat-1\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created unit" in result.output
    with app.app_context():
        user = db.session.query(User).one()
        assert user.roles == {"learner", "hr"}
        assert user.unit.name == "Dinas Kesehatan"
        assert user.check_password("kata-sandi-kuat-1")


def test_create_user_refuses_an_invalid_nip_with_the_reason(app, runner):
    result = runner.invoke(
        args=["lms", "create-user", "--login", "198609262015051000", "--name", "Budi",
              "--role", "learner", "--password", "kata-sandi-kuat-1"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "cannot be 000" in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_seed_demo_is_repeatable(app, runner):
    """Does seeding twice create the four demo accounts once?"""
    first = runner.invoke(args=["lms", "seed-demo"])
    second = runner.invoke(args=["lms", "seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert first.output.count("[created]") == 4 and second.output.count("[exists]") == 4
    with app.app_context():
        assert db.session.query(User).count() == 4
