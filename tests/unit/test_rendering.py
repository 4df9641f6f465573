"""render_markdown: rich Markdown keeps its structure; nothing active survives hostile input."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content import render_markdown
from lms.content.rendering import ALLOWED_TAGS, render_document

SAFE_TAGS = ALLOWED_TAGS
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Inspector(HTMLParser):
    """Collects everything in rendered HTML that a browser could act on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.active: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.active.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "action"):
                self.active.append(f"{tag}[{name}]")
            if name in ("href", "src") and value is not None:
                # Browsers ignore tabs, newlines and leading spaces/control characters in URLs.
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = urlsplit(cleaned).scheme
                if scheme and scheme not in SAFE_SCHEMES:
                    self.active.append(f"{tag}[{name}={value}]")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.active.append("<!--comment-->")

    def handle_decl(self, decl):
        self.active.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.active.append(f"<?{data}>")


def assert_inert(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert inspector.active == [], f"active content {inspector.active} in {html!r}"


def test_ordinary_markdown_keeps_its_structure():
    """Do tables, code, footnotes, admonitions and heading anchors come through?"""
    doc = render_document(
        "# Judul\n\n## Bagian Satu\n\nTeks **tebal** dan *miring*[^1].\n\n"
        "| Kolom | Nilai |\n|:--|--:|\n| a | 1 |\n\n```python\nprint('halo')\n```\n\n"
        '!!! warning "Perhatian"\n    Isi peringatan.\n\n[^1]: Catatan kaki.\n\n'
        "[situs](https://example.go.id) [surel](mailto:a@b.go.id) [relatif](lain#x)\n"
    )
    html = doc.html
    assert '<h2 id="bagian-satu">Bagian Satu</h2>' in html
    assert "<table>" in html and '<td align="right">1</td>' in html
    assert '<code class="language-python">' in html
    assert '<div class="admonition warning">' in html and "Perhatian" in html
    assert 'class="footnote-ref"' in html and "Catatan kaki." in html
    assert 'href="https://example.go.id"' in html and 'href="mailto:a@b.go.id"' in html
    assert 'href="lain#x"' in html
    assert 'href="#bagian-satu"' in doc.toc_html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil/x.js></SCRIPT>",
        "<style>body{display:none}</style>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">klik</a>',
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](java\tscript:alert(1))",
        "[klik](&#106;avascript:alert(1))",
        "![gambar](javascript:alert(1))",
        "![gambar](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "![ref]\n\n[ref]: data:text/html,<script>alert(1)</script>",
        '<a href="vbscript:msgbox(1)">x</a>',
        "<iframe src=https://evil></iframe>",
        '<svg onload="alert(1)"><circle r="5"/></svg>',
        "<math><mtext><script>alert(1)</script></mtext></math>",
        "<form action=/logout method=post><button>x</button></form>",
        "<!-- komentar --> teks",
        '<div style="position:fixed;top:0">x</div>',
        '<p onclick="alert(1)">x</p>',
        "<object data=x></object><embed src=x>",
        '<meta http-equiv="refresh" content="0;url=https://evil">',
        '<base href="https://evil/">',
        "<img src=1 srcdoc='<script>alert(1)</script>'>",
        '<a href="&#x6A;avascript:alert(1)">x</a>',
    ],
)
def test_hostile_input_renders_inert(hostile):
    """Does any known way of smuggling script through Markdown survive rendering?"""
    assert_inert(render_markdown(hostile))
    assert_inert(render_markdown(f"Teks biasa\n\n{hostile}\n\n- daftar {hostile}"))


def test_code_blocks_may_show_html_as_text():
    """Can a course show an HTML example inside a code block without it becoming HTML?"""
    html = render_markdown("```html\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>", "<style>*{}</style>", "<svg><g onload=alert(1)>", "<math>",
        "onerror=alert(1)", "javascript:alert(1)", "data:text/html,x", "vbscript:x", "<!-- c -->",
        "[a](", ")", "![b](", "[r]: ", "\n\n", "<img src=x ", ">", "<a href=\"", "\"", "**", "# ",
        "| a | b |\n|---|---|\n", "```\n", "!!! note\n    ", "[^1]", "\n[^1]: n\n", "teks ", "`",
        "&#106;", "<iframe>", "<details open ontoggle=alert(1)>", "<p style=color:red>",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, min_size=1, max_size=12))
def test_property_no_combination_of_dangerous_fragments_renders_active(parts):
    """Whatever order dangerous fragments come in, is the output free of active content?"""
    assert_inert(render_markdown("".join(parts)))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_property_any_text_renders_without_error(text):
    """Does arbitrary text (control characters, odd Unicode) render without an exception?"""
    assert isinstance(render_markdown(text), str)


def test_allow_list_has_no_active_element():
    """Is the allow-list itself free of elements that run code, load frames or submit forms?"""
    dangerous = {"script", "style", "iframe", "frame", "svg", "math", "form", "object", "embed"}
    dangerous |= {"input", "textarea", "button", "select", "link", "meta", "base", "template"}
    assert not ALLOWED_TAGS & dangerous
