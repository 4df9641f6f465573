"""Fragment caching in templates: `{% cache key, ... %}...{% endcache %}` renders once per key.

A cached fragment is shared by every request of the worker process that asks for the same key, so
everything it shows must follow from its keys: never a user's name, a CSRF token or a flash.
"""

from __future__ import annotations

import hashlib

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

MAX_CHARACTERS = 32_000_000  # per process; the store starts again empty beyond this


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        self.fragments: dict[tuple, Markup] = {}
        self.characters = 0

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        keys = []
        while parser.stream.current.type != "block_end":
            if keys:
                parser.stream.expect("comma")
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # Where the tag is and what it renders keep apart fragments with the same keys.
        place = f"{parser.name}:{lineno}:{hashlib.sha256(repr(body).encode()).hexdigest()[:16]}"
        call = self.call_method("_fragment", [nodes.Tuple([nodes.Const(place), *keys], "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple, caller) -> Markup:
        html = self.fragments.get(key)
        if html is None:
            html = caller()  # the body, rendered in place (autoescaped: Markup)
            if self.characters > MAX_CHARACTERS:
                self.fragments.clear()
                self.characters = 0
            self.fragments[key] = html
            self.characters += len(html)
        return html
