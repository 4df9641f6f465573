"""Settings for the portal, read from LMS_* environment variables.

Every setting has a development default that needs nothing installed (SQLite under instance/).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the portal refuses to start."""


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment and explicit overrides."""
    env = os.environ
    overrides = dict(overrides or {})
    production = _bool(env.get("LMS_PRODUCTION")) or overrides.get("LMS_PRODUCTION", False)
    secret = overrides.get("SECRET_KEY") or env.get("LMS_SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("LMS_SECRET_KEY must be set when LMS_PRODUCTION is on.")
        # Development: a per-instance key kept in instance/ so sessions survive restarts.
        secret = _development_secret(instance_path)

    default_db = "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")
    config = {
        "SECRET_KEY": secret,
        "LMS_PRODUCTION": production,
        "SQLALCHEMY_DATABASE_URI": env.get("LMS_DATABASE_URL", default_db),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("LMS_SECURE_COOKIES"), default=production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("LMS_SECURE_COOKIES"), default=production),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": env.get("LMS_DEFAULT_LOCALE", "id"),
        "BABEL_DEFAULT_TIMEZONE": env.get("LMS_TIMEZONE", "Asia/Jakarta"),
        "LMS_LANGUAGES": ("id", "en"),
        "LMS_JP_MINUTES": int(env.get("LMS_JP_MINUTES", "45")),
        "LMS_JP_TARGET": float(env.get("LMS_JP_TARGET", "20")),
        "LMS_PORTAL_NAME": env.get("LMS_PORTAL_NAME", "Portal Belajar ASN"),
        "LMS_ORGANISER": env.get("LMS_ORGANISER", "BKPSDM"),
        # HR's list of the most active learners per unit (for recognition); 0 hides it.
        "LMS_RECOGNITION": _bool(env.get("LMS_RECOGNITION"), default=True),
        # The portal's public address, for xAPI identifiers written from the shell.
        "LMS_PORTAL_URL": env.get("LMS_PORTAL_URL", ""),
        # How long a worker trusts its cached "current version" of a course before re-reading it.
        "LMS_CATALOG_TTL": float(env.get("LMS_CATALOG_TTL", "5")),
        "RATELIMIT_STORAGE_URI": env.get("LMS_REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LMS_LOGIN_LIMIT_ACCOUNT": env.get("LMS_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "LMS_LOGIN_LIMIT_IP": env.get("LMS_LOGIN_LIMIT_IP", "50 per 15 minutes"),
        # Unknown or malformed numbers asked of the public certificate check, per address.
        "LMS_VERIFY_LIMIT": env.get("LMS_VERIFY_LIMIT", "30 per 10 minutes"),
        # Discussion posts (questions, answers, edits) per person.
        "LMS_DISCUSSION_LIMIT": env.get("LMS_DISCUSSION_LIMIT", "6 per minute;40 per hour"),
        # Number of reverse proxies in front of the portal whose X-Forwarded-* headers to trust.
        "LMS_PROXY_COUNT": int(env.get("LMS_PROXY_COUNT", "0")),
        "LMS_REQUEST_LOG": _bool(env.get("LMS_REQUEST_LOG"), default=True),
        "LMS_COURSES_PATH": env.get("LMS_COURSES_PATH", str(Path.cwd() / "courses")),
        # Course images and attachments, stored by content hash. Several machines behind one
        # database must share this folder (NFS or similar); see docs/deploy.md.
        "LMS_FILES_DIR": env.get("LMS_FILES_DIR", str(Path(instance_path) / "course-files")),
        "LMS_UPLOAD_MB": float(env.get("LMS_UPLOAD_MB", "5")),
        # Refuse bigger requests before reading them (uploads are spooled to disk otherwise).
        "MAX_CONTENT_LENGTH": int(env.get("LMS_MAX_REQUEST_MB", "16")) * 1024 * 1024,
    }
    config.update(overrides)
    return config


def _development_secret(instance_path: str) -> str:
    # `make run` writes instance/secret_key once so sessions survive restarts; without it each
    # process gets its own random key (sessions end on restart, nothing is written here).
    try:
        return (Path(instance_path) / "secret_key").read_text().strip()
    except OSError:
        return secrets.token_hex(32)
