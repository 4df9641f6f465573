"""Mentoring's pure rules: what a confirmed session is worth, and the activity report's period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms.mentoring.services import ActivityFilter, jp_of


@pytest.mark.parametrize(
    ("minutes", "jp_minutes", "jp"),
    [(90, 45, 2.0), (90, 60, 1.5), (15, 45, 0.33), (480, 45, 10.67), (50, 45, 1.11)],
)
def test_a_confirmed_session_is_worth_its_minutes_over_the_jp_setting(minutes, jp_minutes, jp):
    """Is a session worth minutes / LMS_JP_MINUTES JP, rounded to two decimals?"""
    assert jp_of(minutes, jp_minutes) == jp


def test_the_period_is_made_of_whole_local_days():
    """Does 1-31 January in Jakarta run from 31 December 17:00 UTC to 31 January 17:00 UTC?"""
    start, end = ActivityFilter(date(2026, 1, 1), date(2026, 1, 31), zone="Asia/Jakarta").bounds()
    assert start.astimezone(UTC) == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 1, 31, 17, tzinfo=UTC)


def test_the_filter_logs_only_what_was_asked():
    """Does the audit entry hold the period, and the unit only when one was chosen?"""
    assert ActivityFilter(date(2026, 1, 1), date(2026, 12, 31)).describe() == {
        "since": "2026-01-01",
        "until": "2026-12-31",
    }
    assert (
        ActivityFilter(date(2026, 1, 1), date(2026, 12, 31), unit_id=3).describe()["unit_id"] == 3
    )
