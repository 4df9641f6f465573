"""Course packages: what the validator accepts, and every problem it reports with file and line."""

from __future__ import annotations

import pytest

from lms.content.package import read_package, read_packages
from tests.conftest import COURSES, write_course


def problems_of(folder) -> list[str]:
    _, problems = read_package(folder)
    return [str(p) for p in problems]


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new))


def test_valid_package_is_parsed_with_modules_in_order(tmp_path):
    """Does a well-formed package come back with its metadata, modules and quiz?"""
    folder = write_course(tmp_path / "c", modules=3)
    package, problems = read_package(folder)
    assert problems == []
    assert package.code == "TES-101"
    assert package.jp == 2.0
    assert package.competencies == [{"code": "M1", "level": 2}]
    assert [m.key for m in package.modules] == ["modul-1", "modul-2", "modul-3"]
    assert [q["kind"] for q in package.quiz["questions"]] == [
        "single",
        "multiple",
        "true-false",
        "short",
    ]
    assert package.total_minutes == 30


def test_bundled_courses_are_valid_and_substantial():
    """Do the three bundled courses validate, with 4+ modules of real length and 10+ mixed questions?"""
    packages, problems = read_packages(COURSES)
    assert [str(p) for p in problems] == []
    assert {p.category for p in packages} >= {"manajemen-proyek", "pelayanan-publik", "kesehatan"}
    for package in packages:
        assert len(package.modules) >= 4
        for module in package.modules:
            assert len(module.source.split()) >= 400, f"{package.code}/{module.filename} is short"
        kinds = {q["kind"] for q in package.quiz["questions"]}
        assert len(package.quiz["questions"]) >= 10
        assert kinds == {"single", "multiple", "true-false", "short"}


def test_module_links_become_portal_urls(tmp_path):
    """Does a link written as a module file name lead to that module's page?"""
    folder = write_course(tmp_path / "c")
    replace_in(
        folder / "01-modul-1.md", "Isi modul 1.", "Lanjut ke [modul 2](02-modul-2.md#bagian-2)."
    )
    package, _ = read_package(folder)
    assert 'href="/courses/TES-101/modules/modul-2#bagian-2"' in package.modules[0].html
    assert 'href="/courses/TES-101/modules/modul-1"' in package.intro_html


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("course.md", "title: Kursus Uji TES-101\n", "", "course.md:1: missing field: title"),
        ("course.md", "jp: 2", "jp: dua", "course.md:6: jp must be a number from 0.5 to 200"),
        ("course.md", "jp: 2", "jp: 0.3", "course.md:6: jp must be a number"),
        (
            "course.md",
            "pass_mark: 60",
            "pass_mark: 120",
            "course.md:10: pass_mark must be a whole number from 0 to 100",
        ),
        (
            "course.md",
            "pass_mark: 60",
            "pass_mark: -1",
            "course.md:10: pass_mark must be a whole number",
        ),
        (
            "course.md",
            "max_attempts: 2",
            "max_attempts: 0",
            "course.md:11: max_attempts must be a whole number from 1 to 20",
        ),
        (
            "course.md",
            "category: pengembangan-diri",
            "category: memasak",
            "course.md:5: unknown category memasak",
        ),
        (
            "course.md",
            "code: TES-101",
            "code: 1 bad code",
            "course.md:2: code must be 2 to 32 letters",
        ),
        ("course.md", "code: M1", "code: X9", "course.md:7: unknown competency code X9"),
        ("course.md", "level: 2", "level: 7", "course.md:7: competency level must be 1 to 5"),
        (
            "course.md",
            "summary: Kursus kecil untuk pengujian.",
            "summary: [tidak: valid",
            "course.md:4: front matter is not valid YAML",
        ),
        (
            "course.md",
            "title: Kursus",
            "judul: x\ntitle: Kursus",
            "course.md:3: unknown field: judul",
        ),
        (
            "course.md",
            "(01-modul-1.md)",
            "(09-tidak-ada.md)",
            "course.md:16: link to a module that does not exist: 09-tidak-ada.md",
        ),
        (
            "01-modul-1.md",
            "minutes: 10",
            "minutes: sepuluh",
            "01-modul-1.md:3: minutes must be a whole number from 1 to 600",
        ),
        ("01-modul-1.md", "title: Modul 1\n", "", "01-modul-1.md:1: missing field: title"),
        (
            "01-modul-1.md",
            "Isi modul 1.",
            "Lihat [x](05-hilang.md).",
            "01-modul-1.md:8: link to a module that does not exist: 05-hilang.md",
        ),
        (
            "02-modul-2.md",
            "title: Modul 2",
            "title: Modul 2\nid: modul-1",
            "02-modul-2.md:3: duplicate module id modul-1",
        ),
        ("quiz.md", "- [x] Jakarta", "- [ ] Jakarta", "quiz.md:5: question has no correct option"),
        (
            "quiz.md",
            "answer: benar",
            "answer: mungkin",
            "quiz.md:21: a true/false question needs one line",
        ),
        ("quiz.md", "type: short", "type: essay", "quiz.md:25: unknown question type 'essay'"),
        (
            "quiz.md",
            "answer: 2,5\n",
            "",
            "quiz.md:23: a short-answer question needs at least one `answer:` line",
        ),
        ("quiz.md", "- [ ] Bandung", "- [x] Bandung", "quiz.md:12: duplicate option"),
        (
            "quiz.md",
            "> Jakarta masih ibu kota.",
            "> Lihat [x](07-nope.md)",
            "quiz.md:5: link to a module that does not exist: 07-nope.md",
        ),
        (
            "quiz.md",
            "- [ ] Bandung\n",
            "- [ ] Bandung\nTeks nyasar\n",
            "quiz.md:9: unexpected text after the answers",
        ),
    ],
)
def test_each_problem_is_reported_with_file_and_line(tmp_path, file, old, new, expected):
    """Does the validator say what is wrong, in which file and on which line?"""
    folder = write_course(tmp_path / "c")
    if expected.startswith("quiz.md:12"):
        # a duplicate option: two identical option texts in one question
        replace_in(folder / "quiz.md", "- [ ] Tiga", "- [ ] Dua")
        expected = "quiz.md:16: duplicate option: Dua"
    else:
        replace_in(folder / file, old, new)
    problems = problems_of(folder)
    assert any(expected in p for p in problems), problems
    assert all(str(folder) in p for p in problems)


