"""The shipped diagrams through the `inspectflow` commands an operator uses: deploy all six, start the
lifecycle for an urgent inspection on 2026-09-30, let the retroactive approval run late, see the supervision
task in the 司法局 lane, complete it and find the inspection record open."""

from __future__ import annotations

import json

from tests.processes.helpers import BPMN_DIR, PROCESS_IDS


def run(runner, *args: str):
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # stderr carries the log lines (a fired timer's)


def test_urgent_inspection_escalates_through_the_commands(runner):
    deployed = run(runner, "deploy", *(str(path) for path in sorted(BPMN_DIR.glob("*.bpmn"))))
    assert sorted(row["process_key"] for row in deployed) == PROCESS_IDS

    data = {"agency": "县市场监管局", "enterprise": "91331125MA2E000007", "urgent": True,
            "inspection_date": "2026-09-30", "urgent_type": "暗查暗访", "urgent_reason": "举报无证经营"}
    started = run(runner, "start", "inspection_lifecycle", "--data", json.dumps(data, ensure_ascii=False))
    (approval,) = started["open_tasks"]
    assert approval["element_id"] == "Task_retro_approval" and approval["lane"] == "单位负责人"
    assert approval["due_at"].startswith("2026-10-08T15:59:59")  # end of 2026-10-08 in Shanghai, in UTC

    report = run(runner, "sweep", "--at", "2026-10-09T00:00:01+08:00")
    assert [fired["element_id"] for fired in report["fired"]] == ["Timer_retro_deadline"]
    (supervise,) = run(runner, "tasks", "--instance", str(started["id"]))
    assert supervise["element_id"] == "Task_supervise_no_code" and supervise["candidate_group"] == "司法局"

    done = run(runner, "complete", supervise["id"], "--data",
               json.dumps({"supervision_action": "约谈", "supervision_opinion": "无码入企，约谈负责人"}))
    assert [task["element_id"] for task in done["open_tasks"]] == ["Task_record"]
