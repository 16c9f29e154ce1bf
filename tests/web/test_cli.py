"""The `inspectflow` CLI contract (DESIGN.md): deploy, start, tasks, complete, sweep, calendar, users, --json."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.models import Diagram, ProcessVersion
from tests.conftest import FIXTURES
from tests.factories import make_agency, make_enterprise, make_inspection, make_jurisdiction
from web.services import services


def run_json(runner, *args):
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # stderr carries the log lines (a fired timer's)


def test_deploy_start_tasks_complete_sweep_as_json(runner):
    (version,) = run_json(runner, "deploy", str(FIXTURES / "timer_escalation.bpmn"))
    assert version["process_key"] == "timer_escalation" and version["version"] == 1 and "id" in version

    instance = run_json(runner, "start", "timer_escalation", "--data", '{"inspection_date": "2026-09-30"}')
    assert instance["status"] == "running"

    (task,) = run_json(runner, "tasks", "--instance", str(instance["id"]))
    assert {"id", "instance_id", "element_id", "name", "due_at"} <= set(task)
    assert (task["instance_id"], task["element_id"]) == (instance["id"], "Approve")
    assert task["due_at"].startswith("2026-10-08T15:59:59.999999")  # 23:59:59.999999 Shanghai, stored in UTC

    report = run_json(runner, "sweep", "--at", "2026-10-09T00:00:01+08:00")
    assert [(f["instance_id"], f["element_id"]) for f in report["fired"]] == [(instance["id"], "Late")]

    (escalate,) = run_json(runner, "tasks", "--instance", str(instance["id"]))
    assert escalate["element_id"] == "Escalate"
    done = run_json(runner, "complete", escalate["id"], "--data", '{"note": "已督办"}')
    assert done["instance_status"] == "completed"
    assert run_json(runner, "tasks") == []


def test_deploy_shipped_deploys_each_procedure_and_a_bare_deploy_names_what_to_give(runner):
    deployed = run_json(runner, "deploy", "--shipped")
    assert sorted(d["process_key"] for d in deployed) == [
        "advance_notice", "code_retroactive", "complaint_correction", "inspection_lifecycle", "penalty_revisit",
        "quiet_period_override"]
    assert all(d["version"] == 1 for d in deployed)
    bare = runner.invoke(args=["deploy"])
    assert bare.exit_code == 2 and "name the BPMN files to deploy, or --shipped" in bare.output


def test_plain_output_is_readable(runner):
    result = runner.invoke(args=["deploy", str(FIXTURES / "approval_chain.bpmn")])
    assert result.exit_code == 0 and "approval_chain v1" in result.output
    result = runner.invoke(args=["start", "approval_chain"])
    assert result.exit_code == 0 and "Fill in the plan" in result.output
    result = runner.invoke(args=["sweep", "--at", "2026-10-09T00:00:01+08:00"])
    assert "0 fired" in result.output


@pytest.mark.parametrize("args, message", [
    (["start", "nope"], "no process 'nope'"),
    (["complete", "not-a-task"], "not a task id"),
    (["start", "approval_chain", "--data", "{broken"], "--data is not valid JSON"),
    (["sweep", "--at", "yesterday"], "not an ISO 8601 moment"),
])
def test_errors_are_one_clear_line_and_exit_1(runner, args, message):
    runner.invoke(args=["deploy", str(FIXTURES / "approval_chain.bpmn")])
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_error_as_json(runner):
    result = runner.invoke(args=["start", "nope", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["code"] == "process_not_found"


def test_refused_diagram_names_the_element(runner, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes((FIXTURES / "approval_chain.bpmn").read_bytes()
                    .replace(b"ready == True", b"().__class__.__base__.__subclasses__()"))
    result = runner.invoke(args=["deploy", str(bad), "--json"])
    assert result.exit_code == 1
    error = json.loads(result.output)["error"]
    assert error["code"] == "diagram_refused" and error["details"]["element_id"] == "F3"
    assert "line" in error["details"] and "__class__" in error["message"]
    with runner.app.app_context(), services().sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 0
        assert session.scalar(select(func.count()).select_from(Diagram)) == 0


def test_calendar_import_and_status(runner, tmp_path):
    status = run_json(runner, "calendar", "status")
    by_year = {y["year"]: y for y in status["years"]}
    assert by_year[2026]["covered"] and not by_year[2027]["covered"]
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind\n2027-01-01,holiday\n2027-02-05,holiday\n2027-02-20,workday\n")
    imported = run_json(runner, "calendar", "import", str(schedule))
    assert imported["years"] == [2027] and imported["days"] == 3
    by_year = {y["year"]: y for y in run_json(runner, "calendar", "status")["years"]}
    assert by_year[2027]["covered"] and by_year[2027]["source"] == "imported" and by_year[2027]["overrides"] == 3


def test_calendar_import_refuses_a_bad_file_and_keeps_what_was_there(runner, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("2027-01-01,holiday\n")
    run_json(runner, "calendar", "import", str(good))
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-01,holiday\n2027-13-01,holiday\n")
    result = runner.invoke(args=["calendar", "import", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.output
    by_year = {y["year"]: y for y in run_json(runner, "calendar", "status")["years"]}
    assert by_year[2027]["overrides"] == 1


def test_users_create(app, runner):
    with app.app_context(), services().transaction() as session:
        make_agency(session, code="SCJG", name="市场监管局")
    user = run_json(runner, "users", "create", "li.lei", "--role", "staff", "--password", "s3cret-pass",
                    "--agency", "市场监管局")
    assert (user["username"], user["role"], user["agency"]) == ("li.lei", "staff", "SCJG")  # stored by code
    result = runner.invoke(args=["users", "create", "li.lei", "--role", "staff", "--password", "s3cret-pass",
                                 "--agency", "SCJG"])
    assert result.exit_code == 1 and "already exists" in result.output


def test_inspectflow_clock_pins_every_command(database_url, monkeypatch):
    from web import create_app

    monkeypatch.setenv("INSPECTFLOW_CLOCK", "2026-10-09T00:00:01+08:00")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    run_json(runner, "deploy", str(FIXTURES / "timer_escalation.bpmn"))
    # Started "now" = 2026-10-09 with an inspection on 2026-09-30: the 1-working-day limit has passed, so
    # SpiffWorkflow's own timer check (which reads the pinned clock) fires at the first engine step.
    instance = run_json(runner, "start", "timer_escalation", "--data", '{"inspection_date": "2026-09-30"}')
    assert [t["element_id"] for t in instance["open_tasks"]] == ["Escalate"]
    app.extensions["inspectflow"].engine.dispose()

    # Pinned before the limit, the timer waits, although by the real clock (later) it would long have fired.
    monkeypatch.setenv("INSPECTFLOW_CLOCK", "2026-10-08T12:00:00+08:00")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    instance = run_json(runner, "start", "timer_escalation", "--data", '{"inspection_date": "2026-09-30"}')
    assert [t["element_id"] for t in instance["open_tasks"]] == ["Approve"]
    report = run_json(runner, "sweep")
    assert report["fired"] == []
    app.extensions["inspectflow"].engine.dispose()


def test_joint_propose_and_merge_commands(app, runner):
    with app.app_context(), services().transaction() as session:
        county = make_jurisdiction(session)
        enterprise = make_enterprise(session, jurisdiction=county)
        first = make_inspection(session, agency=make_agency(session, jurisdiction=county), enterprise=enterprise,
                                planned_start=date(2026, 11, 3))
        second = make_inspection(session, agency=make_agency(session, jurisdiction=county), enterprise=enterprise,
                                 planned_start=date(2026, 11, 20))
        ids = [first.id, second.id]
    (proposal,) = run_json(runner, "joint", "propose")
    assert proposal["inspection_ids"] == ids and proposal["month"] == "2026-11"
    merged = run_json(runner, "joint", "merge", *map(str, ids), "--day", "2026-11-10", "--as", "县综合执法办")
    assert merged["inspections"] == ids and merged["day"] == "2026-11-10"
    assert run_json(runner, "joint", "propose") == []
    again = runner.invoke(args=["joint", "merge", *map(str, ids), "--day", "2026-11-10"])
    assert again.exit_code == 1 and "R18" in again.output


def test_attachments_prune_lists_with_dry_run_then_removes_the_orphaned_files(runner, app, clock):
    store = app.extensions["inspectflow"].attachments
    orphan = store.put(b"%PDF-1.7\n rolled back").sha256
    old = (clock.now() - timedelta(days=2)).timestamp()
    os.utime(store.path_of(orphan), (old, old))
    name = f"{orphan[:2]}/{orphan[2:4]}/{orphan}"
    listed = runner.invoke(args=["attachments", "prune", "--dry-run"])
    assert listed.exit_code == 0 and f"would remove {name}" in listed.output and store.path_of(orphan).exists()
    report = run_json(runner, "attachments", "prune")
    assert [r["name"] for r in report["removed"]] == [name] and not report["dry_run"]
    assert not store.path_of(orphan).exists()
    assert "removed 0 orphaned files" in runner.invoke(args=["attachments", "prune"]).output
    refused = runner.invoke(args=["attachments", "prune", "--grace-hours", "0"])
    assert refused.exit_code != 0 and "--grace-hours" in refused.output
