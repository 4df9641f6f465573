"""A module page view: a small fixed number of SQL queries and no Markdown rendering."""

from __future__ import annotations

import markdown
import pytest
from sqlalchemy import event

from lms.extensions import db


@pytest.fixture
def query_log(app):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def test_module_page_uses_at_most_five_queries_and_no_rendering(
    app, client, bundled, learner, query_log, monkeypatch
):
    """Does reading a module cost a fixed, small number of queries and never render Markdown?"""
    client.post("/courses/PM-101/enrol")
    client.post("/courses/PM-101/modules/pengantar-proyek/done")
    client.get("/courses/PM-101/modules/piagam-proyek")  # warm up (first-request setup)

    def no_rendering(*args, **kwargs):
        raise AssertionError("Markdown rendered during a page view")

    monkeypatch.setattr(markdown.Markdown, "convert", no_rendering)
    counts = []
    for key in ("piagam-proyek", "wbs-dan-jadwal", "pemantauan-dan-penutupan"):
        query_log.clear()
        response = client.get(f"/courses/PM-101/modules/{key}")
        assert response.status_code == 200
        counts.append(len(query_log))
    print("queries per module page:", counts)
    assert max(counts) <= 5, query_log
    assert len(set(counts)) == 1  # the same for every module: no N+1 on the outline
