"""Sign in and out, own password and language, and the admin's user management pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from lms.access import ANONYMOUS, SIGNED_IN, allow
from lms.accounts import services
from lms.accounts.forms import LANGUAGES, LanguageForm, LoginForm, PasswordForm, UserForm
from lms.accounts.models import ADMIN, Unit, User
from lms.accounts.nip import InvalidNip, looks_like_nip, normalise_nip
from lms.content.problems import N_
from lms.database import contains_pattern, whole_number
from lms.errors import DomainError, translate
from lms.extensions import db, limiter

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50


def safe_next(target: str | None) -> str | None:
    """Only a path on this portal: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
@allow(ANONYMOUS)
def home():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    return redirect(url_for("accounts.login"))


def _login_key() -> str:
    """Throttle per account name as typed (normalised), whether or not the account exists."""
    typed = (request.form.get("login") or "").strip().lower()
    return "login:" + (normalise_nip(typed) if looks_like_nip(typed) else typed)[:80]


def _failed(response) -> bool:
    return response.status_code == 400


@bp.route("/login", methods=["GET", "POST"])
@allow(ANONYMOUS)
@limiter.limit(
    lambda: current_app.config["LMS_LOGIN_LIMIT_ACCOUNT"],
    key_func=_login_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LMS_LOGIN_LIMIT_IP"], methods=["POST"], deduct_when=_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            services.check_login_format(form.login.data)
            user = services.authenticate(form.login.data, form.password.data)
        except InvalidNip as exc:
            form.login.errors.append(
                _("Invalid NIP: %(reason)s", reason=translate(exc.template, exc.params))
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            chosen = session.get("locale")  # picked on the sign-in page, just now
            session.clear()  # a fresh session on sign-in: no fixation
            if chosen:
                services.remember_language(user, chosen)
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("learning.dashboard"))
    return render_template("accounts/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                services.change_password(current_user, form.new.data)
            except services.InvalidAccountData as exc:
                form.new.errors.append(exc.message)
            else:
                # This browser stays signed in with the new session version; the others end.
                login_user(current_user._get_current_object())
                flash(
                    _("Your password has been changed. Other sessions have been signed out."),
                    "success",
                )
                return redirect(url_for("learning.dashboard"))
    return render_template("accounts/password.html", form=form), (200 if not form.errors else 400)


@bp.route("/language", methods=["POST"])
@allow(ANONYMOUS)
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.remember_language(current_user, form.locale.data)
        with force_locale(form.locale.data):  # said in the language just chosen
            language = LANGUAGES[form.locale.data]
            flash(_("The portal is now shown in %(language)s.", language=language), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.home"))


# --- administration -------------------------------------------------------------------------


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(Unit).order_by(Unit.name))
    return [SelectChoice(0, _("— no unit —"))] + [SelectChoice(u.id, u.name) for u in units]


@admin_bp.route("/users")
@allow(ADMIN)
def users():
    q = (request.args.get("q") or "").strip()
    page = whole_number(request.args.get("page"), 1)
    stmt = select(User).order_by(User.name)
    if q:
        like = contains_pattern(q.lower())
        stmt = stmt.where(
            or_(
                func.lower(User.name).like(like, escape="\\"),
                User.nip.like(like, escape="\\"),
                User.username.like(like, escape="\\"),
            )
        )
    pagination = db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", pagination=pagination, q=q)


@admin_bp.route("/users/new", methods=["GET", "POST"])
@allow(ADMIN)
def new_user():
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.roles.data = ["learner"]
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        else:
            try:
                user = services.create_user(
                    login=form.login.data,
                    name=form.name.data,
                    password=form.password.data,
                    roles=form.roles.data,
                    email=form.email.data,
                    unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
                    jabatan=form.jabatan.data,
                )
            except services.InvalidAccountData as exc:
                getattr(form, exc.field).errors.append(exc.message)
            else:
                flash(_("Account %(login)s created.", login=user.login), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        200 if not form.errors else 400
    )


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    form.login.data = user.login  # the login is shown, not edited
    if request.method == "GET":
        form.roles.data, form.unit_id.data = sorted(user.roles), user.unit_id or 0
    disabling = user.active and not form.active.data and user.id != current_user.id
    submitted = form.validate_on_submit()
    if submitted and disabling and not form.confirm_disable.data:
        # Disabling signs the person out at once: one more, explicit step (no JavaScript needed).
        return render_template("admin/user_form.html", form=form, user=user, confirm_disable=True)
    if submitted:
        try:
            if user.id == current_user.id and (
                ADMIN not in form.roles.data or not form.active.data
            ):
                raise services.InvalidAccountData(
                    "roles",
                    N_("You cannot remove your own administrator role or disable yourself."),
                )
            services.update_user(
                user,
                name=form.name.data,
                roles=form.roles.data,
                email=form.email.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
                jabatan=form.jabatan.data,
                active=form.active.data,
            )
            if form.password.data:
                services.change_password(user, form.password.data)
        except services.InvalidAccountData as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            if disabling:
                flash(_("Account %(login)s disabled: it can no longer sign in.", login=user.login),
                      "success")  # fmt: skip
            else:
                flash(_("Account %(login)s saved.", login=user.login), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), (
        200 if not form.errors else 400
    )
