"""The optional pre-test in a package (parsed and validated like quiz.md) and the gain arithmetic."""

from __future__ import annotations

import pytest

from lms.content.package import read_package, read_packages
from lms.reports.gain import GainFigure, from_totals, learner_gain, summarise
from tests.conftest import COURSES, DEFAULT_QUIZ, write_course

PRETEST = """\
---
title: Tes Awal
---

Jawab sesuai pemahaman Anda sekarang.

## Ibu kota Indonesia saat ini?

- [x] Jakarta
- [ ] Bandung

> Jakarta masih ibu kota.

## Matahari terbit di barat.

type: true-false
answer: salah
"""


def test_a_package_may_have_a_pretest_parsed_like_the_quiz(tmp_path):
    """Is pretest.md accepted (not taken for a badly named module) and parsed with its questions?"""
    folder = write_course(tmp_path / "c")
    (folder / "pretest.md").write_text(PRETEST)
    package, problems = read_package(folder)
    assert [str(p) for p in problems] == []
    assert package.pretest["title"] == "Tes Awal"
    assert [q["kind"] for q in package.pretest["questions"]] == ["single", "true-false"]
    assert package.pretest["questions"][1]["answer"] is False
    assert "Jawab sesuai" in package.pretest["intro_html"]
    assert [m.key for m in package.modules] == ["modul-1", "modul-2"]
    assert "pretest.md" in package.files  # travels with the source (export, diff, zip)


def test_without_pretest_md_the_course_has_no_pretest(tmp_path):
    package, problems = read_package(write_course(tmp_path / "c"))
    assert problems == [] and package.pretest is None


def test_pretest_and_quiz_option_ids_never_coincide(tmp_path):
    """Same question text in both files: do the option ids still differ between the two quizzes?"""
    folder = write_course(tmp_path / "c")
    (folder / "pretest.md").write_text(DEFAULT_QUIZ)
    package, _ = read_package(folder)
    ids = lambda quiz: {o["id"] for q in quiz["questions"] for o in q.get("options", [])}  # noqa: E731
    assert ids(package.quiz) and not ids(package.quiz) & ids(package.pretest)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "## Pertanyaan tanpa jawaban benar\n\n- [ ] satu\n- [ ] dua\n",
            "pretest.md:1: question has no correct option (mark one with [x])",
        ),
        (
            "---\ntitle: Tes\n---\n\n## Benar atau salah?\n\ntype: true-false\nanswer: mungkin\n",
            "pretest.md:8: a true/false question needs one line `answer: benar` or `answer: salah`",
        ),
        (
            "Hanya pengantar, tanpa soal.\n",
            "pretest.md:1: the quiz has no question (each starts with ## ...)",
        ),
        (
            "## Lihat [modul](09-tidak-ada.md)\n\n- [x] a\n- [ ] b\n",
            "pretest.md:1: link to a module that does not exist: 09-tidak-ada.md",
        ),
    ],
)
def test_pretest_problems_name_the_file_and_line(tmp_path, text, expected):
    """Is a broken pre-test refused like a broken quiz, with pretest.md and the line?"""
    folder = write_course(tmp_path / "c")
    (folder / "pretest.md").write_text(text)
    package, problems = read_package(folder)
    assert package is None
    found = [str(p).removeprefix(f"{folder}/") for p in problems]
    assert any(f.startswith(expected) for f in found), found
    assert all(f.startswith("pretest.md:") for f in found)


def test_the_bundled_project_management_course_has_a_substantial_pretest():
    packages, problems = read_packages(COURSES)
    assert problems == []
    pm = next(p for p in packages if p.code == "PM-101")
    assert 6 <= len(pm.pretest["questions"]) <= 8
    assert {q["kind"] for q in pm.pretest["questions"]} == {
        "single",
        "multiple",
        "true-false",
        "short",
    }
    assert all(q["explanation_html"] for q in pm.pretest["questions"])


# --- gain ----------------------------------------------------------------------------------


def test_a_learners_gain_is_final_minus_pretest():
    assert learner_gain(40.0, 85.0) == 45.0
    assert learner_gain(90.0, 80.0) == -10.0  # doing worse at the end shows as a loss
    assert learner_gain(33.3, 66.7) == 33.4


def test_average_gain_and_the_number_of_learners_behind_it():
    """Is the average gain the mean of each learner's gain, with N the number of learners?"""
    figure = summarise([(40.0, 80.0), (60.0, 70.0), (50.0, 100.0)])
    assert figure == GainFigure(learners=3, average_pretest=50.0, average_final=250 / 3)
    assert figure.average_gain == round((40 + 10 + 50) / 3, 1) == 33.3


def test_no_learner_means_no_figure_rather_than_zero():
    """A course nobody finished after a pre-test shows nothing, not a misleading 0."""
    assert summarise([]) is None
    assert from_totals(0, 0.0, 0.0) is None


def test_sums_from_sql_give_the_same_figure_as_the_pairs():
    pairs = [(25.0, 75.0), (50.0, 62.5), (12.5, 100.0), (87.5, 87.5)]
    from_pairs = summarise(pairs)
    from_sums = from_totals(len(pairs), sum(p for p, _ in pairs), sum(f for _, f in pairs))
    assert from_pairs == from_sums
    assert from_sums.average_gain == round(sum(f - p for p, f in pairs) / len(pairs), 1) == 37.5
