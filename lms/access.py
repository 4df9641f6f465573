"""The one permission mechanism: every view declares who may use it, checked before each request.

`@allow(...)` records the decision on the view; `enforce` (a before_request hook) applies it.
A view without a decision is refused, so forgetting to decide fails closed and fails tests.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user

from lms.accounts.models import ADMIN, ROLES
from lms.extensions import login_manager

ANONYMOUS = "anonymous"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in user, whatever their roles
AUDIENCES = (ANONYMOUS, SIGNED_IN, *ROLES)

ACCESS_ATTRIBUTE = "lms_access"


def allow(*audiences: str) -> Callable:
    """Declare who may call a view: ANONYMOUS, SIGNED_IN, or role names (admin always may)."""
    unknown = set(audiences) - set(AUDIENCES)
    if unknown or not audiences:
        raise ValueError(f"unknown audience(s) {sorted(unknown)}; use {AUDIENCES}")

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, frozenset(audiences))
        return view

    return decorate


def decision_for(endpoint: str) -> frozenset[str] | None:
    if endpoint == "static":
        return frozenset({ANONYMOUS})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def may_access(user, audiences: frozenset[str]) -> bool:
    if ANONYMOUS in audiences:
        return True
    if not user.is_authenticated:
        return False
    if SIGNED_IN in audiences:
        return True
    return ADMIN in user.roles or bool(user.roles & audiences)


def enforce():
    if request.endpoint is None:  # no route matched: the 404 handler answers
        return None
    audiences = decision_for(request.endpoint)
    if audiences is None:
        current_app.logger.error("no access decision for endpoint %s", request.endpoint)
        abort(403)
    user = current_user._get_current_object()  # the proxy looks the user up on every use
    if may_access(user, audiences):
        return None
    if not user.is_authenticated:
        return login_manager.unauthorized()
    abort(403)
