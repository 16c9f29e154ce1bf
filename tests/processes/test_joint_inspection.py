"""综合查一次 (R18) through the shipped lifecycle: two agencies plan visits to one enterprise, the county office
merges them, and each agency's head approves its own member inspection. The group gets one 行政行为码, issued by
the first approval that needs it; every member points at it; each approval stays on its agency's record; the
public verification shows the one visit with every member agency."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine.commands import Actor
from engine.commands.supervision import merge_joint
from engine.commands.work import Work
from engine.domain import behavior_code
from engine.domain.inspection_process import plan_inspection
from engine.models import BehaviorCode, Inspection, JointInspectionGroup
from tests.factories import make_agency, make_enterprise, make_inspector, make_item_list, make_jurisdiction
from tests.processes.helpers import complete, deploy_all, end_of, only_task, task_data
from tests.processes.test_inspection_lifecycle import APPROVED, CHECK_PASSED, PLAN

DAY = date.fromisoformat(PLAN["inspection_date"])
AGENCIES = (("SCJG-JOINT", "示范县市场监督管理局", "局长甲"), ("YJGL-JOINT", "示范县应急管理局", "局长乙"))


def two_lifecycles(svc, clock) -> tuple[str, list[tuple[int, int]]]:
    """Two agencies' planned inspections of one enterprise, each with its lifecycle past the plan and the
    county office's check (waiting for its head's approval); the jurisdiction code and (inspection, instance)."""
    deploy_all(svc, clock)
    planned = []
    with svc.transaction() as session:
        county = make_jurisdiction(session)
        enterprise = make_enterprise(session, jurisdiction=county)
        for code, name, _head in AGENCIES:
            agency = make_agency(session, jurisdiction=county, code=code, name=name)
            items = make_item_list(session, agency=agency).items
            inspector = make_inspector(session, agency=agency)
            inspection, instance_id = plan_inspection(
                svc.runtime, session, clock, agency_code=code, credit_code=enterprise.credit_code,
                item_codes=[items[0].code], inspector_ids=[inspector.id], planned_start=DAY, planned_end=DAY,
                actor="staff")
            planned.append((inspection.id, instance_id))
        jurisdiction = county.code
    for _inspection_id, instance_id in planned:
        complete(svc, clock, only_task(svc, instance_id, "Task_plan").id, PLAN)
        complete(svc, clock, only_task(svc, instance_id, "Task_check").id, CHECK_PASSED)
    return jurisdiction, planned


def merge(svc, clock, jurisdiction: str, inspection_ids: list[int]) -> int:
    with svc.transaction() as session:
        office = Actor("office", "county_office", jurisdiction=jurisdiction)
        group = merge_joint(Work(session, clock, svc.runtime), office, inspection_ids=inspection_ids,
                            planned_start=DAY, planned_end=DAY)
        return group.id


def approve(svc, clock, instance_id: int, head: str) -> dict:
    """The head's approval in the 单位负责人 lane; the data the advance notice's first task starts with."""
    complete(svc, clock, only_task(svc, instance_id, "Task_head_approval").id, APPROVED, actor=head)
    notice = only_task(svc, instance_id, "Task_give_notice")
    return task_data(svc, notice.id)


def assert_one_joint_code(svc, app, clock, group_id: int, inspection_ids: list[int]) -> None:
    with svc.sessions() as session:
        (code,) = session.scalars(select(BehaviorCode).where(BehaviorCode.status == "issued")).all()
        assert code.joint_group_id == group_id and code.inspection_id is None
        group = session.get(JointInspectionGroup, group_id)
        assert code.valid_to == end_of(DAY.isoformat())  # the joint visit's last day
        for inspection_id, (_code, _name, head) in zip(inspection_ids, AGENCIES, strict=True):
            inspection = session.get(Inspection, inspection_id)
            assert inspection.joint_group_id == group.id
            assert behavior_code.live_code_of(session, inspection) == code  # every member points at the one code
            assert (inspection.approved_by, inspection.approved_at, inspection.status) == (head, clock.now(),
                                                                                           "approved")
        text = code.code
    verified = app.test_client().get(f"/api/v1/codes/{text}")
    assert verified.status_code == 200
    body = verified.get_json()
    assert body["valid"] is True and body["joint"] is True and body["status"] == "issued"
    assert [agency["code"] for agency in body["agencies"]] == [code for code, _name, _head in AGENCIES]
    assert len(body["inspectors"]) == 2 and len(body["items"]) == 2


def test_both_members_approve_after_the_merge_and_share_one_code(svc, app, clock):
    jurisdiction, planned = two_lifecycles(svc, clock)
    ids = [inspection_id for inspection_id, _instance in planned]
    group_id = merge(svc, clock, jurisdiction, ids)
    first = approve(svc, clock, planned[0][1], AGENCIES[0][2])
    # Between the two approvals the enterprise sees the one visit with both agencies, but only the approved
    # agency's inspectors and items enter under the code (R6).
    halfway = app.test_client().get(f"/api/v1/codes/{first['behavior_code']}").get_json()
    assert [agency["code"] for agency in halfway["agencies"]] == [code for code, _name, _head in AGENCIES]
    assert len(halfway["inspectors"]) == 1 and len(halfway["items"]) == 1
    assert any(reason.startswith(f"R6: {AGENCIES[1][1]}") for reason in halfway["reasons"])
    second = approve(svc, clock, planned[1][1], AGENCIES[1][2])
    assert second["behavior_code"] == first["behavior_code"]
    assert first["code_issued"] is True and second["code_issued"] is True
    assert_one_joint_code(svc, app, clock, group_id, ids)
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BehaviorCode)) == 1  # no second code, ever


def test_a_member_approved_before_the_merge_joins_the_one_code(svc, app, clock):
    jurisdiction, planned = two_lifecycles(svc, clock)
    ids = [inspection_id for inspection_id, _instance in planned]
    approve(svc, clock, planned[0][1], AGENCIES[0][2])  # its own code, issued before anyone merged anything
    with svc.sessions() as session:
        own = behavior_code.live_code_of(session, session.get(Inspection, ids[0]))
        assert own is not None and own.inspection_id == ids[0]
        own_text = own.code
    group_id = merge(svc, clock, jurisdiction, ids)
    approve(svc, clock, planned[1][1], AGENCIES[1][2])
    assert_one_joint_code(svc, app, clock, group_id, ids)
    with svc.sessions() as session:
        replaced = session.scalar(select(BehaviorCode).where(BehaviorCode.code == own_text))
        assert replaced.status == "revoked" and "综合查一次" in (replaced.revoke_reason or "")
    assert app.test_client().get(f"/api/v1/codes/{own_text}").get_json()["valid"] is False
