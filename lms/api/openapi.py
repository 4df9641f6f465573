"""The OpenAPI 3.0 description of the API, written by hand next to the code it describes.

Served at /api/v1/openapi.json; a test checks that every parameter it lists is accepted.
"""

from __future__ import annotations

from lms.api.feed import DEFAULT_LIMIT, MAX_LIMIT
from lms.api.services import COMPLETIONS_READ

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_NULLABLE_INTEGER = {"type": "integer", "nullable": True}
_COMPLETION = {
    "type": "object",
    "description": (
        "A learning record, with the same keys as the portal's JSON export: a completed course "
        '(kind "completion") or a confirmed mentoring session of the mentee (kind "mentoring", '
        'SIASN jenisDiklatId 15). A mentoring record has course_code "", course_title '
        '"Mentoring: <programme>", certificate_no "" and null course_version, enrolled_at and '
        "score; its completed_at is the meeting's start."
    ),
    "required": [
        "kind",
        "completion_id",
        "mentoring_session_id",
        "nip_or_username",
        "course_code",
        "completed_at",
        "jp",
    ],
    "properties": {
        "kind": {"type": "string", "enum": ["completion", "mentoring"]},
        "completion_id": {
            **_NULLABLE_INTEGER,
            "description": "A completion's stable id (completions come in its order); null "
            "for a mentoring record.",
        },
        "mentoring_session_id": {
            **_NULLABLE_INTEGER,
            "description": "A mentoring record's stable id (they come in the order they were "
            "confirmed); null for a completion.",
        },
        "nip_or_username": {
            **_STRING,
            "description": "18-digit NIP, or the username of a non-ASN account.",
        },
        "name": _STRING,
        "unit_code": _NULLABLE_STRING,
        "unit_name": _NULLABLE_STRING,
        "course_code": {**_STRING, "description": 'Empty ("") for a mentoring record.'},
        "course_title": {
            **_STRING,
            "description": 'Title of the version completed, or "Mentoring: <programme>".',
        },
        "course_version": _NULLABLE_INTEGER,
        "competency_codes": {"type": "array", "items": _STRING, "example": ["M1", "T-PM"]},
        "jp": {"type": "number", "description": "Learning hours (jam pelajaran) earned."},
        "enrolled_at": {
            **_TIME,
            "nullable": True,
            "description": "ISO 8601 with the portal's zone offset; null for mentoring.",
        },
        "completed_at": {
            **_TIME,
            "description": "ISO 8601 with the portal's zone offset (a mentoring meeting's start).",
        },
        "completed_on": {"type": "string", "format": "date", "description": "Local day."},
        "score": {"type": "number", "minimum": 0, "maximum": 100, "nullable": True},
        "certificate_no": {**_STRING, "description": 'Empty ("") for a mentoring record.'},
        "jenis": {
            **_STRING,
            "description": "SIASN jenisDiklat name: E-Learning, Mentoring, ...",
            "example": "Mentoring",
        },
    },
}

_PAGE = {
    "type": "object",
    "required": ["data", "next_cursor", "has_more"],
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Completion"}},
        "next_cursor": {
            **_STRING,
            "description": (
                "Always present. Send it back as `cursor` for the next page; after the last "
                "page, keep it and call again later to receive only newer records of both kinds."
            ),
        },
        "has_more": {"type": "boolean", "description": "More records are ready now."},
    },
}

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {
            "type": "string",
            "enum": ["bad_request", "unauthorized", "forbidden", "busy"],
        },
        "message": _STRING,
        "parameter": {**_STRING, "description": "The query parameter at fault (400 only)."},
    },
}

_PARAMETERS = [
    {
        "name": "since",
        "in": "query",
        "required": False,
        "description": (
            "Only records on or after this day (YYYY-MM-DD, the portal's zone): completions "
            "by completion day, mentoring records by the meeting's day."
        ),
        "schema": {"type": "string", "format": "date", "example": "2026-01-01"},
    },
    {
        "name": "unit",
        "in": "query",
        "required": False,
        "description": "Only learners of this unit (by code) and of its sub-units.",
        "schema": {"type": "string", "example": "DINKES"},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Records per page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
        },
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": (
            "Opaque `next_cursor` of the previous page. It carries the filters it was issued "
            "for: `since` and `unit` may be left out, or must be the same."
        ),
        "schema": {"type": "string"},
    },
]


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Portal Belajar ASN API",
            "version": "1.0.0",
            "description": (
                "Learning records for the competency-profile system: completed courses and "
                "confirmed mentoring sessions (kind). Poll /completions with the last "
                "`next_cursor`: each record is delivered exactly once (completions in id order, "
                "mentoring records in confirmation order, a session two minutes after it was "
                "confirmed), including records written while you page. Every call is "
                "written to the portal's audit log."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        # OpenAPI 3.0 lists scopes only for OAuth2 schemes; a bearer token's scope is described.
        "security": [{"bearerAuth": []}],
        "paths": {
            "/completions": {
                "get": {
                    "operationId": "listCompletions",
                    "summary": "Learning records (completions, mentoring) after a cursor",
                    "parameters": _PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "A page of records, both kinds by record time.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CompletionPage"}
                                }
                            },
                        },
                        "400": _error("A parameter is invalid (date, limit, cursor, unit)."),
                        "401": _error("The token is missing, malformed, unknown or revoked."),
                        "403": _error(f"The token lacks the scope {COMPLETIONS_READ}."),
                        "503": {
                            **_error("Records being written did not settle; retry shortly."),
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        },
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A token created by an administrator; it starts with lms_. "
                        f"This endpoint needs the scope {COMPLETIONS_READ}."
                    ),
                }
            },
            "schemas": {"Completion": _COMPLETION, "CompletionPage": _PAGE, "Error": _ERROR},
        },
    }
