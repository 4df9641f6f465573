"""Fixed vocabularies a course package is checked against: categories and built-in competencies.

The managerial and socio-cultural competencies come from PermenPANRB 38/2017.
"""

from __future__ import annotations

import re

CATEGORIES: dict[str, str] = {
    "manajemen-proyek": "Manajemen Proyek",
    "pelayanan-publik": "Pelayanan Publik",
    "kesehatan": "Kesehatan",
    "kepemimpinan": "Kepemimpinan",
    "keuangan-daerah": "Keuangan Daerah",
    "teknologi-informasi": "Teknologi Informasi",
    "administrasi-pemerintahan": "Administrasi Pemerintahan",
    "pengembangan-diri": "Pengembangan Diri",
}

BUILTIN_COMPETENCIES: dict[str, str] = {
    "M1": "Integritas",
    "M2": "Kerja Sama",
    "M3": "Komunikasi",
    "M4": "Orientasi pada Hasil",
    "M5": "Pelayanan Publik",
    "M6": "Pengembangan Diri dan Orang Lain",
    "M7": "Mengelola Perubahan",
    "M8": "Pengambilan Keputusan",
    "SK1": "Perekat Bangsa",
}

TECHNICAL_CODE = re.compile(r"^T-[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def is_known_competency_code(code: str) -> bool:
    """Built-in codes, or a technical code shaped like T-SOMETHING (agencies define those)."""
    return code in BUILTIN_COMPETENCIES or bool(TECHNICAL_CODE.match(code))


def competency_name(code: str) -> str:
    return BUILTIN_COMPETENCIES.get(code, code)
