"""Words for the codes the engine stores: audit actions, alert kinds and states, process keys, agency codes.

The engine keeps stable codes (`task.completed`, `no_code`, `penalty_revisit`, `SCJG`); the pages show what
they mean, in the visitor's language. Registered as Jinja filters (`action_label`, `alert_kind_label`,
`alert_status_label`, `instance_status_label`, `task_state_label`, `person_kind_label`, `assistant_label`,
`business_label`, `process_label`, `agency_label`); an unknown code shows as itself, never as an error.
Process and agency names come from the database (engine.views.names), read once per request and kept on flask.g.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.views.names import agency_names, process_names
from web.services import services

PROCESS_NAMES = {  # the shipped procedures (processes/bpmn/), short names for lists and filters
    "inspection_lifecycle": _l("检查全流程"),
    "code_retroactive": _l("补办审批赋码"),
    "advance_notice": _l("检查预告"),
    "quiet_period_override": _l("安静期例外"),
    "penalty_revisit": _l("罚后回访"),
    "complaint_correction": _l("投诉纠错"),
}
AUDIT_ACTIONS = {
    "instance.started": _l("流程启动"),
    "task.completed": _l("提交办理"),
    "task.claimed": _l("签收任务"),
    "task.released": _l("放弃签收"),
    "task.commented": _l("留言"),
    "task.assigned": _l("指派"),
    "task.delegated": _l("转办"),
    "case.copied": _l("抄送"),
    "attachment.add": _l("上传附件"),
    "timer.fired": _l("期限到达"),
    "timer.failed": _l("定时处理失败"),
    "deadline.recomputed": _l("按新日历重算期限"),
    "diagram.deployed": _l("部署流程"),
    "policy.updated": _l("修改检查政策"),
    "joint.merged": _l("合并为联合检查"),
    "issue_code": _l("赋行政行为码"),
    "inspection.plan": _l("计划核验"),
    "inspection.before_site": _l("入企前核验"),
    "inspection.quiet_period_override": _l("安静期例外批准"),
    "inspection.quiet_period_case": _l("安静期特殊情形"),
}
ALERT_KINDS = {
    "multi_head": _l("多头检查"),
    "repeated": _l("重复检查"),
    "high_frequency": _l("高频检查"),
    "overdue": _l("环节逾期"),
    "no_code": _l("无码入企"),
    "no_code_entry": _l("紧急检查补办逾期"),
    "calendar_year_uncovered": _l("日历年度未覆盖"),
    "timer_failed": _l("定时处理失败"),
}
ALERT_STATUSES = {"open": _l("待处理"), "acknowledged": _l("已确认"), "resolved": _l("已处理")}
INSTANCE_STATUSES = {"running": _l("办理中"), "completed": _l("已结束"), "error": _l("出错"), "cancelled": _l("已取消")}
TASK_STATES = {"open": _l("待办理"), "completed": _l("已办理"), "cancelled": _l("已取消")}
# engine.models.vocabulary.INSPECTOR_KINDS: who a person on an agency's roster is (R1: only 执法人员 inspect).
PERSON_KINDS = {
    "enforcement_officer": _l("执法人员"), "auxiliary": _l("辅助人员"), "grid_worker": _l("网格员"),
    "temporary": _l("临时聘用人员"), "third_party": _l("第三方人员"), "intermediary": _l("中介机构人员"),
}
STAGE_NAMES = {  # the stages engine.domain.stages registers, for the modeler's check-point editor
    "plan": _l("计划核验（资格、事项、时间窗口、专项、频次、预告）"),
    "before_site": _l("入企前核验（资格、事项、时间窗口、行政行为码、预告）"),
    "record_approval": _l("记录审批"),
    "issue_code": _l("赋行政行为码"),
    "record_notice": _l("记录预告"),
    "record_override": _l("记录安静期例外"),
}
# The statistics CSV's columns (engine.domain.statistics.CSV_COLUMNS) as the downloaded file's header row; the
# API's CSV keeps the codes (a program reads it).
STATISTICS_COLUMNS = {
    "agency_code": _l("执法单位代码"), "agency_name": _l("执法单位"), "inspections": _l("检查次数"),
    "routine": _l("日常检查"), "triggered": _l("触发式检查"), "onsite": _l("现场检查"), "non_onsite": _l("非现场检查"),
    "joint": _l("联合检查"), "joint_rate": _l("联合检查率"), "non_onsite_share": _l("非现场检查占比"),
    "cap_breaches": _l("超频次上限"), "overdue_steps": _l("逾期环节"), "refusals": _l("规则拒绝"),
    "overrides": _l("例外放行"), "complaints": _l("投诉"), "complaints_substantiated": _l("投诉属实"),
    "complaint_outcomes": _l("投诉处理结果"), "ratings": _l("企业评价数"), "rating_average": _l("平均评分"),
}


def statistics_headers() -> dict[str, str]:
    return {code: str(words) for code, words in STATISTICS_COLUMNS.items()}


# The prefixes engine code gives the instances it starts (see engine.identity.access.ENTERPRISE_KEY).
BUSINESS_KEY_KINDS = {
    "inspection": _l("检查 %(ref)s"),
    "complaint": _l("投诉 %(ref)s"),
    "enterprise": _l("企业 %(ref)s"),
}


def init_app(app: Flask) -> None:
    for name, words in (("action_label", AUDIT_ACTIONS), ("alert_kind_label", ALERT_KINDS),
                        ("alert_status_label", ALERT_STATUSES), ("instance_status_label", INSTANCE_STATUSES),
                        ("task_state_label", TASK_STATES), ("person_kind_label", PERSON_KINDS)):
        app.add_template_filter(_words_for(words), name)
    app.add_template_filter(business_label, "business_label")
    app.add_template_filter(process_label, "process_label")
    app.add_template_filter(agency_label, "agency_label")
    app.add_template_filter(assistant_label, "assistant_label")


def _words_for(words: dict) -> Callable[[str], str]:
    return lambda code: words.get(code, code)


def assistant_label(person: Mapping[str, str]) -> str:
    """An assistant named in advance ({name, kind}) as "姓名（辅助人员）"."""
    kind = person.get("kind") or ""
    return _("%(name)s（%(kind)s）", name=person.get("name", ""), kind=PERSON_KINDS.get(kind, kind))


def stage_choices(registered) -> list[tuple[str, str]]:
    """[stage name, "name · words"] for each registered stage, sorted by name."""
    return [(name, f"{name} · {STAGE_NAMES[name]}" if name in STAGE_NAMES else name) for name in sorted(registered)]


def business_label(business_key: str | None) -> str:
    """"inspection:245" as "检查 245", "complaint:TS-…" as "投诉 TS-…"; any other key as itself."""
    if not business_key:
        return "—"
    kind, _separator, ref = business_key.partition(":")
    template = BUSINESS_KEY_KINDS.get(kind)
    return str(template % {"ref": ref}) if template is not None and ref else business_key


def process_label(process_key: str | None) -> str:
    """A shipped procedure's short name in the visitor's language, else the deployed process's name (its
    latest version's), else the key."""
    if process_key in PROCESS_NAMES:
        return str(PROCESS_NAMES[process_key])
    if "process_names" not in g:
        with services().sessions() as session:
            g.process_names = process_names(session)
    return g.process_names.get(process_key) or process_key or "—"


def agency_label(agency_code: str | None) -> str:
    """The agency's name, else its code ("—" for work of no agency, e.g. complaints at the county office)."""
    if not agency_code:
        return "—"
    if "agency_names" not in g:
        with services().sessions() as session:
            g.agency_names = agency_names(session)
    return g.agency_names.get(agency_code) or agency_code
