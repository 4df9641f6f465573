"""Markdown to safe HTML: the one renderer used for modules, quizzes, previews and notes.

Python-Markdown builds the HTML; bleach then keeps only an explicit allow-list of tags,
attributes and URL schemes, so nothing a trainer (or an attacker) writes can run in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import bleach
import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
        "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Classes the Markdown extensions emit (admonitions, footnotes, table of contents, code).
ALLOWED_CLASSES = frozenset(
    {
        "admonition", "admonition-title", "note", "tip", "important", "warning", "danger",
        "footnote", "footnote-ref", "footnote-backref", "toc", "toctitle", "headerlink",
    }
)  # fmt: skip
_LANGUAGE_CLASS = re.compile(r"^language-[a-z0-9+#-]{1,30}$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_:.-]{1,100}$")
_CELL_ALIGN = frozenset({"left", "right", "center"})
_DIMENSION = re.compile(r"^\d{1,4}$")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name == "class":
        return all(c in ALLOWED_CLASSES or _LANGUAGE_CLASS.match(c) for c in value.split())
    if name == "id":
        return bool(_SAFE_ID.match(value))
    if name in ("title", "alt"):
        return tag in ("a", "abbr", "img")
    if tag == "a":
        return name in ("href", "rel")
    if tag == "img":
        return name == "src" or (name in ("width", "height") and bool(_DIMENSION.match(value)))
    if tag in ("td", "th"):
        return (name == "align" and value in _CELL_ALIGN) or (
            name in ("colspan", "rowspan") and bool(_DIMENSION.match(value))
        )
    if tag == "ol":
        return name == "start" and bool(_DIMENSION.match(value))
    return False


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)

# Elements whose text is code, not prose: bleach's strip=True would keep "alert(1)" as text.
_ACTIVE_BLOCK = re.compile(
    r"<(script|style|iframe|object|embed|template|svg|math|noscript|textarea|select)\b[^>]*>"
    r".*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)

LinkResolver = Callable[[str], "str | None"]


@dataclass
class RenderedDocument:
    html: str
    toc_html: str
    # Relative links to modules or assets the resolver did not know (the validator reports them).
    broken_links: list[str] = field(default_factory=list)


class _ModuleLinkRewriter(Treeprocessor):
    """Turn `02-wbs.md#part` and `assets/bagan.png` into portal URLs; remember unknown targets."""

    def __init__(self, md, resolve: LinkResolver | None, broken: list[str]):
        super().__init__(md)
        self.resolve = resolve
        self.broken = broken

    def run(self, root: Element) -> None:
        for element, attribute in [(a, "href") for a in root.iter("a")] + [
            (img, "src") for img in root.iter("img")
        ]:
            parts = urlsplit(element.get(attribute) or "")
            if parts.scheme or parts.netloc or not _is_package_reference(parts.path):
                continue
            target = self.resolve(parts.path) if self.resolve else None
            if target is None:
                self.broken.append(parts.path)
                continue
            element.set(attribute, target + (f"#{parts.fragment}" if parts.fragment else ""))


def _is_package_reference(path: str) -> bool:
    """A relative link into the course package: a module file or a file under assets/."""
    path = path.removeprefix("./")
    return path.endswith(".md") or path.startswith("assets/")


class _LinkExtension(Extension):
    def __init__(self, resolve: LinkResolver | None, broken: list[str]):
        super().__init__()
        self.resolve = resolve
        self.broken = broken

    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_ModuleLinkRewriter(md, self.resolve, self.broken), "lms", 1)


def _slugify(value: str, separator: str) -> str:
    return slugify_unicode(value, separator) or "bagian"


def render_document(text: str, resolve_link: LinkResolver | None = None) -> RenderedDocument:
    """Render Markdown to sanitised HTML plus a table of contents built from its headings."""
    broken: list[str] = []
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "footnotes",
            "admonition",
            "sane_lists",
            "toc",
            _LinkExtension(resolve_link, broken),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": _slugify, "toc_depth": "2-3"},
            "footnotes": {"BACKLINK_TITLE": "Kembali ke teks %d"},
        },
        output_format="html",
    )
    # Raw HTML passes through Markdown untouched while code blocks are escaped, so removing
    # active elements after conversion keeps `<script>` examples inside code blocks visible.
    html = _ACTIVE_BLOCK.sub("", md.convert(text or ""))
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return RenderedDocument(
        html=_cleaner.clean(html), toc_html=_cleaner.clean(toc), broken_links=broken
    )


def render_markdown(text: str) -> str:
    """Markdown to safe HTML. The public face of the content package."""
    return render_document(text).html


def render_inline(text: str) -> str:
    """Render a short fragment (a quiz option) without the wrapping paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
