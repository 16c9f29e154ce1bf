"""抄送 (issue 12 item 4): engine.bpmn.copies (declared, refused at deploy), engine.runtime.copies (one row per group,
written and audited in the completing transaction), engine.identity.access.copied_to (a group within its agency or
jurisdiction), engine.views.copies (newest first, unread until opened) and engine.commands.copies, and the 抄送
reminder. The case: tests.engine.copy_fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.background.notify import notify_pass
from engine.background.notify_delivery import DeliverySettings
from engine.bpmn import diagram_problems, load_diagram
from engine.bpmn.copies import COPY_GROUPS
from engine.commands import NotPermitted, Work
from engine.commands.copies import mark_copy_read
from engine.commands.task_desk import comment
from engine.identity import access
from engine.identity.access import LANES_BY_ROLE
from engine.models import AuditEntry, CaseCopy, Jurisdiction, Notification, TaskComment
from engine.views.copies import copies_for, unread_count
from tests.conftest import fixture_bytes
from tests.engine.copy_fixtures import build_copy_case, complete_as, person, send_draft


@pytest.fixture
def case(svc, clock):
    return build_copy_case(svc, clock)


def run(svc, command, *args):
    with svc.transaction() as session:
        return command(Work(session, svc.clock(), svc.runtime), *args)


def copied(svc, who: str) -> list[tuple[str, bool]]:
    with svc.sessions() as session:
        return [(row.copy.step_name, row.unread) for row in copies_for(session, person(who))]


def test_the_groups_are_the_lanes_people_work():
    assert set(COPY_GROUPS) == {lane for lanes in LANES_BY_ROLE.values() for lane in lanes}


def test_the_diagram_declares_whom_each_step_copies():
    loaded = load_diagram(fixture_bytes("copy_chain.bpmn"))
    assert loaded.copies == {"Draft": ("单位负责人", "司法局"), "Approve": ("执法人员", "司法局")}


@pytest.mark.parametrize("declaration, group", [('to="单位负责人,财政局"', "财政局"), ('to=" , "', "")])
def test_deploy_refuses_an_unknown_or_missing_group_naming_the_step(declaration, group):
    xml = fixture_bytes("copy_chain.bpmn").decode().replace('to="单位负责人,司法局"', declaration)
    (problem,) = diagram_problems(xml)
    assert (problem.code, problem.element_id, problem.params["group"]) == ("copy_unknown_group", "Draft", group)


def test_completing_a_step_writes_one_copy_per_group_and_audits_it(svc, clock, case):
    with svc.sessions() as session:
        assert session.scalars(select(CaseCopy)).all() == []
    clock.advance(timedelta(hours=1))
    send_draft(svc, case)
    with svc.sessions() as session:
        rows = session.scalars(select(CaseCopy).order_by(CaseCopy.id)).all()
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.copied")).all()
        county = session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == "331125"))
    assert [(r.candidate_group, r.agency, r.jurisdiction_id, r.step_name, r.copied_by, r.task_id) for r in rows] == [
        ("单位负责人", "SCJG", county, "拟定方案", "li", case.draft_id),
        ("司法局", "SCJG", county, "拟定方案", "li", case.draft_id)]
    assert all(r.copied_at == clock.now() for r in rows)
    assert (entry.instance_id, entry.task_id, entry.after) == (case.instance_id, case.draft_id,
                                                               {"element_id": "Draft", "to": ["单位负责人", "司法局"]})


def test_a_copy_reaches_its_group_within_the_agency_or_the_jurisdiction_only(svc, case):
    send_draft(svc, case)
    reached = {who for who in ("li", "head", "wang", "office", "sup", "sup2", "city", "admin") if copied(svc, who)}
    # 单位负责人 of SCJG only; 司法局 of 示范县 and the city above it; not 邻县, not the county office, not staff
    assert reached == {"head", "sup", "city"}


def test_unread_until_opened_and_a_later_steps_copy_is_unread_again(svc, clock, case):
    approve = send_draft(svc, case)
    assert copied(svc, "sup") == [("拟定方案", True)]
    clock.advance(timedelta(minutes=5))
    run(svc, mark_copy_read, person("sup"), case.instance_id)
    with svc.sessions() as session:
        assert unread_count(session, person("sup")) == 0
    assert copied(svc, "sup") == [("拟定方案", False)]
    clock.advance(timedelta(minutes=5))
    complete_as(svc, "head", approve, {"approved": True, "approval_opinion": "同意"})
    assert copied(svc, "sup") == [("负责人审批", True), ("拟定方案", False)]  # one line per step, newest first
    with svc.sessions() as session:
        assert unread_count(session, person("sup")) == 1
    # 负责人审批 copies 执法人员 too: li; not the head who sent it (though the head's lanes include it)
    assert copied(svc, "li") == [("负责人审批", True)]
    assert copied(svc, "head") == [("拟定方案", True)]


def test_only_a_user_the_case_was_copied_to_marks_it_read(svc, case):
    send_draft(svc, case)
    with pytest.raises(NotPermitted) as refused:
        run(svc, mark_copy_read, person("wang"), case.instance_id)
    assert refused.value.reason == "not_copied"


def test_a_copy_opens_the_instance_to_read_and_comment_on_but_not_to_work(svc, case):
    approve = send_draft(svc, case)
    with svc.transaction() as session:  # a copy to XFJY's staff: an agency that otherwise sees nothing of the case
        model = session.scalars(select(CaseCopy)).first()
        session.add(CaseCopy(instance_id=case.instance_id, task_id=model.task_id, element_id="Draft",
                             step_name="拟定方案", candidate_group="执法人员", agency="XFJY",
                             jurisdiction_id=model.jurisdiction_id, copied_by="li", copied_at=model.copied_at))
    with svc.sessions() as session:
        sees = {who: access.may_see_instance(session, access.scope_of(session, person(who)), case.instance_id)
                for who in ("wang", "sup2", "office")}
        with pytest.raises(NotPermitted) as refused:
            access.task_for(session, access.scope_of(session, person("wang")), approve, work=True, copies=True)
    assert sees == {"wang": True, "sup2": False, "office": True}  # the office sees its county's work anyway
    assert refused.value.reason == "outside_scope"
    run(svc, comment, person("wang"), approve, "已知悉，消防方面无异议")
    with pytest.raises(NotPermitted):
        run(svc, comment, person("sup2"), approve, "邻县留言")
    with svc.sessions() as session:
        assert [c.author for c in session.scalars(select(TaskComment))] == ["wang"]


def test_the_copied_users_are_reminded_once_and_the_sender_is_not(svc, clock, case):
    notify_pass(svc.runtime, svc.write_sessions, clock, DeliverySettings())  # the watermark before the copy
    send_draft(svc, case)
    notify_pass(svc.runtime, svc.write_sessions, clock, DeliverySettings())
    notify_pass(svc.runtime, svc.write_sessions, clock, DeliverySettings())
    with svc.sessions() as session:
        found = session.execute(select(Notification.username, Notification.text, Notification.instance_id)
                                .where(Notification.kind == "case_copied").order_by(Notification.username)).all()
    assert [(who, instance) for who, _, instance in found] == [("city", case.instance_id), ("head", case.instance_id),
                                                               ("sup", case.instance_id)]
    assert found[0].text.startswith("抄送给您：") and "「拟定方案」已由 li 办结" in found[0].text


def test_the_sender_completing_a_step_copied_to_their_own_group_is_not_reminded(svc, clock, case):
    approve = send_draft(svc, case)
    notify_pass(svc.runtime, svc.write_sessions, clock, DeliverySettings())
    complete_as(svc, "head", approve, {"approved": True})
    notify_pass(svc.runtime, svc.write_sessions, clock, DeliverySettings())
    with svc.sessions() as session:
        assert session.execute(select(Notification.username).where(
            Notification.kind == "case_copied", Notification.text.contains("负责人审批"))
            .order_by(Notification.username)).scalars().all() == ["city", "li", "sup"]
