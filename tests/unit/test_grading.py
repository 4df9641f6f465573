"""Grading: per-kind scoring rules, numbers written the Indonesian way, and forged submissions."""

from __future__ import annotations

import random

import pytest
from werkzeug.datastructures import MultiDict

from lms.content.problems import ProblemList
from lms.content.quiz import parse_number, parse_quiz
from lms.quiz.grading import (
    InvalidSubmission,
    grade,
    make_layout,
    question_fraction,
    read_responses,
)
from tests.conftest import DEFAULT_QUIZ


@pytest.fixture
def questions():
    problems = ProblemList()
    quiz = parse_quiz(DEFAULT_QUIZ, "quiz.md", problems, salt="s")
    assert problems == []
    return quiz["questions"]


def ids(q, correct=True):
    return [o["id"] for o in q["options"] if o["correct"] is correct]


def test_single_choice(questions):
    """Does a single-choice question give a point only for the correct option?"""
    q = questions[0]
    assert question_fraction(q, ids(q)) == 1.0
    assert question_fraction(q, ids(q, False)) == 0.0
    assert question_fraction(q, []) == 0.0


def test_multiple_choice_partial_credit(questions):
    """Is multiple choice scored (right picks - wrong picks) / correct options, never below zero?"""
    q = questions[1]
    right, wrong = ids(q), ids(q, False)
    assert question_fraction(q, right) == 1.0
    assert question_fraction(q, right[:1]) == 0.5
    assert question_fraction(q, right + wrong) == 0.5
    assert question_fraction(q, right[:1] + wrong) == 0.0
    assert question_fraction(q, wrong) == 0.0


def test_true_false(questions):
    """Is a true/false answer right only when it matches?"""
    q = questions[2]
    assert question_fraction(q, True) == 1.0
    assert question_fraction(q, False) == 0.0
    assert question_fraction(q, None) == 0.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("2,5", 1.0),
        ("2.5", 1.0),
        (" 2,50 ", 1.0),
        ("2,509", 1.0),
        ("2,52", 0.0),
        ("dua", 0.0),
        ("", 0.0),
    ],
)
def test_short_numeric_answer_with_tolerance(questions, answer, expected):
    """Are numbers compared as numbers, with a comma or a point, within the tolerance?"""
    assert question_fraction(questions[3], answer) == expected


def test_short_text_answer_ignores_case_and_spaces():
    """Is 'sp4n  lapor' accepted for 'SP4N LAPOR'?"""
    q = {"kind": "short", "answers": ["SP4N LAPOR", "LAPOR!"], "tolerance": 0}
    assert question_fraction(q, "sp4n  lapor") == 1.0
    assert question_fraction(q, " Lapor! ") == 1.0
    assert question_fraction(q, "lapor") == 0.0


@pytest.mark.parametrize(
    ("text", "value"),
    [("3,5", 3.5), ("3.5", 3.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("75%", 75.0), ("-2", -2.0),
     ("abc", None), ("", None), ("1,2,3", None)],
)  # fmt: skip
def test_parse_number(text, value):
    """Are numbers read the way Indonesians and others write them?"""
    assert parse_number(text) == value


def test_score_and_points(questions):
    """Is the score earned points / possible points x 100, to one decimal?"""
    responses = {
        questions[0]["key"]: ids(questions[0]),
        questions[1]["key"]: ids(questions[1])[:1],
        questions[2]["key"]: False,
        questions[3]["key"]: "2,5",
    }
    result = grade(questions, responses)
    assert result.score == 62.5
    assert result.results == {"q1": 1.0, "q2": 0.5, "q3": 0.0, "q4": 1.0}


def test_layout_shuffles_but_keeps_everything(questions):
    """Does each attempt get every question and option exactly once, in some order?"""
    layout = make_layout(questions, random.Random(4))
    assert sorted(e["key"] for e in layout) == sorted(q["key"] for q in questions)
    for entry in layout:
        q = next(q for q in questions if q["key"] == entry["key"])
        assert sorted(entry["options"]) == sorted(o["id"] for o in q.get("options", []))
    orders = {
        tuple(e["key"] for e in make_layout(questions, random.Random(seed))) for seed in range(20)
    }
    assert len(orders) > 1


def test_option_ids_do_not_reveal_correctness(questions):
    """Can the correct option be told from its id (order, prefix, length)?"""
    for q in questions[:2]:
        assert all(o["id"].startswith("o") and len(o["id"]) == 12 for o in q["options"])
        assert [o["id"] for o in q["options"]] != sorted(o["id"] for o in q["options"]) or len(
            q["options"]
        ) < 3


def _form(layout, questions, **overrides):
    data = MultiDict()
    for entry in layout:
        q = next(q for q in questions if q["key"] == entry["key"])
        if q["kind"] in ("single", "multiple"):
            for oid in ids(q)[: 1 if q["kind"] == "single" else None]:
                data.add(q["key"], oid)
        elif q["kind"] == "true-false":
            data.add(q["key"], "true")
        else:
            data.add(q["key"], "2,5")
    for key, values in overrides.items():
        data.setlist(key, values)
    return data


def test_complete_submission_is_read(questions):
    layout = make_layout(questions)
    responses = read_responses(questions, layout, _form(layout, questions))
    assert grade(questions, responses).score == 100.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"q1": []}, "1 question(s) not answered yet"),
        ({"q1": ["o-forged"]}, "received an option that is not one of its own"),
        ({"q1": ["<q2's option>"]}, "received an option that is not one of its own"),
        ({"q1": ["<both q1 options>"]}, "takes only one option"),
        ({"q2": ["<q2 first>", "<q2 first>"]}, "received the same option twice"),
        ({"q3": ["maybe"]}, "takes true or false"),
        ({"q4": ["x" * 501]}, "too long"),
        ({"q4": ["1", "2"]}, "takes one answer"),
    ],
)
def test_forged_or_incomplete_submissions_are_refused(questions, overrides, message):
    """Is a submission with missing, forged or another question's option ids refused, not graded?"""
    layout = make_layout(questions)
    q1, q2 = questions[0], questions[1]
    for key, values in overrides.items():
        if values == ["<q2's option>"]:
            overrides[key] = [q2["options"][0]["id"]]
        elif values == ["<both q1 options>"]:
            overrides[key] = [o["id"] for o in q1["options"]]
        elif values == ["<q2 first>", "<q2 first>"]:
            overrides[key] = [q2["options"][0]["id"]] * 2
    with pytest.raises(InvalidSubmission) as info:
        read_responses(questions, layout, _form(layout, questions, **overrides))
    assert message in str(info.value)
