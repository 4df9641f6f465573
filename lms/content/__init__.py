"""Course content: parse, validate and render Markdown course packages (pure Python, no Flask).

Used by the importer, the CLI validator and (later) the authoring preview.
"""

from lms.content.rendering import render_markdown

__all__ = ["render_markdown"]
