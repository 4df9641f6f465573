"""A notification opens a path on this portal, never another site."""

from __future__ import annotations

import pytest

from lms.notifications.services import is_own_path


@pytest.mark.parametrize(
    "url",
    ["/my", "/courses/TES-101/discussion/threads/3#post-9", "/notifications?page=2"],
)
def test_paths_on_the_portal_are_accepted(url):
    """Are the portal's own paths, with a query or a fragment, accepted?"""
    assert is_own_path(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "my",
        "https://jahat.example/",
        "//jahat.example/",
        "/\\jahat.example",
        "javascript:alert(1)",
        "/my\n/evil",
        "data:text/html,hi",
    ],
)
def test_other_sites_and_tricks_are_refused(url):
    """Are full addresses, protocol-relative ones, schemes and control characters refused?"""
    assert not is_own_path(url)
