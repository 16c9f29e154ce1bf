"""Shared steps for the procedure tests: deploy the shipped diagrams, start, complete, sweep, read tasks.

Everything goes through the engine's public functions, as the web app does; nothing reads workflow state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from engine.background.sweep import sweep
from engine.identity import accounts, api_tokens
from engine.models import CaseCopy, Deadline, TaskRecord
from engine.platform.clock import SHANGHAI, FrozenClock
from engine.runtime import deploy as deploy_module
from engine.runtime import instances
from tests.engine.helpers import complete as complete_task
from tests.engine.helpers import only_task, open_tasks, start

BPMN_DIR = Path(__file__).resolve().parents[2] / "processes" / "bpmn"
PROCESS_IDS = ["advance_notice", "code_retroactive", "complaint_correction", "inspection_lifecycle",
               "penalty_revisit", "quiet_period_override"]

__all__ = ["BPMN_DIR", "PROCESS_IDS", "complete", "deadline_due", "deploy_all", "end_of", "finished",
           "late_supervision", "only_task", "open_ids", "open_tasks", "start", "sweep_at", "task_data"]

SUPERVISION_DAYS = 5  # the one figure every 督办 has (processes/bpmn/README.md, "Deadlines and escalation")


def deploy_all(svc, clock, actor: str = "owner") -> list:
    versions = []
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        with svc.transaction() as session:
            versions += deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(),
                                             source_name=path.name, actor=actor)
    return versions


def sweep_at(svc, moment: str) -> list[str]:
    """Sweep as of `moment` (Asia/Shanghai unless an offset is given); the element ids of the timers fired."""
    at = moment if "+" in moment[10:] else moment + "+08:00"
    report = sweep_fn(svc.runtime, svc.write_sessions, FrozenClock(at))
    assert report.failed == [], report.failed
    return [fired["element_id"] for fired in report.fired]


sweep_fn = sweep


def open_ids(svc, instance_id: int) -> set[str]:
    return {task.element_id for task in open_tasks(svc, instance_id)}


def task_data(svc, task_id: str) -> dict:
    with svc.sessions() as session:
        return instances.task_data(svc.runtime, session, task_id)


def finished(svc, instance_id: int) -> bool:
    with svc.sessions() as session:
        return instances.get_instance(session, instance_id).status == "completed"


def copies(svc, instance_id: int) -> list[tuple[str, str]]:
    """(step name, group) of each copy (抄送) the instance's steps made, oldest first."""
    with svc.sessions() as session:
        return [(c.step_name, c.candidate_group) for c in session.scalars(
            select(CaseCopy).where(CaseCopy.instance_id == instance_id).order_by(CaseCopy.id))]


def end_of(day: str) -> datetime:
    """The end of a working-day period that ends on `day`, as the calendar helpers give it."""
    return datetime.fromisoformat(f"{day}T23:59:59.999999").replace(tzinfo=SHANGHAI)


def deadline_due(svc, instance_id: int, element_id: str) -> datetime | None:
    """The due moment of a waiting timer as the deadline table holds it (None when it is not waiting)."""
    with svc.sessions() as session:
        return session.scalar(select(Deadline.due_at).where(Deadline.instance_id == instance_id,
                                                            Deadline.element_id == element_id))


INSPECTFLOW_NS = "http://inspectflow.org/schema/bpmn/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@cache
def forms() -> dict[str, dict[str, dict[str, dict]]]:
    """{process or embedded sub-process id: {user task id: {field name: attributes}}} from the shipped diagrams.

    The task mirror names a task inside an embedded sub-process by the sub-process's id, so those are keyed too.
    """
    found: dict[str, dict[str, dict[str, dict]]] = {}
    for path in BPMN_DIR.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        for task in root.iter(f"{{{BPMN_NS}}}userTask"):
            fields = {field.get("name"): dict(field.attrib) for field in task.iter(f"{{{INSPECTFLOW_NS}}}field")}
            container = task.getparent()
            found.setdefault(path.stem, {})[task.get("id")] = fields
            if container.tag == f"{{{BPMN_NS}}}subProcess":
                found.setdefault(container.get("id"), {})[task.get("id")] = fields
    return found


