"""Learning streaks and the pace toward the yearly JP target."""

from __future__ import annotations

from datetime import date

import pytest

from lms.learning.incentives import learning_streak, pace


@pytest.mark.parametrize(
    ("months", "today", "expected"),
    [
        (set(), date(2026, 11, 23), 0),
        ({(2026, 11)}, date(2026, 11, 23), 1),
        ({(2026, 9), (2026, 10), (2026, 11)}, date(2026, 11, 23), 3),
        # This month has no learning yet: the streak up to last month still counts.
        ({(2026, 9), (2026, 10)}, date(2026, 11, 1), 2),
        # A gap ends the streak.
        ({(2026, 8), (2026, 10), (2026, 11)}, date(2026, 11, 23), 2),
        # Two months without learning: the streak is over.
        ({(2026, 8), (2026, 9)}, date(2026, 11, 23), 0),
        # Across the new year.
        ({(2025, 11), (2025, 12), (2026, 1)}, date(2026, 1, 5), 3),
    ],
)
def test_streak_counts_consecutive_months_up_to_now(months, today, expected):
    """Is the streak the run of consecutive months with learning that reaches this month?"""
    assert learning_streak(months, today) == expected


def test_pace_spreads_the_target_over_the_year():
    """Halfway through the year, is a learner with 8 of 20 JP behind by about 2 JP?"""
    mid = pace(8.0, 20.0, date(2026, 7, 2))  # day 183 of 365
    assert mid.expected == 10.0 and not mid.ahead and mid.behind_by == 2.0
    early = pace(2.0, 20.0, date(2026, 1, 15))
    assert early.ahead and early.behind_by == 0.0
    assert pace(20.0, 20.0, date(2026, 12, 31)).reached
    assert pace(0.0, 20.0, date(2026, 12, 31)).expected == 20.0
