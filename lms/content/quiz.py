"""Quizzes written in Markdown: one `## heading` per question, task-list options, setting lines.

The parser returns plain data (dicts ready to store as JSON) and reports problems by line.
See docs/course-format.md for the syntax and scoring rules.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from lms.content.frontmatter import read_document
from lms.content.problems import N_, ProblemList
from lms.content.rendering import LinkResolver, render_document, render_inline

SINGLE, MULTIPLE, TRUE_FALSE, SHORT = "single", "multiple", "true-false", "short"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, SHORT)
_KIND_ALIASES = {
    "single": SINGLE,
    "tunggal": SINGLE,
    "multiple": MULTIPLE,
    "ganda": MULTIPLE,
    "true-false": TRUE_FALSE,
    "benar-salah": TRUE_FALSE,
    "short": SHORT,
    "isian": SHORT,
}
_TRUE_WORDS = {"benar": True, "true": True, "b": True, "salah": False, "false": False, "s": False}

_QUESTION = re.compile(r"^##\s+(.*\S)\s*#*\s*$")
_OTHER_HEADING_1 = re.compile(r"^#\s")
_SETTING = re.compile(r"^(type|answer|tolerance|points)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_OPTION = re.compile(r"^\s{0,3}[-*+]\s+\[([ xX])\]\s+(.*\S)\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")

MAX_QUESTIONS = 200
MAX_OPTIONS = 12


@dataclass
class _Draft:
    line: int
    prompt: list[str]
    settings: list[tuple[str, str, int]] = field(default_factory=list)
    options: list[tuple[bool, str, int]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


def parse_number(text: str) -> float | None:
    """Read a number as Indonesians and others write it: 3,5 / 3.5 / 1.234,5 / 75%."""
    s = re.sub(r"\s+", "", text or "").rstrip("%")
    if not s:
        return None
    if "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        s = s.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", s):
        return None
    return float(s)


def option_id(salt: str, question_index: int, option_index: int) -> str:
    """Opaque option ids: they reveal neither the source order nor which option is correct."""
    digest = hashlib.sha256(f"{salt}:{question_index}:{option_index}".encode()).hexdigest()
    return "o" + digest[:11]


def parse_quiz(
    text: str, path: str, problems: ProblemList, salt: str, resolve_link: LinkResolver | None = None
) -> dict:
    """Parse quiz Markdown into {"title", "intro_html", "questions": [...]}."""
    doc = read_document(text, path, problems, required=False)
    title = doc.meta.get("title") if isinstance(doc.meta.get("title"), str) else ""
    intro: list[str] = []
    drafts: list[_Draft] = []
    in_fence = False
    for offset, raw in enumerate(doc.body.split("\n")):
        line_no = doc.body_line + offset
        if _FENCE.match(raw):
            in_fence = not in_fence
        if not in_fence and (m := _QUESTION.match(raw)):
            drafts.append(_Draft(line=line_no, prompt=[m.group(1)]))
            continue
        if not drafts:
            if not in_fence and _OTHER_HEADING_1.match(raw):
                problems.add(path, line_no, N_("questions start with a level-2 heading (## ...)"))
            intro.append(raw)
            continue
        _feed(drafts[-1], raw, line_no, in_fence, path, problems)

    if not drafts:
        problems.add(path, doc.body_line, N_("the quiz has no question (each starts with ## ...)"))
    if len(drafts) > MAX_QUESTIONS:
        problems.add(path, drafts[MAX_QUESTIONS].line, N_("a quiz has at most 200 questions"))

    questions = [
        q
        for i, d in enumerate(drafts[:MAX_QUESTIONS])
        if (q := _build(d, i, path, problems, salt, resolve_link)) is not None
    ]
    intro_doc = render_document("\n".join(intro), resolve_link)
    return {"title": title, "intro_html": intro_doc.html, "questions": questions}


def _feed(d: _Draft, raw: str, line_no: int, in_fence: bool, path: str, problems: ProblemList):
    if in_fence or _FENCE.match(raw):
        (d.explanation if d.explanation else d.prompt).append(raw)
        return
    if d.explanation:
        # A blank line or more quoted text continues the explanation; anything else is misplaced.
        if (m := _QUOTE.match(raw)) or not raw.strip():
            d.explanation.append(m.group(1) if m else "")
        else:
            problems.add(
                path, line_no, N_("text after the explanation; start a new question with ##")
            )
        return
    if m := _QUOTE.match(raw):
        d.explanation.append(m.group(1))
    elif m := _OPTION.match(raw):
        d.options.append((m.group(1) in "xX", m.group(2), line_no))
    elif m := _SETTING.match(raw):
        d.settings.append((m.group(1).lower(), m.group(2), line_no))
    elif raw.strip() and (d.options or d.settings):
        problems.add(
            path,
            line_no,
            N_("unexpected text after the answers; explanations go in a block quote (> ...)"),
        )
    else:
        d.prompt.append(raw)


def _build(
    d: _Draft,
    index: int,
    path: str,
    problems: ProblemList,
    salt: str,
    resolve_link: LinkResolver | None,
) -> dict | None:
    before = len(problems)
    kind: str | None = None
    answers: list[str] = []
    tolerance = 0.0
    tolerance_line: int | None = None
    points = 1
    for name, value, line in d.settings:
        if name == "type":
            kind = _KIND_ALIASES.get(value.strip().lower())
            if kind is None:
                problems.add(
                    path,
                    line,
                    N_(
                        "unknown question type %(value)r; use single, multiple, true-false or short"
                    ),
                    value=value,
                )
        elif name == "answer":
            if not value:
                problems.add(path, line, N_("an answer line is empty"))
            answers.append(value)
        elif name == "tolerance":
            tol = parse_number(value)
            if tol is None or tol < 0:
                problems.add(path, line, N_("tolerance must be a number of 0 or more"))
            else:
                tolerance, tolerance_line = tol, line
        elif name == "points":
            if not value.isdigit() or not 1 <= int(value) <= 100:
                problems.add(path, line, N_("points must be a whole number from 1 to 100"))
            else:
                points = int(value)

    correct_count = sum(1 for ok, _, _ in d.options if ok)
    if kind is None and d.options:
        kind = MULTIPLE if correct_count > 1 else SINGLE
    if kind is None:
        if answers:
            problems.add(
                path, d.line, N_("say `type: short` or `type: true-false` for answer lines")
            )
        else:
            problems.add(path, d.line, N_("question has no answer options"))
        return None

    prompt_text = "\n".join(d.prompt).strip()
    if not prompt_text:
        problems.add(path, d.line, N_("the question text is empty"))

    question: dict = {
        "key": f"q{index + 1}",
        "kind": kind,
        "points": points,
        "line": d.line,
    }
    if kind in (SINGLE, MULTIPLE):
        _check_choice(d, kind, correct_count, answers, path, problems)
        question["options"] = [
            {"id": option_id(salt, index, j), "html": render_inline(text), "correct": ok}
            for j, (ok, text, _) in enumerate(d.options)
        ]
    elif kind == TRUE_FALSE:
        if d.options:
            problems.add(path, d.options[0][2], N_("a true/false question has no option lines"))
        if len(answers) != 1 or answers[0].strip().lower() not in _TRUE_WORDS:
            problems.add(
                path,
                next((ln for n, _, ln in d.settings if n == "answer"), d.line),
                N_("a true/false question needs one line `answer: benar` or `answer: salah`"),
            )
        else:
            question["answer"] = _TRUE_WORDS[answers[0].strip().lower()]
    else:  # SHORT
        if d.options:
            problems.add(path, d.options[0][2], N_("a short-answer question has no option lines"))
        if not answers:
            problems.add(
                path, d.line, N_("a short-answer question needs at least one `answer:` line")
            )
        numeric = [parse_number(a) for a in answers]
        if tolerance_line and not any(n is not None for n in numeric):
            problems.add(path, tolerance_line, N_("tolerance applies only to numeric answers"))
        question["answers"] = [a for a in answers if a]
        question["tolerance"] = tolerance

    if kind not in (SHORT,) and tolerance_line:
        problems.add(path, tolerance_line, N_("tolerance applies only to short-answer questions"))

    prompt = render_document(prompt_text, resolve_link)
    explanation = render_document("\n".join(d.explanation).strip(), resolve_link)
    for target in prompt.broken_links + explanation.broken_links:
        problems.add(
            path, d.line, N_("link to a module that does not exist: %(target)s"), target=target
        )
    question["prompt_html"] = prompt.html
    question["explanation_html"] = explanation.html
    return question if len(problems) == before else None


def _check_choice(d: _Draft, kind: str, correct: int, answers, path, problems: ProblemList) -> None:
    if answers:
        problems.add(
            path, d.line, N_("a choice question takes options (- [x] ...), not answer lines")
        )
    if len(d.options) < 2:
        problems.add(path, d.line, N_("a choice question needs at least two options"))
    if len(d.options) > MAX_OPTIONS:
        problems.add(path, d.options[MAX_OPTIONS][2], N_("a question has at most 12 options"))
    if correct == 0:
        problems.add(path, d.line, N_("question has no correct option (mark one with [x])"))
    elif kind == SINGLE and correct > 1:
        problems.add(path, d.line, N_("a single-choice question has exactly one correct option"))
    seen: set[str] = set()
    for _, text, line in d.options:
        norm = " ".join(text.lower().split())
        if norm in seen:
            problems.add(path, line, N_("duplicate option: %(text)s"), text=text)
        seen.add(norm)