def check_form_data(fields: dict[str, dict], data: dict, where: str) -> None:
    """What the runtime will enforce: no unknown fields, required ones present, values of the declared type."""
    assert set(data) <= set(fields), f"{where}: fields not on the form: {set(data) - set(fields)}"
    for name, field in fields.items():
        if field.get("required") == "true":
            assert data.get(name) not in (None, ""), f"{where}: required field {name} missing"
        if name not in data or data[name] in (None, ""):
            continue
        value, kind = data[name], field["type"]
        if field.get("choices_from"):
            continue  # the case's own choices (or text when it has none): the runtime checks them
        assert _valid(kind, value, field.get("choices", "").split("|")), f"{where}: {name}={value!r} is not a {kind}"


def _valid(kind: str, value: object, choices: list[str]) -> bool:
    if kind in ("string", "text"):
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    if kind == "datetime":
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    if kind == "choice":
        return value in choices
    if kind == "multichoice":
        return isinstance(value, list) and set(value) <= set(choices)
    raise AssertionError(f"unknown field type {kind}")


def complete(svc, clock, task_id: str, data: dict, actor: str = "staff"):
    """Complete a user task with form data, checked against the task's form first."""
    with svc.sessions() as session:
        record = session.get(TaskRecord, task_id)
        assert record is not None, task_id
        fields = forms()[record.process_key][record.element_id]
        where = f"{record.process_key}.{record.element_id}"
    check_form_data(fields, data, where)
    return complete_task(svc, clock, task_id, data, actor=actor)


def late_supervision(svc, clock, app, runner, instance_id: int, *, late_step: str, deadline: str, supervise: str,
                     due: str, county: str, recorded: str, flag: str, delay_field: str) -> None:
    """Drive `late_step` past its deadline (ending on the day `deadline`) and then its 督办 past its own, with
    `inspectflow sweep --at`, as the people see it. The 督办 (`supervise`, 司法局 lane) is due at the end of the
    5th working day after the deadline (the calendar's count, 调休 included), the day `due`; the escalation
    records the deadline it supervises in `recorded`. On `due` the supervisor of the agency's county finds only
    the late step in /api/v1/overdue; after the sweep past the 督办's deadline it is listed too, `flag` is set
    and 督办逾期情况说明 opens in the 司法局 lane. The supervisor then completes both supervision tasks."""
    result = runner.invoke(args=["sweep", "--at", f"{date.fromisoformat(deadline) + timedelta(days=1)}T00:00:01+08:00"])
    assert result.exit_code == 0, result.output
    late = only_task(svc, instance_id, late_step)
    supervision = only_task(svc, instance_id, supervise)
    due_at = end_of(due)
    assert supervision.candidate_group == "司法局" and supervision.due_at == due_at
    assert due_at == svc.runtime.calendar.period_end(date.fromisoformat(deadline), SUPERVISION_DAYS)
    assert task_data(svc, supervision.id)[recorded] == end_of(deadline).isoformat()
    with svc.transaction() as session:
        user = accounts.create_user(session, username="sup", password="password1", role="supervisor",
                                    now=clock.now(), jurisdiction=county)
        headers = {"Authorization": f"Bearer {api_tokens.issue_token(session, user, 'tests', clock.now()).plain}"}
    client = app.test_client()

    def overdue_ids() -> set[str]:
        return {step["id"] for step in client.get("/api/v1/overdue", headers=headers).get_json()}

    clock.set(due_at - timedelta(hours=6))
    assert overdue_ids() == {late.id}
    after = (due_at + timedelta(seconds=1)).astimezone(SHANGHAI).replace(microsecond=0)
    result = runner.invoke(args=["sweep", "--at", after.isoformat()])
    assert result.exit_code == 0, result.output
    assert open_ids(svc, instance_id) == {late_step, supervise, "Task_explain_supervision_delay"}
    explain = only_task(svc, instance_id, "Task_explain_supervision_delay")
    assert explain.candidate_group == "司法局" and explain.agency == supervision.agency
    assert task_data(svc, explain.id)[flag] is True
    clock.set(after + timedelta(hours=9))
    assert overdue_ids() == {late.id, supervision.id}
    complete(svc, clock, supervision.id, {"supervision_action": "约谈", "supervision_opinion": "约谈单位负责人"},
             actor="sup")
    complete(svc, clock, explain.id, {delay_field: "督办事项积压，已约谈承办人"}, actor="sup")
