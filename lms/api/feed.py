"""The completions feed's request and position: query parameters, the opaque cursor, the items.

Pure (no database): parsing and signing are tested here and shared by the view and the OpenAPI text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from itsdangerous import BadSignature, URLSafeSerializer

from lms.reports.exports import json_record
from lms.reports.rows import CompletionRow

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PARAMETERS = ("since", "unit", "limit", "cursor")
CURSOR_SALT = "lms.api.completions.cursor"
CURSOR_VERSION = 1
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
    """Where a poller is: its filters and the last completion id it has been given."""

    since: date | None = None
    unit: str | None = None  # unit code; the unit's sub-units are included
    after_id: int = 0

    def describe(self) -> dict:
        """For the audit log: the filters asked for and the cursor position."""
        described: dict[str, object] = {"after_id": self.after_id}
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
    payload = {"v": CURSOR_VERSION, "after": position.after_id}
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
    if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION:
        raise BadParameter("cursor", "The cursor is from an older version; start again.")
    since = payload.get("since")
    return FeedPosition(
        since=date.fromisoformat(since) if since else None,
        unit=payload.get("unit"),
        after_id=int(payload["after"]),
    )


def _day(text: str) -> date:
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter("since", "since must be a date written YYYY-MM-DD.") from None


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


def advance(position: FeedPosition, rows: list[CompletionRow]) -> FeedPosition:
    """The position after a page; unchanged after an empty page, so polling can resume there."""
    return replace(position, after_id=rows[-1].completion_id) if rows else position


def item(row: CompletionRow, zone: str) -> dict[str, object]:
    """A completion as the JSON export writes it, plus its id (the feed's stable key)."""
    return {"completion_id": row.completion_id, **json_record(row, zone)}
