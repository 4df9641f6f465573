"""Password strength rules: long enough and not one of the shapes people (and attackers) try first.

Rules instead of a downloaded list: repeated or sequential characters, keyboard walks, and
common words (including local ones) padded with digits or symbols, also in leetspeak.
"""

from __future__ import annotations

import re
from itertools import pairwise

MIN_LENGTH = 10

COMMON_WORDS = frozenset(
    {
        "password", "passwort", "qwerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "admin",
        "administrator", "welcome", "letmein", "iloveyou", "monkey", "dragon", "football",
        "baseball", "superman", "sunshine", "princess", "master", "shadow", "trustno", "secret",
        "changeme", "default", "login", "user", "test", "guest", "root", "abc", "abcdef",
        # Indonesian and local words people use as passwords
        "sayang", "sayangku", "cinta", "cintaku", "rahasia", "katasandi", "sandi", "bismillah",
        "alhamdulillah", "indonesia", "indonesiaraya", "merdeka", "garuda", "pancasila",
        "jakarta", "bandung", "surabaya", "semarang", "medan", "pontianak", "tanjungpinang",
        "sawahlunto", "makassar", "yogyakarta", "jogja", "pegawai", "asn", "pns", "bkpsdm",
        "kepegawaian", "portal", "belajar", "elearning", "masuk", "selamat", "selamatdatang",
        "kantor", "dinas", "pemkot", "pemkab", "rahasiaku", "anakku", "mamah", "bapak", "ibu",
    }
)  # fmt: skip

_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


def _is_run(text: str) -> bool:
    """Every character follows the previous one up or down by one (12345678, abcdefgh, 9876...)."""
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return len(text) > 2 and (steps <= {1} or steps <= {-1})


def _is_keyboard_walk(text: str) -> bool:
    return any(text in row or text in row[::-1] for row in _KEYBOARD_ROWS) and len(text) >= 6


def _is_repetition(text: str) -> bool:
    return any(len(text) % k == 0 and text == text[:k] * (len(text) // k) for k in range(1, 5))


def is_common(password: str) -> bool:
    lowered = password.lower()
    if len(set(lowered)) <= 2 or _is_repetition(lowered) or _is_run(lowered):
        return True
    if _is_keyboard_walk(lowered):
        return True
    if lowered.isdigit() and len(lowered) < 12:  # dates of birth, phone-like numbers
        return True
    # A common word padded with digits, symbols or a year: "Password2024!", "indonesia123".
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    for candidate in {core, core.translate(_LEET), lowered.translate(_LEET)}:
        letters = re.sub(r"[\d\W_]+", "", candidate)
        if letters in COMMON_WORDS or candidate in COMMON_WORDS:
            return True
        if _is_keyboard_walk(letters) or (letters and _is_repetition(letters) and len(letters) < 6):
            return True
    return False
