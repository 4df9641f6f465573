"""The module page is mostly cached HTML: does every reader still see their own page?

Fragments are shared by the readers of one worker process, keyed by course version, module,
language, roles and progress; the reader's name, form tokens and messages are never cached.
"""

from __future__ import annotations

import re

from tests.conftest import make_user, sign_in

MODULE = "/courses/TES-101/modules/modul-2"


def reader(app, course, *roles, name, locale=None):
    """A signed-in client of a new user enrolled in the course, in the given language."""
    client = app.test_client()
    _user_id, login = make_user(app, *roles, name=name)
    sign_in(client, login)
    if locale:
        client.post("/language", data={"locale": locale, "next": "/my"})
    client.post(f"/courses/{course}/enrol")
    return client


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_each_reader_sees_their_own_name_progress_and_form_token(app, course):
    """After one learner's page is cached, does the next learner see any of it as theirs?"""
    ani = reader(app, course, "learner", name="Ani Lestari")
    ani.post(f"/courses/{course}/modules/modul-1/done")
    budi = reader(app, course, "learner", name="Budi Santoso")

    first = ani.get(MODULE).get_data(as_text=True)
    second = budi.get(MODULE).get_data(as_text=True)
    again = ani.get(MODULE).get_data(as_text=True)

    assert "Ani Lestari" in first and "Budi Santoso" not in first
    assert "Budi Santoso" in second and "Ani Lestari" not in second
    assert "1 dari 2 modul selesai" in first and "0 dari 2 modul selesai" in second
    assert 'class="is-done"' in first and 'class="is-done"' not in second
    assert len(csrf_tokens(first)) == 1 and len(csrf_tokens(second)) == 1
    assert csrf_tokens(first) != csrf_tokens(second)
    assert "Ani Lestari" in again and "1 dari 2 modul selesai" in again


def test_marking_a_module_done_shows_on_the_next_view(app, course):
    """Is a cached module page stale after the learner marks it done?"""
    client = reader(app, course, "learner", name="Citra Dewi")
    assert "Tandai selesai" in client.get(MODULE).get_data(as_text=True)
    client.post(f"{MODULE}/done")
    page = client.get(MODULE).get_data(as_text=True)
    assert "Tandai selesai" not in page and "Anda telah menandai modul ini selesai" in page


def test_language_and_roles_of_the_reader_shape_the_page(app, course):
    """Does a reader in English, or with more roles, get a page cached for someone else?"""
    learner = reader(app, course, "learner", name="Dedi Kurnia")
    trainer = reader(app, course, "learner", "trainer", name="Eka Putri")
    english = reader(app, course, "learner", name="Fajar Nugroho", locale="en")

    pages = {}
    for name, client in [("learner", learner), ("trainer", trainer), ("english", english)] * 2:
        pages.setdefault(name, []).append(client.get(MODULE).get_data(as_text=True))

    for page in pages["english"]:
        assert '<html lang="en">' in page and "Course progress" in page
        assert "Mark as done" in page and "Sign out" in page and "Kemajuan kursus" not in page
    for page in pages["learner"] + pages["trainer"]:
        assert '<html lang="id">' in page and "Kemajuan kursus" in page
        assert "Course progress" not in page and "Sign out" not in page
    assert all('href="/author/"' in page for page in pages["trainer"])
    assert not any('href="/author/"' in page for page in pages["learner"] + pages["english"])
