"""The `inspectflow` console script as an operator runs it: each command a process of its own (DESIGN.md).

Nothing here builds the app in the test process, binds a clock or patches anything: the clock is pinned only by
INSPECTFLOW_CLOCK in the environment, and `sweep --at` moves it for one sweep, so what passes here is what the
shipped command line does — SpiffWorkflow's own timer checks included. One migrated database with the shipped
diagrams serves the whole module (about ten processes, ~1.3 s each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.platform.clock import SHANGHAI
from tests.conftest import ROOT, TEST_NOW

CONSOLE_SCRIPT = Path(sys.executable).with_name("inspectflow")  # installed next to the venv's python
COMMAND = [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.exists() else [sys.executable, "-c",
                                                                 "from web.cli import main; main()"]
URGENT_INSPECTION = {  # the start data code_retroactive.bpmn documents, for an urgent visit on the pinned day
    "agency": "SCJG", "enterprise": "91330100MA2KXY0016", "inspection_date": "2026-09-30",
    "urgent_type": "四不两直", "urgent_reason": "群众举报食品安全隐患，需立即核查",
}


@pytest.fixture(scope="module")
def inspectflow(tmp_path_factory):
    """Run `inspectflow ARGS…` in a subprocess on a module-wide SQLite file, the clock pinned at TEST_NOW."""
    database = tmp_path_factory.mktemp("cli") / "inspectflow.db"
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "INSPECTFLOW_CLOCK": TEST_NOW,
               "SECRET_KEY": "cli-test"}

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([*COMMAND, *args], env=environ, cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == expect, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    run("db", "upgrade")
    deployed = json.loads(run("deploy", *sorted(map(str, (ROOT / "processes" / "bpmn").glob("*.bpmn"))),
                              "--json").stdout)
    assert "code_retroactive" in {d["process_key"] for d in deployed}
    return run


def as_json(done: subprocess.CompletedProcess):
    return json.loads(done.stdout)


def test_pinned_clock_governs_the_diagram_timers_and_sweep_at_moves_it(inspectflow):
    started = as_json(inspectflow("start", "code_retroactive", "--data", json.dumps(URGENT_INSPECTION),
                                  "--business-key", f"enterprise:{URGENT_INSPECTION['enterprise']}",
                                  "--as", "operator", "--json"))
    # As of the pinned moment the inspection happened today: the head has a working day to approve it. (By the
    # real clock, later, the limit has long passed and the library would escalate at the first step.)
    assert started["status"] == "running"
    assert [t["element_id"] for t in started["open_tasks"]] == ["Task_retro_approval"]

    (approval,) = as_json(inspectflow("tasks", "--instance", str(started["id"]), "--json"))
    assert {"id", "instance_id", "element_id", "name", "due_at"} <= set(approval)
    assert (approval["instance_id"], approval["element_id"], approval["name"]) == (
        started["id"], "Task_retro_approval", "补办审批")
    due = datetime.fromisoformat(approval["due_at"])
    assert due.astimezone(SHANGHAI).date().isoformat() == "2026-10-08"  # 1 working day after, past 国庆

    # A sweep as of a minute before the limit leaves the approval open, whatever the real date.
    early = as_json(inspectflow("sweep", "--at", (due - timedelta(minutes=1)).isoformat(), "--json"))
    assert early["fired"] == [] and early["failed"] == []
    assert [t["element_id"] for t in as_json(inspectflow("tasks", "--json"))] == ["Task_retro_approval"]

    # The issue's own example: a sweep as of 2027-03-10 fires the lapsed limit and opens the supervision task.
    late = as_json(inspectflow("sweep", "--at", "2027-03-10T00:00+08:00", "--json"))
    assert [(f["instance_id"], f["element_id"]) for f in late["fired"]] == [(started["id"], "Timer_retro_deadline")]
    assert late["failed"] == []
    # The 督办 counts from the deadline it supervises (issue 11 defect 8): opened months after it, it is late at
    # once, and its explanation opens beside it.
    opened = {t["element_id"]: t for t in as_json(inspectflow("tasks", "--json"))}
    assert set(opened) == {"Task_supervise_no_code", "Task_explain_supervision_delay"}
    supervision = opened["Task_supervise_no_code"]
    assert {"id", "instance_id", "element_id", "name", "due_at"} <= set(supervision)
    assert (supervision["instance_id"], supervision["element_id"], supervision["name"]) == (
        started["id"], "Task_supervise_no_code", "无码入企督办")

    # Bad --data is refused before anything changes: one line on stderr, or a JSON error with --json.
    plain = inspectflow("complete", supervision["id"], "--data", "{broken", expect=1)
    assert plain.stdout == "" and plain.stderr.startswith("error: --data is not valid JSON")
    error = as_json(inspectflow("complete", supervision["id"], "--data", "[1, 2]", "--json", expect=1))["error"]
    assert error["code"] == "invalid_input" and "JSON object" in error["message"]

    done = as_json(inspectflow("complete", supervision["id"], "--as", "operator", "--json", "--data", json.dumps(
        {"supervision_action": "约谈", "supervision_opinion": "约谈单位负责人，限期说明未补办原因"})))
    assert (done["id"], done["instance_id"], done["instance_status"]) == (supervision["id"], started["id"], "running")
    explained = as_json(inspectflow("complete", opened["Task_explain_supervision_delay"]["id"], "--as", "operator",
                                    "--json", "--data", json.dumps({"supervision_delay_reason": "补办逾期数月才发现"})))
    assert (explained["instance_status"], explained["open_tasks"]) == ("completed", [])
    assert as_json(inspectflow("tasks", "--json")) == []
