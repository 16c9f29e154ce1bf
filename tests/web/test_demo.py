"""`inspectflow load-demo`: the shipped diagrams, the demo county and the logins, loaded once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from engine.models import Agency, Enterprise, Inspection, Inspector, PolicyDecision, User
from web.services import services


def counts(app) -> dict:
    with app.app_context(), services().sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Agency, Inspector, Enterprise, Inspection, PolicyDecision, User)}


def test_load_demo_builds_the_county_once(app, runner):
    result = runner.invoke(args=["load-demo", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["records"]["agencies"] == 8 and document["records"]["enterprises"] == 200
    assert {login["role"] for login in document["logins"]} == {"administrator", "process_owner", "staff",
                                                               "agency_head", "county_office", "supervisor"}
    first = counts(app)
    assert first["Agency"] == 8 and first["Inspector"] == 40 and first["Enterprise"] == 200
    assert first["Inspection"] > 200 and first["PolicyDecision"] >= 2  # the logged cap overrides

    again = runner.invoke(args=["load-demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert counts(app) == first


def test_demo_work_has_open_tasks_in_every_procedure_some_overdue(app, runner):
    from engine.models import TaskRecord

    result = runner.invoke(args=["load-demo", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["instances_started"]) == 10
    with app.app_context(), services().sessions() as session:
        open_tasks = list(session.scalars(select(TaskRecord).where(TaskRecord.state == "open")))
        now = services().clock().now()
    assert {t.process_key for t in open_tasks} == {"inspection_lifecycle", "code_retroactive", "advance_notice",
                                                   "quiet_period_override", "penalty_revisit",
                                                   "complaint_correction"}
    escalations = [t for t in open_tasks if t.candidate_group == "司法局"]
    assert len(escalations) >= 3  # the unapproved urgent inspection, the late revisit, the unaccepted complaint
    assert any(t.due_at is not None and t.due_at < now for t in open_tasks)
    # A second load starts nothing more.
    again = json.loads(runner.invoke(args=["load-demo", "--json"]).output)
    assert again["instances_started"] == []
