"""Markup that assistive technology relies on and axe-core cannot judge alone."""

from __future__ import annotations

import re

from tests.conftest import make_user, sign_in


def test_a_group_of_checkboxes_is_named_by_a_legend(app, client):
    """Does a screen reader hear "Roles" when it reaches the role checkboxes?"""
    _, admin = make_user(app, "admin", login="admin")
    sign_in(client, admin)
    page = client.get("/admin/users/new").get_data(as_text=True)
    group = re.search(
        r"<fieldset[^>]*>\s*<legend[^>]*>([^<]+)</legend>(.*?)</fieldset>", page, re.S
    )
    assert group and group.group(1).strip() == "Peran"
    assert group.group(2).count('type="checkbox"') == 4
    assert '<label for="roles"' not in page  # a label naming a list, not a control


def test_tables_that_scroll_on_phones_can_be_scrolled_by_keyboard(app, client):
    """Can a keyboard user reach (and so scroll) a wide table that holds no link?"""
    _, login = make_user(app, "hr", "learner")
    sign_in(client, login)
    page = client.get("/employees/import").get_data(as_text=True)
    boxes = re.findall(r'<div class="table-scroll"[^>]*>', page)
    assert len(boxes) == 2
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box and "aria-labelledby=" in box
