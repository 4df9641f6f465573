"""Learner pages: enrol, read a module, mark it done, the dashboard and certificates."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms.access import ANONYMOUS, SIGNED_IN, allow
from lms.accounts.models import LEARNER
from lms.catalog import services as catalog
from lms.catalog import snapshots
from lms.errors import DomainError
from lms.extensions import limiter
from lms.learning import certificates, incentives, services
from lms.learning.models import Completion
from lms.presentation import competency_label, number
from lms.quiz import services as quiz

bp = Blueprint("learning", __name__)


def _course_or_404(code: str):
    return catalog.published_course(code) or abort(404)


def announce_completion(completion, before) -> None:
    """Flash the good news once: when this request wrote the completion."""
    if completion is not None and before is None:
        flash(_("Congratulations! You have completed this course and earned %(jp)s JP.",
                jp=number(completion.jp)), "success")  # fmt: skip


@bp.route("/courses/<code>/enrol", methods=["POST"])
@allow(LEARNER)
def enrol(code: str):
    course = _course_or_404(code)
    _enrolment, created = services.enrol(current_user.id, course)
    if created:
        flash(_("You are enrolled in %(title)s. Start with the first module.",
                title=course.current_version.title), "success")  # fmt: skip
    else:
        flash(_("You are already enrolled in this course."), "info")
    return redirect(url_for("catalog.course", code=course.code))


@bp.route("/courses/<code>/modules/<key>")
@allow(LEARNER)
def module(code: str, key: str):
    # The busiest page: content comes from the per-process snapshot of the published version,
    # the learner's state from one query; the template caches what every learner sees alike.
    version = snapshots.published_snapshot(code) or abort(404)
    module = version.modules.get(key) or abort(404)
    user_id = current_user.id  # once: each use of the proxy looks the user up again
    enrolled, done = services.learner_state(user_id, version.course_id)
    if not enrolled:
        flash(_("Enrol in this course to read its modules."), "info")
        return redirect(url_for("catalog.course", code=code))
    outline = version.outline
    index = module.position - 1
    # Only the first module invites to the pre-test: one more query there, none elsewhere.
    invite = index == 0 and quiz.pretest_invited(user_id, version.course_id, version.version_id)
    return render_template(
        "learning/module.html",
        version=version,
        module=module,
        module_href=outline[index]["href"],
        progress=services.progress_for(user_id, version, done),
        previous=outline[index - 1] if index > 0 else None,
        next=outline[index + 1] if index + 1 < len(outline) else None,
        pretest_href=url_for("quiz.pretest", code=code) if invite else None,
    )


@bp.route("/courses/<code>/modules/<key>/done", methods=["POST"])
@allow(LEARNER)
def mark_done(code: str, key: str):
    course = _course_or_404(code)
    before = services.completion_for(current_user.id, course.id)
    try:
        completion = services.mark_done(current_user.id, course, key)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("catalog.course", code=code))
    outline = course.current_version.outline
    keys = [m["key"] for m in outline]
    index = keys.index(key)
    flash(_("Module “%(title)s” marked as done.", title=outline[index]["title"]), "success")
    announce_completion(completion, before)
    following = keys[index + 1] if index + 1 < len(keys) else None
    if following and completion is None:
        return redirect(url_for("learning.module", code=code, key=following))
    return redirect(url_for("catalog.course", code=code))


@bp.route("/my")
@allow(SIGNED_IN)
def dashboard():
    in_progress, completed = services.dashboard(current_user.id)
    year = datetime.now(get_timezone()).year
    jp_year = services.jp_in_year(current_user.id, year, str(get_timezone()))
    mentoring_jp = services.mentoring_jp_in_year(current_user.id, year, str(get_timezone()))
    today = datetime.now(get_timezone()).date()
    target = current_app.config["LMS_JP_TARGET"]
    months = incentives.activity_months(current_user.id, str(get_timezone()), today)
    return render_template(
        "learning/dashboard.html",
        in_progress=in_progress,
        completed=completed,
        year=year,
        jp_year=jp_year,
        mentoring_jp=mentoring_jp,
        jp_target=target,
        pace=incentives.pace(jp_year, target, today),
        streak=incentives.learning_streak(months, today),
    )


def _certificate_or_404(number: str) -> Completion:
    completion = services.completion_by_number(number)
    if completion is None or not services.may_see_certificate(current_user, completion):
        abort(404)  # others' certificates do not exist as far as this user can tell
    return completion


def verification_url(number: str) -> str:
    """The certificate's public check page as an absolute address (printed and in the QR code).

    LMS_PORTAL_URL is the address people reach the portal at; without it, this request's host.
    """
    base = current_app.config["LMS_PORTAL_URL"].rstrip("/")
    if not base:
        return url_for("learning.verify_certificate", number=number, _external=True)
    path = url_for("learning.verify_certificate", number=number)
    return base + path.removeprefix(request.script_root)


def _competency(code: str) -> str:
    name = competency_label(code)
    return code if name == code else f"{code} · {name}"


def worded_certificate(completion: Completion) -> certificates.Certificate:
    """What the certificate says, in the reader's language; the page and the PDF share it."""
    version = completion.course_version
    day = services.completion_day(completion, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return certificates.Certificate(
        number=completion.certificate_no,
        holder_name=completion.user.name,
        nip=completion.user.nip,
        course_title=version.title,
        course_ref=f"{completion.course.code} v{version.number}",
        jp=_("%(jp)s JP", jp=number(completion.jp)),
        completed_on=format_date(day, format="long"),
        organiser=current_app.config["LMS_ORGANISER"],
        portal_name=current_app.config["LMS_PORTAL_NAME"],
        verification_url=verification_url(completion.certificate_no),
        competencies=tuple(
            f"{_competency(c.code)} ({_('level %(level)d', level=c.level)})"
            for c in version.competencies
        ),
        labels=certificates.Labels(
            title=_("Certificate of completion"),
            certifies=_("This certifies that"),
            nip=_("NIP"),
            has_completed=_("has completed the e-learning course"),
            learning_hours=_("Learning hours"),
            completed_on=_("Completed on"),
            competencies=_("Competencies developed"),
            number=_("Certificate number"),
            issued_by=_("Issued by"),
            verify=_("Check this certificate at"),
        ),
    )


@bp.route("/certificates/<number>")
@allow(SIGNED_IN)
def certificate(number: str):
    completion = _certificate_or_404(number)
    cert = worded_certificate(completion)
    title = _("QR code for checking this certificate: %(url)s", url=cert.verification_url)
    # segno writes the SVG itself (path data only) and escapes the title it is given.
    qr = Markup(certificates.qr_svg(cert.verification_url, title=title))  # noqa: S704
    return render_template("learning/certificate.html", completion=completion, cert=cert, qr_svg=qr)


@bp.route("/certificates/<number>/pdf")
@allow(SIGNED_IN)
def certificate_pdf(number: str):
    completion = _certificate_or_404(number)
    response = make_response(certificates.certificate_pdf(worded_certificate(completion)))
    response.mimetype = "application/pdf"
    name = f"sertifikat-{completion.course.code}-{completion.certificate_no}.pdf"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


def _failed_check(response) -> bool:
    return response.status_code != 200


@bp.route("/verify/<path:number>")
@allow(ANONYMOUS)
@limiter.limit(lambda: current_app.config["LMS_VERIFY_LIMIT"], deduct_when=_failed_check)
def verify_certificate(number: str):
    """Public: is this certificate genuine? Only what the paper shows, with the NIP masked."""
    wanted = certificates.normalise_number(number)
    completion = services.completion_by_number(wanted) if wanted else None
    status = 200 if completion else (404 if wanted else 400)
    cert = certificates.public_view(worded_certificate(completion)) if completion else None
    page = render_template("learning/verify.html", cert=cert, number=wanted)
    response = make_response(page, status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # names are not for search engines
    response.headers["Cache-Control"] = "no-store"
    return response
