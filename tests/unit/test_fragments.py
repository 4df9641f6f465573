"""The `{% cache %}` template tag: a fragment renders once per key, and only its keys matter."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment

from lms import fragments
from lms.fragments import FragmentCache


@pytest.fixture
def env():
    return Environment(
        loader=DictLoader(
            {
                "page.html": "{% cache lang %}<p>{{ count() }} {{ text }}</p>{% endcache %}",
                "other.html": "{% cache lang %}<p>other {{ count() }}</p>{% endcache %}",
                "two.html": "{% cache %}a{{ count() }}{% endcache %}{% cache %}b{{ count() }}{% endcache %}",
            }
        ),
        autoescape=True,
        extensions=[FragmentCache],
    )


@pytest.fixture
def count():
    calls = []

    def count():
        calls.append(1)
        return len(calls)

    return count


def test_a_fragment_renders_once_per_key(env, count):
    """Is the body rendered again for a key it has already rendered?"""
    page = env.get_template("page.html")
    assert page.render(lang="id", text="a", count=count) == "<p>1 a</p>"
    assert page.render(lang="id", text="b", count=count) == "<p>1 a</p>"  # text is not a key
    assert page.render(lang="en", text="c", count=count) == "<p>2 c</p>"
    assert page.render(lang="en", text="d", count=count) == "<p>2 c</p>"


def test_fragments_of_other_templates_and_lines_are_apart(env, count):
    """Can two `{% cache %}` tags with the same keys show each other's HTML?"""
    assert env.get_template("page.html").render(lang="id", text="a", count=count) == "<p>1 a</p>"
    assert env.get_template("other.html").render(lang="id", count=count) == "<p>other 2</p>"
    assert env.get_template("two.html").render(count=count) == "a3b4"


def test_the_body_is_escaped_once(env, count):
    """Is a cached fragment escaped like the rest of the template, and not twice?"""
    page = env.get_template("page.html")
    assert page.render(lang="id", text="<b>&", count=count) == "<p>1 &lt;b&gt;&amp;</p>"
    assert page.render(lang="id", text="x", count=count) == "<p>1 &lt;b&gt;&amp;</p>"


def test_the_store_starts_again_when_full(env, count, monkeypatch):
    """Does the store stay bounded in memory?"""
    monkeypatch.setattr(fragments, "MAX_CHARACTERS", 20)
    page = env.get_template("page.html")
    for i in range(10):
        page.render(lang=str(i), text="abcdefghij", count=count)
    store = env.extensions[f"{FragmentCache.__module__}.{FragmentCache.__name__}"]
    assert store.characters <= 20 + len("<p>10 abcdefghij</p>")
    assert len(store.fragments) < 10
