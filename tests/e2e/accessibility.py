"""axe-core accessibility scans for browser tests: `assert_accessible(page, label)` on any page.

axe-core is the npm package named in package.json, installed by `npm ci` (the Makefile's `make
test` runs it when npm exists). Without it the scan skips with the reason, except on CI, where it fails.
"""

from __future__ import annotations

import functools
import os

import pytest

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (landmarks, heading order, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_missing_reason() -> str | None:
    if AXE.exists():
        return None
    return f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing): run `npm ci`"


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def scan(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations."""
    reason = axe_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by Playwright rather than added as a <script> tag: the portal's
        # Content-Security-Policy (script-src 'self') rightly refuses inline scripts.
        page.evaluate(_axe_source() + "\n;undefined")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                    resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}")
            for detail in (node["summary"] or "").splitlines()[1:3]:
                lines.append(f"        {detail.strip()}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, label: str) -> None:
    """Fail when axe-core finds a serious or critical violation on the page as it is shown now."""
    blocking = [v for v in scan(page) if v["impact"] in BLOCKING]
    assert not blocking, f"{label} ({page.url}): accessibility violations\n" + describe(blocking)
