"""The editor's preview: a part of the draft rendered exactly as learners will get it.

The same renderer and quiz parser as publishing; links point into the draft (other modules'
editors, the draft's files), and problems carry the line of the text being edited.
"""

from __future__ import annotations

from flask import render_template, url_for

from lms.authoring.models import CourseDraft
from lms.authoring.services import draft_modules
from lms.catalog.models import Course
from lms.content.package import ASSET_FOLDER, report_broken_links
from lms.content.problems import ProblemList
from lms.content.quiz import parse_quiz
from lms.content.rendering import render_document
from lms.errors import translate


def preview(course: Course, draft: CourseDraft, kind: str, text: str) -> dict:
    """{"html": safe HTML, "problems": [{"line", "message"}]} for a module, intro or quiz text."""
    modules = {m.filename: m.key for m in draft_modules(draft)}

    def resolve(target: str) -> str | None:
        name = target.removeprefix("./")
        if name.startswith(f"{ASSET_FOLDER}/"):
            asset = name.removeprefix(f"{ASSET_FOLDER}/")
            if asset in draft.assets:
                return url_for("authoring.draft_file", code=course.code, name=asset)
            return None
        if name in modules:
            return url_for("authoring.module", code=course.code, key=modules[name])
        return None

    problems = ProblemList()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if kind in ("quiz", "pretest"):
        quiz = parse_quiz(text, f"{kind}.md", problems, "preview", resolve)
        html = render_template("authoring/_quiz_preview.html", quiz=quiz)
    else:
        rendered = render_document(text, resolve)
        report_broken_links(rendered.broken_links, text, 1, kind, problems)
        html = rendered.html
    return {
        "html": str(html),
        "problems": [
            {"line": p.line, "message": translate(p.template, p.params)} for p in problems
        ],
    }
