"""What a planner may choose when planning an inspection, and the checking of a submitted plan.

The choices come from records, not free text: the agency's published item lists (R2: only listed items are
inspected), its enforcement officers with the state of their 执法证 on the visit day (R1: only certificate
holders inspect; lapsed ones are shown but cannot be picked), its people of the other kinds (辅助人员, 网格员…)
who may be named in advance to assist but never inspect, the triggers of 触发式检查 (R16) and the two
modes. `check_plan` turns a submitted form into arguments for `plan_inspection`, or raises `PlanInvalid`
naming every field that is wrong; the rule checks proper (caps, quiet period, notice...) still run at the
lifecycle's check point, where refusals and overrides are logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.behavior_code import certificate_status
from engine.domain.policy_admin import jurisdiction_tree_of
from engine.models import Agency, Enterprise, InspectionItem, InspectionItemList, Inspector
from engine.models.vocabulary import QUALIFIED_INSPECTOR_KIND, TRIGGER_KINDS, URGENT_REASONS

MODES = {"onsite": "现场检查", "non_onsite": "非现场检查"}
TRIGGERS = {"routine": "日常检查", **{key: f"触发式检查：{label}" for key, label in TRIGGER_KINDS.items()}}
# Assistants accompany the inspectors; more than a handful would make a visit of them rather than of inspectors.
MAX_ASSISTANTS = 4


@dataclass(frozen=True)
class InspectorChoice:
    id: int
    name: str
    certificate_number: str | None
    status: str  # engine.domain.behavior_code.certificate_status on the visit day

    @property
    def selectable(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True)
class AssistantChoice:
    """One of the agency's people without a 执法证 who may be named in advance to assist (辅助人员)."""

    id: int
    name: str
    kind: str  # an INSPECTOR_KINDS code other than the enforcement officer's: auxiliary, grid_worker…


@dataclass(frozen=True)
class PlanChoices:
    agency: Agency
    items: list[InspectionItem]
    inspectors: list[InspectorChoice]
    assistants: list[AssistantChoice] = field(default_factory=list)


@dataclass
class PlanInvalid(Exception):
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "；".join(f"{name}：{reason}" for name, reason in self.fields.items())


@dataclass(frozen=True)
class UrgentVisit:
    """R7: an inspection already made without prior approval (紧急检查), recorded so that its approval and code
    follow within the policy's working days (the lifecycle's 补办审批和赋码)."""

    urgent_type: str  # an URGENT_REASONS code
    reason: str


@dataclass(frozen=True)
class CheckedPlan:
    """Keyword arguments for engine.domain.inspection_process.plan_inspection (plus the agency)."""

    credit_code: str
    item_codes: list[str]
    inspector_ids: list[int]
    planned_start: date
    planned_end: date
    trigger: str
    trigger_reason: str | None
    mode: str
    urgent: UrgentVisit | None = None
    assistant_ids: list[int] = field(default_factory=list)


def plan_choices(session: Session, agency_code: str, on: date) -> PlanChoices:
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise LookupError(f"没有代码为 {agency_code} 的执法单位")
    items = list(session.scalars(
        select(InspectionItem).join(InspectionItemList)
        .where(InspectionItemList.agency_id == agency.id, InspectionItemList.published_on.is_not(None),
               InspectionItemList.published_on <= on,
               or_(InspectionItemList.withdrawn_on.is_(None), InspectionItemList.withdrawn_on > on))
        .order_by(InspectionItem.code)))
    people = list(session.scalars(select(Inspector).where(Inspector.agency_id == agency.id)
                                  .order_by(Inspector.name)))
    officers = [p for p in people if p.kind == QUALIFIED_INSPECTOR_KIND]
    inspectors = [InspectorChoice(p.id, p.name, p.certificate_number, certificate_status(p, on)) for p in officers]
    assistants = [AssistantChoice(p.id, p.name, p.kind) for p in people
                  if p.kind != QUALIFIED_INSPECTOR_KIND and p.status == "active"]
    return PlanChoices(agency, items, inspectors, assistants)


def find_enterprise(session: Session, text: str) -> Enterprise | None:
    """By unified social credit code, by exact name, else by part of the name when only one enterprise's name
    contains it (a planner types 「星河」 for 「云和县星河食品有限公司」); several matches find none."""
    wanted = text.strip()
    exact = session.scalar(select(Enterprise).where(
        or_(Enterprise.credit_code == wanted.upper(), Enterprise.name == wanted)).limit(1))
    if exact is not None or not wanted:
        return exact
    partial = list(session.scalars(select(Enterprise).where(
        Enterprise.name.contains(wanted, autoescape=True)).limit(2)))
    return partial[0] if len(partial) == 1 else None


def enterprise_suggestions(session: Session, agency: Agency, limit: int = 500) -> list[tuple[str, str]]:
    """(name, credit code) of enterprises in the agency's jurisdiction, for the form's suggestion list."""
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(Enterprise.name, Enterprise.credit_code).where(Enterprise.jurisdiction_id == agency.jurisdiction_id)
        .order_by(Enterprise.name).limit(limit))]


