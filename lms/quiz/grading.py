"""Quiz layout, answer checking and grading: pure functions over the stored quiz data.

Scoring rules are documented in docs/course-format.md; tests in tests/unit/test_grading.py.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from lms.content.problems import N_
from lms.content.quiz import MULTIPLE, SHORT, SINGLE, TRUE_FALSE, parse_number

MAX_SHORT_ANSWER = 500


class InvalidSubmission(ValueError):
    """The submitted form does not fit the attempt (missing, forged or foreign option ids)."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class Grade:
    score: float  # 0..100, one decimal
    earned: float
    possible: float
    results: dict[str, float]  # question key -> fraction of its points earned


def make_layout(questions: list[dict], rng: random.Random | None = None) -> list[dict]:
    """Shuffle questions and their options once; the attempt keeps this order."""
    rng = rng or random.SystemRandom()
    order = list(questions)
    rng.shuffle(order)
    layout = []
    for q in order:
        options = [o["id"] for o in q.get("options", [])]
        rng.shuffle(options)
        layout.append({"key": q["key"], "options": options})
    return layout


def read_responses(questions: list[dict], layout: list[dict], form) -> dict:
    """Turn a submitted form (a MultiDict: name -> values) into {question key: answer}.

    Every question of the attempt must be answered; option ids must belong to their question.
    """
    by_key = {q["key"]: q for q in questions}
    responses: dict = {}
    missing = 0
    for position, entry in enumerate(layout, start=1):
        q = by_key[entry["key"]]
        values = [v for v in form.getlist(entry["key"]) if v is not None]
        if q["kind"] in (SINGLE, MULTIPLE):
            allowed = set(entry["options"])
            if any(v not in allowed for v in values):
                raise InvalidSubmission(
                    N_(
                        "Question %(number)d received an option that is not one of its own. "
                        "Reload the page and answer again."
                    ),
                    number=position,
                )
            if len(set(values)) != len(values):
                raise InvalidSubmission(
                    N_("Question %(number)d received the same option twice."), number=position
                )
            if q["kind"] == SINGLE and len(values) > 1:
                raise InvalidSubmission(
                    N_("Question %(number)d takes only one option."), number=position
                )
            if not values:
                missing += 1
            responses[q["key"]] = values
        elif q["kind"] == TRUE_FALSE:
            if len(values) > 1 or (values and values[0] not in ("true", "false")):
                raise InvalidSubmission(
                    N_("Question %(number)d takes true or false."), number=position
                )
            if not values:
                missing += 1
            responses[q["key"]] = values[0] == "true" if values else None
        else:
            text = (values[0] if values else "").strip()
            if len(values) > 1:
                raise InvalidSubmission(
                    N_("Question %(number)d takes one answer."), number=position
                )
            if len(text) > MAX_SHORT_ANSWER:
                raise InvalidSubmission(
                    N_("The answer to question %(number)d is too long (at most 500 characters)."),
                    number=position,
                )
            if not text:
                missing += 1
            responses[q["key"]] = text
    if missing:
        raise InvalidSubmission(
            N_("%(count)d question(s) not answered yet. Answer every question, then submit."),
            count=missing,
        )
    return responses


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def question_fraction(q: dict, answer) -> float:
    """The fraction (0..1) of a question's points that an answer earns."""
    kind = q["kind"]
    if kind == SINGLE:
        correct = {o["id"] for o in q["options"] if o["correct"]}
        return 1.0 if answer and len(answer) == 1 and answer[0] in correct else 0.0
    if kind == MULTIPLE:
        correct = {o["id"] for o in q["options"] if o["correct"]}
        chosen = set(answer or [])
        hits, wrong = len(chosen & correct), len(chosen - correct)
        return max(0.0, (hits - wrong) / len(correct))
    if kind == TRUE_FALSE:
        return 1.0 if answer is not None and answer == q["answer"] else 0.0
    if kind == SHORT:
        return 1.0 if short_answer_matches(q, answer or "") else 0.0
    raise ValueError(f"unknown question kind {kind!r}")


def short_answer_matches(q: dict, answer: str) -> bool:
    given = _normalise(answer)
    if not given:
        return False
    given_number = parse_number(answer)
    tolerance = float(q.get("tolerance") or 0)
    for accepted in q["answers"]:
        number = parse_number(accepted)
        if number is not None and given_number is not None:
            if abs(given_number - number) <= tolerance + 1e-9:
                return True
        elif _normalise(accepted) == given:
            return True
    return False


def grade(questions: list[dict], responses: dict) -> Grade:
    results: dict[str, float] = {}
    earned = possible = 0.0
    for q in questions:
        fraction = question_fraction(q, responses.get(q["key"]))
        results[q["key"]] = round(fraction, 4)
        earned += fraction * q["points"]
        possible += q["points"]
    score = round(earned / possible * 100, 1) if possible else 0.0
    return Grade(score=score, earned=round(earned, 4), possible=possible, results=results)
