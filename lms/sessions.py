"""Flask's signed-cookie session, with a verified cookie's contents remembered by the worker.

Every signed-in request opens the session cookie: build a serializer, check the HMAC, decode
base64 and JSON. For the same cookie string the answer is always the same (the string is what
the signature covers), so each worker keeps what a cookie held the first time it verified and
gives each request a fresh copy. Only what verified is ever remembered, so a forged or altered
cookie still goes through the full check and fails it. The cookie's age limit still holds: a
remembered cookie is forgotten when its signature would have expired. A change of SECRET_KEY (or
its fallbacks) forgets everything.

The format on the wire is Flask's own; only the work of reading it is saved.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_REMEMBERED = 4096  # cookies per worker (a few hundred bytes each); forgotten all at once

# Values a request cannot change in place: a session holding anything else (a list of flashed
# messages, say) is not remembered, since a copy of the dict would share it.
_IMMUTABLE = (str, int, float, bool, type(None))


class RememberingCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._keys: tuple | None = None
        self._serializer: URLSafeTimedSerializer | None = None
        # cookie string -> (time it stops being valid, its items)
        self._verified: dict[str, tuple[float, tuple]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key)
        if keys != self._keys:
            self._serializer = super().get_signing_serializer(app)
            self._keys = keys
            self._verified = {}  # what a former key signed must be checked again
        return self._serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        remembered = self._verified.get(cookie)
        if remembered is not None and remembered[0] > time.time():
            return self.session_class(remembered[1])
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _IMMUTABLE) for v in data.values()):
            if len(self._verified) >= MAX_REMEMBERED:
                self._verified = {}
            self._verified[cookie] = (signed_at.timestamp() + max_age, tuple(data.items()))
        return self.session_class(data)
