"""The completions feed's request and position: query parameters, the opaque cursor, the items.

Pure (no database): parsing and signing are tested here and shared by the view and the OpenAPI text.
The feed carries two kinds of learning record, each with its own key: completions by id, confirmed
mentoring sessions by (confirmation time, id). The cursor holds both positions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from lms.reports.exports import json_record
from lms.reports.rows import MENTORING, CompletionRow

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PARAMETERS = ("since", "unit", "limit", "cursor")
CURSOR_SALT = "lms.api.completions.cursor"
CURSOR_VERSION = 2  # 2 added the mentoring position; a version 1 cursor still reads (see below)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d also matches "٢"
_NUMBER = re.compile(r"[0-9]{1,4}")


class BadParameter(ValueError):
    """A query parameter the API cannot use; answered with 400 and the parameter's name."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class FeedPosition:
    """Where a poller is: its filters, the last completion id and the last mentoring record
    (confirmation time, session id) it has been given."""

    since: date | None = None
    unit: str | None = None  # unit code; the unit's sub-units are included
    after_id: int = 0
    mentoring_after: tuple[datetime, int] | None = None  # None: no mentoring record given yet

    def describe(self) -> dict:
        """For the audit log: the filters asked for and the cursor position."""
        described: dict[str, object] = {"after_id": self.after_id}
        if self.mentoring_after:
            at, session_id = self.mentoring_after
            described["mentoring_after"] = [at.isoformat(), session_id]
        if self.since:
            described["since"] = self.since.isoformat()
        if self.unit:
            described["unit"] = self.unit
        return described


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=CURSOR_SALT)


def encode_cursor(position: FeedPosition, secret_key: str) -> str:
    """Signed, not encrypted: nothing in it is secret, but a client cannot alter the position or
    carry it over to other filters (that would skip or repeat records without anyone noticing)."""
    payload: dict[str, object] = {"v": CURSOR_VERSION, "after": position.after_id}
    if position.mentoring_after:
        at, session_id = position.mentoring_after
        payload["m"] = [at.astimezone(UTC).isoformat(), session_id]
    if position.since:
        payload["since"] = position.since.isoformat()
    if position.unit:
        payload["unit"] = position.unit
    return _serializer(secret_key).dumps(payload)


def decode_cursor(text: str, secret_key: str) -> FeedPosition:
    try:
        payload = _serializer(secret_key).loads(text)
    except BadSignature:
        raise BadParameter("cursor", "The cursor is not one this API issued.") from None
    # A version 1 cursor (completions only) is a version 2 one that has seen no mentoring
    # record yet: its poller then gets every mentoring record once, and no completion again.
    if not isinstance(payload, dict) or payload.get("v") not in (1, CURSOR_VERSION):
        raise BadParameter("cursor", "The cursor is from an older version; start again.")
    since = payload.get("since")
    mentoring = payload.get("m")
    return FeedPosition(
        since=date.fromisoformat(since) if since else None,
        unit=payload.get("unit"),
        after_id=int(payload["after"]),
        mentoring_after=(
            (datetime.fromisoformat(mentoring[0]), int(mentoring[1])) if mentoring else None
        ),
    )


def _day(text: str) -> date:
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
        if not 1900 <= day.year <= 2999:  # a period reaching year 1 or 9999 cannot be computed
            raise ValueError(text)
        return day
    except ValueError:
        raise BadParameter(
            "since", "since must be a date written YYYY-MM-DD, between 1900 and 2999."
        ) from None


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not _NUMBER.fullmatch(text) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(text)


def parse_request(args: Mapping[str, str], secret_key: str) -> tuple[FeedPosition, int]:
    """The position and page size a request asks for.

    Unknown parameters are refused rather than ignored: a misspelt filter ("sinse") would
    otherwise hand out every record, and the portal exports nothing the filter did not ask for.
    With a cursor, `since` and `unit` may be repeated but must be the cursor's own.
    """
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise BadParameter(unknown[0], f"Unknown parameter {unknown[0]!r}; use {PARAMETERS}.")
    asked = FeedPosition(
        since=_day(args["since"]) if args.get("since") else None,
        unit=args.get("unit") or None,
    )
    limit = _limit(args.get("limit"))
    if not args.get("cursor"):
        return asked, limit
    position = decode_cursor(args["cursor"], secret_key)
    for name in ("since", "unit"):
        if args.get(name) and getattr(asked, name) != getattr(position, name):
            raise BadParameter(name, f"{name} differs from the filter the cursor was issued for.")
    return position, limit


def advance(
    position: FeedPosition, rows: list[CompletionRow], confirmed_at: Mapping[int, datetime]
) -> FeedPosition:
    """The position after a page: past the last completion and the last mentoring record it
    gave (`confirmed_at`: the confirmation time of each mentoring session on the page). Either
    key stays where it was when the page had none of that kind, so polling resumes there."""
    for row in reversed(rows):
        if row.kind != MENTORING:
            position = replace(position, after_id=row.completion_id)
            break
    for row in reversed(rows):
        if row.kind == MENTORING:
            key = (confirmed_at[row.completion_id], row.completion_id)
            position = replace(position, mentoring_after=key)
            break
    return position


def item(row: CompletionRow, zone: str) -> dict[str, object]:
    """A record as the JSON export writes it ("kind" says which), plus its stable id:
    `completion_id` for a completion, `mentoring_session_id` for a mentoring record."""
    mentoring = row.kind == MENTORING
    return {
        "completion_id": None if mentoring else row.completion_id,
        "mentoring_session_id": row.completion_id if mentoring else None,
        **json_record(row, zone),
    }
