"""The portal's application factory: configuration, extensions, blueprints, CLI and error pages.

create_app only wires things together: it creates no tables and imports no courses.
"""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user

from lms.config import load_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(load_config(app.instance_path, config))
    from lms.sessions import RememberingCookieSessionInterface

    app.session_interface = RememberingCookieSessionInterface()
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)

    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)

    from lms.errors import register_error_pages

    register_error_pages(app)

    from lms import presentation

    presentation.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401 - every model registered before Alembic looks
    from lms.database import configure_engine, engine_options
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), **engine_options(uri)}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_project_root() / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["LMS_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["LMS_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page says why on its own
    login_manager.session_protection = "basic"

    from lms.accounts.services import load_user_from_session

    login_manager.user_loader(load_user_from_session)


def _project_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _register_blueprints(app: Flask) -> None:
    from lms.accounts.import_views import bp as employees_bp
    from lms.accounts.views import admin_bp
    from lms.accounts.views import bp as accounts_bp
    from lms.api.views import bp as api_bp
    from lms.api.views import tokens_bp as api_tokens_bp
    from lms.assignments.views import bp as assignments_bp
    from lms.authoring.views import bp as authoring_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.competency.views import bp as competency_bp
    from lms.discussions.views import bp as discussions_bp
    from lms.evaluation.views import bp as evaluation_bp
    from lms.health import bp as health_bp
    from lms.learning.views import bp as learning_bp
    from lms.mentoring.views import bp as mentoring_bp
    from lms.notifications.views import bp as notifications_bp
    from lms.quiz.views import bp as quiz_bp
    from lms.reports.views import bp as reports_bp

    blueprints = (accounts_bp, admin_bp, catalog_bp, learning_bp, quiz_bp, reports_bp, health_bp)
    blueprints += (api_bp, api_tokens_bp)
    blueprints += (employees_bp, authoring_bp)
    blueprints += (evaluation_bp,)
    blueprints += (competency_bp,)
    blueprints += (mentoring_bp,)
    blueprints += (assignments_bp,)
    blueprints += (discussions_bp, notifications_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


# Set on every response whose view did not set them itself.
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def _register_hooks(app: Flask) -> None:
    from lms import request_log
    from lms.access import enforce
    from lms.database import request_writes
    from lms.errors import refuse_null_characters
    from lms.extensions import db

    request_log.register(app)  # first, so its timer covers the other hooks
    app.before_request(refuse_null_characters)
    app.before_request(enforce)

    @app.after_request
    def commit_or_roll_back(response):
        """The one place a request's writes are committed: all of them, or none."""
        if not request_writes():
            return response  # page views never write; the session is closed at teardown
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            session.pop("_flashes", None)  # no "saved" message for what was not saved
            raise
        return response

    @app.after_request
    def security_headers(response):
        """Add each header the view did not set itself (one pass over the response's headers)."""
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if (
            "cache-control" not in present
            and request.endpoint != "static"
            and current_user.is_authenticated
        ):
            # Pages with personal data must not be kept by shared office browsers.
            headers.add("Cache-Control", "no-store")
        return response


def _select_locale() -> str:
    languages = ("id", "en")
    user = current_user._get_current_object()
    if user and user.is_authenticated and user.locale in languages:
        return user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return "id"


def _select_timezone() -> str | None:
    cached = g.get("lms_timezone")
    if cached:
        return cached
    user = current_user
    zone = None
    if user and user.is_authenticated and user.unit is not None:
        zone = user.unit.timezone
    g.lms_timezone = zone or "Asia/Jakarta"
    return g.lms_timezone
