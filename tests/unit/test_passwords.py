"""Password rules: the shapes people try first are refused, ordinary passphrases are not."""

from __future__ import annotations

import pytest

from lms.accounts.passwords import is_common


@pytest.mark.parametrize(
    "password",
    ["1234567890", "0987654321", "aaaaaaaaaaaa", "abababababab", "abcdefghijk", "qwertyuiop",
     "1qaz2wsx3edc", "Password2024!", "P@ssw0rd123", "indonesia123", "Bismillah2025",
     "jakarta!!2024", "admin12345", "iloveyou99", "17081945", "Sayangku2026"],
)  # fmt: skip
def test_common_passwords_are_refused(password):
    """Is a password an attacker would try early refused?"""
    assert is_common(password)


@pytest.mark.parametrize(
    "password",
    ["kata-sandi-baru-99", "guru-hebat-2026", "belajar-asn-2026", "pelatih-asn-2026",
     "arsip-pegawai-2026", "admin-portal-2026", "kopi tubruk pagi hari", "Tj7#mQ2v!xLp", "123456789012345"],
)  # fmt: skip
def test_ordinary_passphrases_are_accepted(password):
    """Can a person still choose a memorable passphrase?"""
    assert not is_common(password)
