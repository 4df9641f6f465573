"""Health check for load balancers and monitoring: is the app up and the database reachable?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lms.access import ANONYMOUS, allow
from lms.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@allow(ANONYMOUS)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means: not healthy
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
