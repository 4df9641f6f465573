"""Structured request logs: one JSON line per request (method, path, status, duration, user).

Written to the `lms.request` logger on stderr, which gunicorn and systemd/journald collect.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, request
from flask_login import current_user

logger = logging.getLogger("lms.request")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "entry", None) or {"message": record.getMessage()}
        return json.dumps(
            {
                "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname,
                **entry,
            },
            ensure_ascii=False,
        )


def register(app: Flask) -> None:
    if not app.config.get("LMS_REQUEST_LOG", True):
        return
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def start_timer():
        g.lms_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if not logger.isEnabledFor(logging.INFO):
            return response
        started = g.get("lms_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        user_id = current_user.get_id().partition(":")[0] if current_user.is_authenticated else None
        entry = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration,
            "user_id": int(user_id) if user_id else None,
            "ip": request.remote_addr,
            "bytes": response.calculate_content_length(),
        }
        # Not logger.info(): it also walks the stack for the calling line, which the JSON line
        # does not show, and that costs as much as the rest of this hook.
        logger.handle(
            logger.makeRecord(
                logger.name, logging.INFO, "", 0, "request", None, None, extra={"entry": entry}
            )
        )
        return response
