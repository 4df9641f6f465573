"""API tokens (create, authenticate, revoke) and the audited, poll-safe completions feed read.

A token's secret is shown once and kept only as its SHA-256; every feed read leaves an audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Unit, User
from lms.api.feed import BadParameter, FeedPosition, advance
from lms.api.models import ApiToken
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.models import Completion
from lms.reports.models import ExportLog
from lms.reports.queries import CompletionFilter, completion_page, mentoring_page
from lms.reports.rows import CompletionRow

COMPLETIONS_READ = "completions:read"
SCOPES = (COMPLETIONS_READ,)
TOKEN_PREFIX = "lms_"  # noqa: S105 - a marker, not a secret: makes a leaked token recognisable
DISPLAY_CHARS = 12  # "lms_" and 8 characters: enough to tell tokens apart, useless to guess with
WRITER_WAIT = "10s"  # how long a read waits for in-flight completion writes (PostgreSQL)
# A confirmed mentoring session enters the feed this long after its confirmation time: longer
# than any request lives (the worker timeout is 60 s), so none confirmed earlier is still
# uncommitted when a page is read (see lms.reports.queries.mentoring_page).
MENTORING_SETTLE = timedelta(minutes=2)


class InvalidTokenData(DomainError):
    def __init__(self, field: str, template: str, **params):
        super().__init__(template, **params)
        self.field = field


class Unauthorized(Exception):
    """No usable token: missing, malformed, unknown or revoked (HTTP 401)."""

    def __init__(self, message: str, *, presented: bool):
        super().__init__(message)
        self.message = message
        self.presented = presented  # a token was sent: RFC 6750 then says error="invalid_token"


class MissingScope(Exception):
    """A valid token that was not granted what this call needs (HTTP 403)."""

    def __init__(self, scope: str):
        super().__init__(f"This token does not have the scope {scope}.")
        self.message = str(self)
        self.scope = scope


class FeedBusy(Exception):
    """Completion writes did not finish in time; the client should retry shortly (HTTP 503)."""


def hash_secret(secret: str) -> str:
    # A fast hash is enough: the secret has 256 random bits, so there is nothing to brute-force,
    # and an exact-match lookup by hash needs no per-token salt.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_token_named(name: str) -> ApiToken | None:
    return db.session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )


def create_token(
    name: str, scopes: list[str] | tuple[str, ...], created_by: User | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret exists only in the return value: show it once."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidTokenData("name", N_("Give the token a name of at most 80 characters."))
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise InvalidTokenData("scopes", N_("Choose at least one known scope."))
    if active_token_named(name) is not None:
        # Names identify tokens in the audit log and for revoke-api-token: one active per name.
        raise InvalidTokenData(
            "name", N_("An active token named %(name)s exists; revoke it first."), name=name
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        scopes=" ".join(s for s in SCOPES if s in set(scopes)),
        token_hash=hash_secret(secret),
        prefix=secret[:DISPLAY_CHARS],
        created_by=created_by,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def authenticate(header: str | None) -> ApiToken:
    """The active token named by an `Authorization: Bearer <token>` header, or Unauthorized."""
    if not header or not header.strip():
        raise Unauthorized("Send the token in an Authorization: Bearer header.", presented=False)
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        raise Unauthorized("The Authorization header must read 'Bearer <token>'.", presented=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("The token is not valid: unknown or revoked.", presented=True)
    return token


def require_scope(token: ApiToken, scope: str) -> None:
    if scope not in token.scope_set:
        raise MissingScope(scope)


@dataclass(frozen=True)
class FeedPage:
    rows: list[CompletionRow]
    next_position: FeedPosition
    has_more: bool


def read_completions(token: ApiToken, position: FeedPosition, *, limit: int, zone: str) -> FeedPage:
    """The page after `position`, audited (channel "api") and recorded as the token's last use.

    Flushes only: the caller commits, so the audit entry and the rows read are one transaction.
    """
    require_scope(token, COMPLETIONS_READ)
    unit_id = None
    if position.unit:
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == position.unit))
        if unit_id is None:
            raise BadParameter("unit", f"There is no unit with the code {position.unit!r}.")
    f = CompletionFilter(since=position.since, unit_id=unit_id, zone=zone)
    _wait_for_completion_writers()
    completions = completion_page(f, after_id=position.after_id, limit=limit + 1)
    sessions = mentoring_page(
        f,
        after=position.mentoring_after,
        settled_before=utcnow() - MENTORING_SETTLE,
        limit=limit + 1,
    )
    rows = _merged(completions, [row for row, _ in sessions], limit)
    confirmed_at = {row.completion_id: at for row, at in sessions}
    page = FeedPage(
        rows,
        advance(position, rows, confirmed_at),
        has_more=len(completions) + len(sessions) > limit,
    )
    db.session.add(
        ExportLog(
            user_id=None, actor=token.name, channel="api", export_format="json",
            filters={**position.describe(), "limit": limit}, row_count=len(page.rows),
        )
    )  # fmt: skip
    token.last_used_at = utcnow()
    db.session.flush()
    return page


def _merged(
    completions: list[CompletionRow], sessions: list[CompletionRow], limit: int
) -> list[CompletionRow]:
    """Up to `limit` records of both kinds, interleaved by record time. Each kind keeps its own
    feed order, and the page takes a prefix of each: so the cursor, which moves each kind's key
    past the last record of that kind on the page, skips and repeats nothing."""
    merged: list[CompletionRow] = []
    c = m = 0
    while len(merged) < limit and (c < len(completions) or m < len(sessions)):
        take_session = m < len(sessions) and (
            c == len(completions) or sessions[m].completed_at < completions[c].completed_at
        )
        if take_session:
            merged.append(sessions[m])
            m += 1
        else:
            merged.append(completions[c])
            c += 1
    return merged


def _wait_for_completion_writers() -> None:
    """Make sure no completion with an id below those about to be read is still uncommitted.

    The feed is read by id (`WHERE id > :after ORDER BY id`): ids are handed out when a
    completion is inserted and never change, while completed_at is chosen by the writer and may
    commit later than a newer time (ordering by it can skip records for good). One gap remains:
    an id is handed out at INSERT, before COMMIT. On PostgreSQL a slow transaction holding id 10
    may commit after a quick one holding id 11 was read; a poller already past 11 never sees 10.
    Every inserting transaction holds ROW EXCLUSIVE on the table until it ends, and SHARE mode
    conflicts with it: taking SHARE waits for the inserts in flight and holds new ones off until
    this request commits (milliseconds: a page read and an audit row), so the page's snapshot,
    taken after the lock, contains every id that will ever exist below its highest id.
    SQLite needs nothing: it has one writer at a time, so ids commit in order (and this request
    holds the write lock from its first statement, see lms.database.record_on_read).
    Completions are never deleted (SQLite would reuse the highest id after a delete).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    try:
        db.session.execute(text(f"SET LOCAL lock_timeout = '{WRITER_WAIT}'"))
        db.session.execute(text(f"LOCK TABLE {Completion.__tablename__} IN SHARE MODE"))
    except OperationalError as exc:  # lock_timeout: writers are stuck; better late than wrong
        raise FeedBusy() from exc
