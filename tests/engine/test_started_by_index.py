"""我发起 (engine.views.inbox.started_by) reads one user's cases newest first off ix_process_instance_started_by
instead of scanning every instance (migration 0021)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from engine.views import inbox


def plan_of(session, statement) -> str:
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))  # the tables are tiny: ask whether it *can*
        sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        return "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
    sql = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    return "\n".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_my_started_cases_are_read_off_the_starter_index(svc, monkeypatch):
    captured = []

    def capture(session, statement):
        captured.append(statement)
        return []

    with svc.sessions() as session:
        monkeypatch.setattr(session, "scalars", lambda statement: capture(session, statement))
        inbox.started_by(session, "wang")
    (statement,) = captured
    with svc.sessions() as session, session.begin():
        plan = plan_of(session, statement)
    assert "ix_process_instance_started_by" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # the index's order is the list's
