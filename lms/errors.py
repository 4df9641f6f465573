"""Domain errors raised by services, and the error pages (400/403/404/500) in the UI language.

Services raise `DomainError` subclasses with a message template; views flash the translation.
A 500 rolls the request's transaction back before the error page is rendered.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from lms.extensions import db


class DomainError(Exception):
    """A business rule said no. `template` is an English message marked for translation."""

    template = "This action is not possible."

    def __init__(self, template: str | None = None, **params):
        if template is not None:
            self.template = template
        self.params = params
        super().__init__(self.template % params if params else self.template)

    @property
    def message(self) -> str:
        return translate(self.template, self.params)


def translate(template: str, params: dict | None = None) -> str:
    """Translate a message template marked with N_ and fill in its parameters."""
    return gettext(template, **(params or {}))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


class NullCharacter(BadRequest):
    """A form field or URL parameter holds a NUL character: no one types it, PostgreSQL cannot
    store it in text, and refusing it here spares every view from checking."""


def refuse_null_characters() -> None:
    """before_request: answer 400 with a message for a NUL in the path, the URL's parameters or
    the form's fields (%00 in a URL arrives decoded)."""
    if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
        raise NullCharacter()
    if request.method in ("POST", "PUT", "PATCH") and any(
        "\x00" in value for value in request.form.values()
    ):
        raise NullCharacter()


def register_error_pages(app: Flask) -> None:
    def render(status: int, description: str | None = None):
        if _wants_json():
            return jsonify(error=status, message=description), status
        return render_template("errors/error.html", status=status, description=description), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render(
            400,
            gettext(
                "The form has expired or was sent from another page. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(NullCharacter)
    def null_character(exc):
        return render(
            400,
            gettext(
                "What was sent contains a null character, which no field accepts. "
                "Remove it (it often comes from copying out of another program) and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (400, 403, 404, 405, 413, 429):
            return render(exc.code)
        return exc

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        return render(500)

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render(500)
