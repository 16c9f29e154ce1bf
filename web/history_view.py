"""An instance's audit trail in words, for the supervisor's instance page: which step each entry concerns and
what it recorded, with the form's own labels for the data a step saved, moments in Asia/Shanghai, yes/no for
booleans and lists as lists — never raw JSON. Unknown actions and keys show as themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.models import AuditEntry
from web.labels import business_label
from web.presenters import shanghai

# Keys the code (not a form) puts into a process's data when it starts one; form fields carry their own labels.
STARTING_DATA_LABELS = {
    "agency": _l("单位"),
    "enterprise": _l("企业"),
    "inspection_id": _l("检查编号"),
    "urgent": _l("紧急检查"),
    "complaint_id": _l("投诉编号"),
    "tracking_number": _l("查询编号"),
    "complainant": _l("投诉人"),
    "complaint_text": _l("投诉内容"),
    "complaint_kind": _l("投诉类别"),
    "received_date": _l("收到日期"),
    "inspection_date": _l("检查日期"),
    "penalty_decision_no": _l("处罚决定书文号"),
    "penalty_date": _l("处罚日期"),
    "deadline_days": _l("期限（工作日，启动时的政策）"),
}
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str
    step: str | None
    details: list[tuple[str, str]]


def history_lines(entries: Iterable[AuditEntry], *, step_names: Mapping[str, str],
                  form_labels: Mapping[str, Mapping[str, str]]) -> list[HistoryLine]:
    """`step_names` maps task ids and element ids to step names; `form_labels` is
    engine.runtime.instances.form_labels of the instance's version."""
    any_form = {name: label for fields in form_labels.values() for name, label in fields.items()}
    lines = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        element_id = after.get("element_id") or before.get("element_id")
        step = step_names.get(entry.task_id or "") or step_names.get(element_id or "") or element_id
        lines.append(HistoryLine(entry.at, entry.actor, entry.action, step,
                                 _details(entry.action, before, after, form_labels.get(element_id or "", any_form))))
    return lines


def _details(action: str, before: dict, after: dict, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    if action == "instance.started":
        known = {**STARTING_DATA_LABELS, **labels}
        return [(_("版本"), f"v{after.get('version')}"), (_("业务"), business_label(after.get("business_key"))),
                *_data(after.get("data") or {}, known)]
    if action == "task.completed":
        verdict = rule_check(after)
        return _data(after.get("data") or {}, labels) + ([(_("规则核验"), verdict)] if verdict else [])
    if action == "task.claimed":
        return [(_("签收人"), value_text(after.get("assignee")))]
    if action == "task.released":
        return [(_("原签收人"), value_text(before.get("assignee")))]
    if action == "task.commented":
        return [(_("留言"), value_text(after.get("text")))]
    if action == "task.assigned":
        return [(_("指派给"), value_text(after.get("assignee")))]
    if action == "task.delegated":
        return [(_("转办给"), value_text(after.get("assignee"))), (_("转办理由"), value_text(after.get("reason")))]
    if action == "case.copied":
        return [(_("抄送给"), value_text(after.get("to")))]
    if action == "timer.fired":
        return [(_("原定期限"), value_text(before.get("due_at")))]
    if action == "deadline.recomputed":
        return [(_("期限"), f"{value_text(before.get('due_at'))} → {value_text(after.get('due_at'))}")]
    if action == "timer.failed":
        return [(_("错误"), value_text(after.get("error")))]
    return _data(after, labels)


def rule_check(after: Mapping[str, Any] | None) -> str | None:
    """A checked step's verdict in the trail's words: 通过, or 退回 with each refusing rule and its reason (the
    words the supervisors' refusal list shows); None for a step that checks no rules."""
    findings = (after or {}).get("findings")
    if not isinstance(findings, Mapping) or not findings.get("checks"):  # an action's records are no verdict
        return None
    refusals = findings.get("policy_refusals") or []
    if not refusals:
        return _("通过")
    reasons = "；".join(f"{r.get('rule')}：{r.get('message')}" for r in refusals if isinstance(r, Mapping))
    return _("退回（%(reasons)s）", reasons=reasons)


def _data(data: Mapping[str, Any], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(str(labels.get(key, key)), value_text(value)) for key, value in data.items()]


def value_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}：{value_text(item)}" for key, item in value.items())
    if isinstance(value, str) and _MOMENT.match(value):
        return shanghai(value)
    return str(value)
