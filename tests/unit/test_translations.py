"""The Indonesian catalogue is complete and its compiled .mo matches the .po in the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from io import BytesIO

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUES = ROOT / "lms" / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdfr]")


def load(lang: str):
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def test_every_message_is_translated_to_indonesian():
    """Is any UI message left in English for Indonesian users?"""
    missing = [
        m.id
        for m in load("id")
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in load("id") if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_placeholders_survive_translation():
    for m in load("id"):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        allowed = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= allowed, (m.id, s)


def test_catalogue_covers_every_message_in_the_code(tmp_path):
    """Was a new UI string added without running `make translations`?"""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(pot, "rb") as f:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in load("id") if m.id}
    assert sorted(in_code - catalogue) == []


def test_compiled_catalogue_is_up_to_date():
    """Does the committed .mo carry the same translations as the .po?"""
    with open(CATALOGUES / "id" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = read_mo(BytesIO(f.read()))
    for m in load("id"):
        if m.id:
            got = compiled.get(m.id)
            assert got is not None, m.id
            as_tuple = tuple(got.string) if isinstance(got.string, list | tuple) else got.string
            want = tuple(m.string) if isinstance(m.string, list | tuple) else m.string
            assert as_tuple == want, m.id
