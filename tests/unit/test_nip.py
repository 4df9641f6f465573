"""NIP validation: PNS and PPPK numbers, and the reason shown for each kind of mistake."""

from __future__ import annotations

import pytest

from lms.accounts.nip import InvalidNip, looks_like_nip, parse_nip


def test_pns_nip_is_parsed():
    """Is a PNS NIP read into birth date, CPNS start, sex and sequence, spaces allowed?"""
    nip = parse_nip("19860926 201505 1 001")
    assert nip.value == "198609262015051001"
    assert (nip.kind, nip.birth_date.isoformat(), nip.start_year, nip.start_month) == (
        "PNS", "1986-09-26", 2015, 5,
    )  # fmt: skip
    assert (nip.sex, nip.sequence) == (1, 1)
    assert nip.masked == "1986•••••••••••001"


def test_pppk_nip_is_parsed():
    """Is a PPPK NIP (digits 13-14 between 21 and 29) accepted?"""
    nip = parse_nip("199203152023212004")
    assert nip.kind == "PPPK" and nip.start_year == 2023 and nip.sex == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12345", "exactly 18 digits, this one has 5"),
        ("1986092620150510012", "exactly 18 digits, this one has 19"),
        ("19860926201505100A", "digits only"),
        ("198602302015051001", "not a real birth date"),
        ("198609262015001001", "must be a month (01-12) for PNS or 21-29 for PPPK, not 00"),
        ("198609262015131001", "not 13"),
        ("198609262015301001", "not 30"),
        ("198609262015053001", "digit 15 (sex) must be 1 or 2, not 3"),
        ("198609262015051000", "cannot be 000"),
        ("198609261990051001", "does not fit the birth date"),
        ("185009262015051001", "birth year 1850 is not plausible"),
    ],
)
def test_invalid_nips_say_why(text, reason):
    """Does each invalid NIP fail with a reason a person can act on?"""
    with pytest.raises(InvalidNip) as info:
        parse_nip(text)
    assert reason in str(info.value)


def test_what_counts_as_an_attempted_nip():
    """Is a digits-only login treated as a NIP, and a username not?"""
    assert looks_like_nip("1986 0926 2015")
    assert not looks_like_nip("admin")
    assert not looks_like_nip("pelatih2")