def test_duplicate_module_numbers_and_missing_files(tmp_path):
    """Are two modules with the same number, a missing quiz and a stray file all reported?"""
    folder = write_course(tmp_path / "c")
    (folder / "01-lain.md").write_text("---\ntitle: Lain\nminutes: 5\n---\n\nIsi.\n")
    (folder / "catatan.md").write_text("catatan\n")
    (folder / "quiz.md").unlink()
    problems = "\n".join(problems_of(folder))
    assert "duplicate module number 1" in problems
    assert "catatan.md: unexpected file name" in problems
    assert "quiz.md is missing" in problems


def test_duplicate_course_codes_across_folders(tmp_path):
    """Are two folders declaring the same course code refused?"""
    write_course(tmp_path / "a", code="SAMA-1")
    write_course(tmp_path / "b", code="SAMA-1")
    packages, problems = read_packages(tmp_path)
    assert len(packages) == 1
    assert any("duplicate course code SAMA-1" in str(p) for p in problems)


def test_non_utf8_and_empty_folder(tmp_path):
    """Is a file in another encoding, or a folder without courses, a clear problem rather than a crash?"""
    folder = write_course(tmp_path / "c")
    (folder / "01-modul-1.md").write_bytes("---\ntitle: Modül\nminutes: 5\n---\n".encode("latin-1"))
    assert any("not UTF-8" in p for p in problems_of(folder))
    (tmp_path / "kosong").mkdir()
    _, problems = read_packages(tmp_path / "kosong")
    assert "no course found" in str(problems[0])


def test_front_matter_that_is_not_a_mapping(tmp_path):
    """Does a front matter that is a plain list get a problem instead of a crash?"""
    folder = write_course(tmp_path / "c")
    (folder / "02-modul-2.md").write_text("---\n- a\n- b\n---\n\nIsi\n")
    problems = problems_of(folder)
    assert any("front matter must be a list of `name: value` lines" in p for p in problems)


def test_content_hash_changes_only_with_content(tmp_path):
    """Is the version hash stable for unchanged files and different after an edit?"""
    folder = write_course(tmp_path / "c")
    first, _ = read_package(folder)
    again, _ = read_package(folder)
    replace_in(folder / "02-modul-2.md", "Isi modul 2.", "Isi modul 2, diperbarui.")
    changed, _ = read_package(folder)
    assert first.content_hash == again.content_hash != changed.content_hash


PNG_HEADER = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_assets_in_a_folder_are_read_checked_and_linked(tmp_path):
    """Does a package's assets/ folder travel with it, images resolving to portal URLs?"""
    folder = write_course(tmp_path / "c")
    (folder / "assets").mkdir()
    (folder / "assets" / "bagan.png").write_bytes(PNG_HEADER)
    module = folder / "01-modul-1.md"
    module.write_text(module.read_text() + "\n![Bagan](assets/bagan.png)\n")
    package, problems = read_package(folder)
    assert problems == []
    assert package.assets["bagan.png"]["type"] == "image/png"
    assert package.asset_data["bagan.png"] == PNG_HEADER
    assert 'src="/courses/TES-101/files/bagan.png"' in package.modules[0].html


def test_a_missing_or_disguised_asset_is_a_problem_with_its_line(tmp_path):
    """Are a reference to an absent file and an HTML file named .png both reported?"""
    folder = write_course(tmp_path / "c")
    (folder / "assets").mkdir()
    (folder / "assets" / "palsu.png").write_bytes(b"<html><script>alert(1)</script>")
    module = folder / "01-modul-1.md"
    module.write_text(module.read_text() + "\n![Hilang](assets/hilang.png)\n")
    package, problems = read_package(folder)
    assert package is None
    messages = [str(p) for p in problems]
    assert any("palsu.png" in m and "not a PNG" in m for m in messages)
    lines = module.read_text().split("\n")
    line = next(i for i, text in enumerate(lines, start=1) if "hilang.png" in text)
    expected = f"01-modul-1.md:{line}: file not found in the course's assets: assets/hilang.png"
    assert any(m.endswith(expected) for m in messages), messages
