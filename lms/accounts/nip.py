"""NIP (Nomor Induk Pegawai): the 18-digit civil-servant number, parsed and validated.

PNS: birth date, CPNS start (YYYYMM), sex, sequence. PPPK: birth date, start year, 2, a digit
1-9, sex, sequence. See DOMAIN.md. Pure code: reasons are message templates marked with N_.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lms.content.problems import N_


class InvalidNip(ValueError):
    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class Nip:
    value: str
    birth_date: date
    kind: str  # "PNS" or "PPPK"
    start_year: int
    start_month: int | None
    sex: int  # 1 male, 2 female
    sequence: int

    def __str__(self) -> str:
        return self.value

    @property
    def masked(self) -> str:
        """What others may see: the first four and last three digits."""
        return self.value[:4] + "•" * 11 + self.value[-3:]


def normalise_nip(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def looks_like_nip(text: str) -> bool:
    """True when the input is meant as a NIP (digits and spaces only), valid or not."""
    s = normalise_nip(text)
    return bool(s) and s.isdigit() and len(s) >= 8


def parse_nip(text: str) -> Nip:
    s = normalise_nip(text)
    if not s.isdigit():
        raise InvalidNip(N_("a NIP contains digits only"))
    if len(s) != 18:
        raise InvalidNip(N_("a NIP has exactly 18 digits, this one has %(count)d"), count=len(s))
    try:
        birth = date(int(s[0:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        raise InvalidNip(N_("digits 1-8 are not a real birth date (YYYYMMDD)")) from None
    year = int(s[8:12])
    code = int(s[12:14])
    if 1 <= code <= 12:
        kind, month = "PNS", code
    elif 21 <= code <= 29:
        kind, month = "PPPK", None
    else:
        raise InvalidNip(
            N_("digits 13-14 must be a month (01-12) for PNS or 21-29 for PPPK, not %(code)s"),
            code=s[12:14],
        )
    if not 1900 <= birth.year <= datetime.now(UTC).year:
        raise InvalidNip(N_("the birth year %(year)d is not plausible"), year=birth.year)
    if not birth.year + 15 <= year <= datetime.now(UTC).year + 1:
        raise InvalidNip(
            N_("the service start year %(year)d does not fit the birth date"), year=year
        )
    sex = int(s[14])
    if sex not in (1, 2):
        raise InvalidNip(N_("digit 15 (sex) must be 1 or 2, not %(digit)d"), digit=sex)
    sequence = int(s[15:18])
    if sequence == 0:
        raise InvalidNip(N_("the last three digits (sequence) cannot be 000"))
    return Nip(s, birth, kind, year, month, sex, sequence)