def enterprise_in_reach(session: Session, agency: Agency, enterprise: Enterprise) -> bool:
    """An agency inspects enterprises of its own jurisdiction or one below it, never another county's."""
    return enterprise.jurisdiction_id in jurisdiction_tree_of(session, agency.jurisdiction_id)


def check_plan(session: Session, choices: PlanChoices, form: dict[str, str | list[str]],
               today: date | None = None) -> CheckedPlan:
    """`today` (the planner's day) bounds an urgent inspection's date: it has already taken place."""
    problems: dict[str, str] = {}
    enterprise_text = str(form.get("enterprise") or "").strip()
    enterprise = find_enterprise(session, enterprise_text) if enterprise_text else None
    if not enterprise_text:
        problems["enterprise"] = "请填写企业名称或统一社会信用代码"
    elif enterprise is None:
        problems["enterprise"] = f"没有找到企业「{enterprise_text}」"
    elif not enterprise_in_reach(session, choices.agency, enterprise):
        problems["enterprise"] = f"企业「{enterprise.name}」不在本单位所属辖区内，不能由本单位检查"
    start, end = _day(form.get("planned_start"), "planned_start", problems), \
        _day(form.get("planned_end") or form.get("planned_start"), "planned_end", problems)
    if start and end and end < start:
        problems["planned_end"] = "结束日期早于开始日期"
    listed = {item.code for item in choices.items}
    item_codes = _many(form.get("items"))
    if not item_codes:
        problems["items"] = "请至少选择一项检查事项（R2：只检查清单内事项）"
    elif set(item_codes) - listed:
        problems["items"] = "所选事项不在本单位公布的检查事项清单内（R2）"
    selectable = {str(p.id): p for p in choices.inspectors if p.selectable}
    inspector_ids = _many(form.get("inspectors"))
    if set(inspector_ids) - set(selectable):
        problems["inspectors"] = "所选人员不持有有效执法证件，不能参与检查（R1）"
    elif not inspector_ids:
        problems["inspectors"] = "请选择持有效执法证件的检查人员（R1）"
    assistant_ids = _assistants(choices, form, inspector_ids, problems)
    trigger = str(form.get("trigger") or "routine")
    if trigger not in TRIGGERS:
        problems["trigger"] = "请选择检查类型"
    mode = str(form.get("mode") or "onsite")
    if mode not in MODES:
        problems["mode"] = "请选择检查方式"
    urgent = _urgent(form, start, today, problems)
    if problems:
        raise PlanInvalid(problems)
    assert enterprise is not None and start is not None and end is not None
    # An urgent inspection is not a routine visit: it counts against no R15/R17 cap.
    return CheckedPlan(enterprise.credit_code, item_codes, [int(i) for i in inspector_ids], start, end,
                       "routine" if trigger == "routine" and urgent is None else "triggered",
                       None if trigger == "routine" else trigger, mode, urgent, assistant_ids)


def _assistants(choices: PlanChoices, form: dict, inspector_ids: list[str], problems: dict[str, str]) -> list[int]:
    """The assistants named in advance: optional, the agency's own people without a 执法证, few, and none of them
    also among the inspectors (R1: a person either inspects or assists)."""
    named = list(dict.fromkeys(_many(form.get("assistants"))))
    if set(named) & ({str(p.id) for p in choices.inspectors} | set(inspector_ids)):
        problems["assistants"] = "执法人员应列为检查人员，同一人不能既是检查人员又是辅助人员（R1）"
    elif set(named) - {str(p.id) for p in choices.assistants}:
        problems["assistants"] = "所选辅助人员不是本单位的辅助人员（R1：只能事先确定本单位的辅助人员）"
    elif len(named) > MAX_ASSISTANTS:
        problems["assistants"] = f"辅助人员至多 {MAX_ASSISTANTS} 名"
    return [int(i) for i in named] if "assistants" not in problems else []


URGENT_FLAGS = ("1", "true", "on", "yes")


def _urgent(form: dict, start: date | None, today: date | None, problems: dict[str, str]) -> UrgentVisit | None:
    if str(form.get("urgent") or "").lower() not in URGENT_FLAGS:
        return None
    kind = str(form.get("urgent_type") or "").strip()
    kind = next((code for code, label in URGENT_REASONS.items() if kind in (code, label)), "")
    reason = str(form.get("urgent_reason") or "").strip()
    if not kind:
        problems["urgent_type"] = "请选择未能事先审批的原因（R7）"
    if not reason:
        problems["urgent_reason"] = "请写明紧急检查的事由（R7）"
    if start is not None and today is not None and start > today:
        problems["planned_start"] = "紧急检查登记的是已经实施的检查：检查日期不能晚于今天（R7）"
    return UrgentVisit(kind, reason) if kind and reason else None


def _day(value, name: str, problems: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        problems[name] = "请填写日期（年-月-日）"
        return None


def _many(value) -> list[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return [str(v) for v in values if str(v).strip()]
