"""The signed-in user's notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import SIGNED_IN, allow
from lms.database import whole_number
from lms.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
@allow(SIGNED_IN)
def index():
    page = whole_number(request.args.get("page"), 1)
    pagination = services.page_for(current_user.id, max(page, 1))
    return render_template(
        "notifications/index.html", pagination=pagination, message=services.message
    )


# POST, not a link: opening changes the unread count, and a GET never writes in this portal.
@bp.post("/<int:notification_id>")
@allow(SIGNED_IN)
def open_one(notification_id: int):
    notification = services.open_notification(current_user.id, notification_id)
    if notification is None:
        abort(404)  # someone else's, or gone: the same answer, so ids reveal nothing
    return redirect(services.safe_target(notification))


@bp.post("/read")
@allow(SIGNED_IN)
def read_all():
    count = services.mark_all_read(current_user.id)
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))
