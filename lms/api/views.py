"""The API blueprint (/api/v1: bearer tokens, JSON) and the admin's token pages (/admin/api-tokens).

The API has no sessions and no cookies, so it is exempt from CSRF and checks its token itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.access import ANONYMOUS, allow
from lms.accounts.models import ADMIN
from lms.api import feed, openapi, services
from lms.api.forms import SCOPE_LABELS, RevokeForm, TokenForm
from lms.api.models import ApiToken
from lms.database import record_on_read
from lms.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are read here, so a forged cross-site request carries nothing
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")

RETRY_AFTER_SECONDS = 5


def _json(body: dict, status: int = 200, **headers: str):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # personal data, and per-token answers
    response.headers.update(headers)
    return response


def _error(status: int, code: str, message: str, headers: dict | None = None, **extra):
    return _json({"error": code, "message": message, **extra}, status, **(headers or {}))


def bearer_token(scope: str) -> Callable:
    """Authenticate the request's bearer token and check its scope; pass the token to the view.

    Missing, malformed, unknown or revoked: 401 (RFC 6750 headers); lacking the scope: 403.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            record_on_read()  # before the first query: a successful read is audited and committed
            try:
                token = services.authenticate(request.headers.get("Authorization"))
                services.require_scope(token, scope)
            except services.Unauthorized as exc:
                challenge = 'Bearer realm="api"'
                if exc.presented:
                    challenge += ', error="invalid_token"'
                return _error(401, "unauthorized", exc.message, {"WWW-Authenticate": challenge})
            except services.MissingScope as exc:
                challenge = f'Bearer realm="api", error="insufficient_scope", scope="{exc.scope}"'
                return _error(403, "forbidden", exc.message, {"WWW-Authenticate": challenge})
            return view(token, *args, **kwargs)

        return checked

    return decorate


# The access layer lets everyone through to the API: it decides by the signed-in session user,
# and API clients have no session. `bearer_token` is the API's own, per-call check.
@bp.route("/completions")
@allow(ANONYMOUS)
@bearer_token(services.COMPLETIONS_READ)
def completions(token: ApiToken):
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    try:
        position, limit = feed.parse_request(request.args, current_app.config["SECRET_KEY"])
        page = services.read_completions(token, position, limit=limit, zone=zone)
    except feed.BadParameter as exc:
        return _error(400, "bad_request", exc.message, parameter=exc.parameter)
    except services.FeedBusy:
        return _error(
            503, "busy", "Completions are being written; retry in a few seconds.",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )  # fmt: skip
    return _json(
        {
            "data": [feed.item(row, zone) for row in page.rows],
            "next_cursor": feed.encode_cursor(page.next_position, current_app.config["SECRET_KEY"]),
            "has_more": page.has_more,
        }
    )


@bp.route("/openapi.json")
@allow(ANONYMOUS)
def openapi_json():
    return _json(openapi.document())


# --- administration -------------------------------------------------------------------------


@tokens_bp.route("")
@allow(ADMIN)
def index():
    tokens = db.session.scalars(
        select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    return render_template("api/tokens.html", tokens=list(tokens), scope_labels=SCOPE_LABELS)


@tokens_bp.route("/new", methods=["GET", "POST"])
@allow(ADMIN)
def new():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = services.create_token(
                form.name.data, form.scopes.data, created_by=current_user._get_current_object()
            )
        except services.InvalidTokenData as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            # Shown in this response only: a flash or redirect would keep it in the session cookie.
            return render_template("api/token_created.html", token=token, secret=secret)
    return render_template("api/token_form.html", form=form), (200 if not form.errors else 400)


@tokens_bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@allow(ADMIN)
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke(token)
        flash(
            _("Token %(name)s revoked: calls with it are refused from now on.", name=token.name),
            "success",
        )
        return redirect(url_for("api_tokens.index"))
    return render_template("api/revoke.html", token=token, form=form)
