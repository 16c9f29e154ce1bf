"""engine.identity.access: who sees and who works which task and instance — agency and lane, joint inspections (R18),
jurisdictions with the ones below them, placement by enterprise, administrators — and that the inbox query cuts
in SQL (no leakage past a LIMIT), with the enterprise filter and search."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.identity import access
from engine.models import Complaint, User
from engine.views.inbox import InboxFilter, enterprises_of, inbox, open_tasks
from engine.views.supervision_scope import alerts_in_scope, decisions_in_scope
from tests.engine.access_fixtures import PEOPLE, add_task, build_world, inspection_task, join
from tests.factories import NOW, make_complaint


def person(username: str) -> User:
    role, agency, jurisdiction = PEOPLE[username]
    return User(username=username, role=role, agency=agency, jurisdiction=jurisdiction, display_name=username,
                password_hash="-")


@pytest.fixture
def world(svc, clock):
    return build_world(svc, clock)


def standing(svc, username: str, task_id: str) -> str:
    """"work", "see" or "no" for the user and task, by the single-task check."""
    with svc.sessions() as session:
        scope = access.scope_of(session, person(username))
        try:
            access.task_for(session, scope, task_id, work=True)
            assert access.may_work(session, scope, task_id)
            return "work"
        except access.NotPermitted as refusal:
            if refusal.reason == "outside_scope":
                return "no"
        access.task_for(session, scope, task_id, work=False)
        assert not access.may_work(session, scope, task_id)
        return "see"


def listed(svc, username: str, *, work: bool = False, **filters) -> set[str]:
    with svc.sessions() as session:
        scope = access.scope_of(session, person(username))
        condition = access.workable(scope) if work else access.visible(scope)
        return {t.id for t in open_tasks(session, within=condition, **filters)}


def test_staff_and_heads_work_their_lanes_of_their_own_agency(svc, world):
    with svc.transaction() as session:
        inspectors = add_task(session, world, agency="SCJG", lane="执法人员").id
        heads = add_task(session, world, agency="SCJG", lane="单位负责人").id
        justice = add_task(session, world, agency="SCJG", lane="司法局").id
        fire = add_task(session, world, agency="XFJY", lane="执法人员").id
        laneless = add_task(session, world, agency="SCJG", lane=None).id
    assert [standing(svc, "li", t) for t in (inspectors, heads, justice, fire, laneless)] == \
        ["work", "see", "see", "no", "work"]
    assert [standing(svc, "head", t) for t in (inspectors, heads, justice, fire)] == ["work", "work", "see", "no"]
    assert [standing(svc, "wang", t) for t in (inspectors, fire)] == ["no", "work"]
    assert listed(svc, "li", work=True) == {inspectors, laneless}
    assert listed(svc, "li") == {inspectors, heads, justice, laneless}


def test_staff_without_an_agency_and_unknown_roles_see_nothing(svc, world):
    with svc.transaction() as session:
        task = add_task(session, world, agency="SCJG", lane="执法人员").id
    with svc.sessions() as session:
        for user in (User(username="x", role="staff", agency=None), User(username="y", role="visitor", agency="SCJG")):
            scope = access.scope_of(session, user)
            with pytest.raises(access.NotPermitted):
                access.task_for(session, scope, task, work=False)


def test_joint_inspection_members_see_and_work_each_others_tasks(svc, world):
    with svc.transaction() as session:
        mine, my_inspection = inspection_task(session, world, "SCJG", world.firm)
        partner, partner_inspection = inspection_task(session, world, "XFJY", world.firm)
        partners_head_step, _ = inspection_task(session, world, "XFJY", world.firm, lane="单位负责人")
        outsider, _ = inspection_task(session, world, "XFJY", world.firm)  # not in the group
        join(session, my_inspection, partner_inspection)
        ids = mine.id, partner.id, outsider.id
    assert [standing(svc, "li", t) for t in ids] == ["work", "work", "no"]
    assert [standing(svc, "wang", t) for t in ids] == ["work", "work", "work"]
    assert standing(svc, "zhou", partner.id) == "no"  # another county's agency, not a member
    assert standing(svc, "li", partners_head_step.id) == "no"  # a different inspection of the partner
    assert listed(svc, "li", work=True) == {mine.id, partner.id}


def test_supervisors_and_the_county_office_see_their_jurisdiction_and_below(svc, world):
    with svc.transaction() as session:
        here = add_task(session, world, agency="SCJG", lane="执法人员").id
        office_step = add_task(session, world, agency="XFJY", lane="县综合执法办").id
        justice_step = add_task(session, world, agency="SCJG", lane="司法局").id
        there = add_task(session, world, agency="LXJG", lane="司法局").id
    assert [standing(svc, "sup", t) for t in (here, office_step, justice_step, there)] == ["see", "see", "work", "no"]
    assert [standing(svc, "office", t) for t in (here, office_step, justice_step, there)] == \
        ["see", "work", "see", "no"]
    assert [standing(svc, "sup2", t) for t in (here, justice_step, there)] == ["no", "no", "work"]
    assert [standing(svc, "office2", t) for t in (office_step, there)] == ["no", "see"]
    # The city's supervisor oversees both counties below it.
    assert [standing(svc, "city", t) for t in (here, justice_step, there)] == ["see", "work", "work"]
    assert listed(svc, "sup") == {here, office_step, justice_step}
    assert listed(svc, "sup", work=True) == {justice_step}


def test_tasks_without_a_known_agency_are_placed_by_their_instance_or_enterprise_and_never_everywhere(svc, world):
    with svc.transaction() as session:
        by_key = add_task(session, world, agency=None, lane="县综合执法办",
                          business_key=f"enterprise:{world.firm.credit_code}").id
        complaint_task = add_task(session, world, agency=None, lane="县综合执法办", business_key="complaint:T1")
        complaint = make_complaint(session, enterprise=session.merge(world.other_firm))
        complaint.process_instance_id = complaint_task.instance_id
        unknown_code = add_task(session, world, agency="NOPE", lane="县综合执法办",
                                business_key=f"enterprise:{world.other_firm.credit_code}").id
        anonymous = add_task(session, world, agency=None, lane="县综合执法办", business_key="complaint:T3",
                             placed_in=world.county).id
        nowhere = add_task(session, world, agency=None, lane="县综合执法办", business_key="complaint:T2").id
        inspection_step, _ = inspection_task(session, world, "LXJG", world.other_firm, lane="县综合执法办")
        inspection_step.agency = None  # placed by its inspection's enterprise alone
        session.flush()
        ids = by_key, complaint_task.id, unknown_code, anonymous, nowhere, inspection_step.id
    # Issue 10 defect 9: an anonymous complaint is the county's it was filed in, and nothing is everyone's.
    assert [standing(svc, "office", t) for t in ids] == ["work", "no", "no", "work", "no", "no"]
    assert [standing(svc, "office2", t) for t in ids] == ["no", "work", "work", "no", "no", "work"]
    assert [standing(svc, "li", t) for t in ids] == ["no", "no", "no", "no", "no", "no"]
    # The lists agree with the one-task checks (there the places are probed per task).
    assert listed(svc, "office2") == {complaint_task.id, unknown_code, inspection_step.id}
    assert listed(svc, "city") == {by_key, complaint_task.id, unknown_code, anonymous, inspection_step.id}
    assert standing(svc, "admin", nowhere) == "see"


def test_a_supervisor_whose_jurisdiction_cannot_be_told_sees_nothing(svc, world):
    with svc.transaction() as session:
        placed = add_task(session, world, agency="SCJG", lane="司法局").id
        nowhere = add_task(session, world, agency=None, lane="司法局").id
    with svc.sessions() as session:
        scope = access.scope_of(session, User(username="lost", role="supervisor", jurisdiction="no such place"))
        assert scope.jurisdiction_ids == frozenset()  # three jurisdictions exist: no single fallback
        assert {t.id for t in open_tasks(session, within=access.visible(scope))} == set()
    assert placed not in listed(svc, "sup2") and nowhere not in listed(svc, "sup2")


def test_administrators_and_process_owners_see_everything_and_work_nothing(svc, world):
    with svc.transaction() as session:
        tasks = [add_task(session, world, agency=a, lane=lane).id
                 for a, lane in (("SCJG", "执法人员"), ("LXJG", "司法局"), (None, None))]
    for username in ("admin", "owner"):
        assert [standing(svc, username, t) for t in tasks] == ["see", "see", "see"]
        assert listed(svc, username, work=True) == set()


def test_an_instance_is_seen_by_whoever_sees_one_of_its_tasks(svc, world):
    with svc.transaction() as session:
        task = add_task(session, world, agency="SCJG", lane="司法局")
        task.state = "completed"  # done tasks still count
        instance_id = task.instance_id
    with svc.sessions() as session:
        def sees(username: str) -> bool:
            return access.may_see_instance(session, access.scope_of(session, person(username)), instance_id)

        assert [sees(u) for u in ("li", "head", "wang", "sup", "sup2", "city", "admin", "owner")] == \
            [True, True, False, True, False, True, True, True]


def test_the_inbox_cuts_in_sql_so_no_task_hides_behind_the_limit(svc, world):
    early = NOW + timedelta(hours=1)
    with svc.transaction() as session:
        for _ in range(250):  # another agency's and another county's tasks, all due sooner
            add_task(session, world, agency="XFJY", lane="执法人员", due_at=early)
            add_task(session, world, agency="LXJG", lane="司法局", due_at=early)
        mine = {add_task(session, world, agency="SCJG", lane="执法人员", due_at=NOW + timedelta(days=9)).id
                for _ in range(3)}
        justice = add_task(session, world, agency="SCJG", lane="司法局", due_at=NOW + timedelta(days=9)).id
    with svc.sessions() as session:
        assert {t.id for t in inbox(session, person("li"), NOW, limit=200)} == mine
        assert {t.id for t in inbox(session, person("sup"), NOW, limit=10)} == {justice}
    neighbours = listed(svc, "sup2", limit=1000)  # everything the other county's supervisor sees
    assert len(neighbours) == 250 and not neighbours & (mine | {justice})


def test_enterprise_filter_and_search_by_name_or_credit_code(svc, world):
    with svc.transaction() as session:
        by_inspection, _ = inspection_task(session, world, "SCJG", world.firm, name="制定检查方案")
        by_key = add_task(session, world, agency="SCJG", lane="执法人员", name="送达检查预告",
                          business_key=f"enterprise:{world.firm.credit_code}").id
        elsewhere = add_task(session, world, agency="SCJG", lane="执法人员", name="现场检查",
                             business_key="enterprise:91331125000000000X").id
        by_inspection_id = by_inspection.id

    def found(**wanted) -> set[str]:
        with svc.sessions() as session:
            return {t.id for t in inbox(session, person("li"), NOW, InboxFilter(**wanted))}

    assert found(enterprise=world.firm.credit_code) == {by_inspection_id, by_key}
    assert found(enterprise=world.firm.credit_code.lower()) == {by_inspection_id, by_key}
    assert found(search="甲食品") == {by_inspection_id, by_key}
    assert found(search=world.firm.credit_code[-6:]) == {by_inspection_id, by_key}
    assert found(search="现场") == {elsewhere}  # the task name, as before
    assert found(search="乙化工") == set()
    assert found(enterprise=world.other_firm.credit_code) == set()
    with svc.sessions() as session:
        tasks = open_tasks(session)
        named = {t.id: e for t in tasks if (e := enterprises_of(session, tasks).get(t.instance_id))}
    assert {named[by_inspection_id].name, named[by_key].name} == {"甲食品有限公司"} and elsewhere not in named


def test_alerts_and_decisions_are_placed_in_jurisdictions(svc, world):
    from engine.domain.decisions import log_refusal
    from engine.domain.errors import Refused
    from engine.platform import alerts

    with svc.transaction() as session:
        task = add_task(session, world, agency="LXJG", lane="司法局")
        _, inspection = inspection_task(session, world, "SCJG", world.firm)
        raised = {
            "firm": alerts.raise_alert(session, kind="multi_head", subject="a", message="m", now=NOW,
                                       details={"enterprise_id": world.firm.id}),
            "inspection": alerts.raise_alert(session, kind="repeated", subject="b", message="m", now=NOW,
                                             details={"inspection_id": inspection.id}),
            "neighbour_task": alerts.raise_alert(session, kind="overdue", subject="c", message="m", now=NOW,
                                                 details={"instance_id": task.instance_id, "task_id": task.id}),
            "calendar": alerts.raise_alert(session, kind="calendar", subject="d", message="m", now=NOW,
                                           details={"year": 2027}),
            "anonymous": alerts.raise_alert(session, kind="no_code", subject="e", message="m", now=NOW,
                                            details={"complaint_id": make_complaint(session).id}),
            "filed_here": alerts.raise_alert(session, kind="no_code", subject="f", message="m", now=NOW,
                                             details={"complaint_id": make_complaint(session).id}),
        }
        # An anonymous report is the county's it was filed in (issue 10 defect 9); one placed nowhere is nobody's.
        session.get(Complaint, raised["filed_here"].details["complaint_id"]).jurisdiction_id = world.county.id
        log_refusal(session, Refused("R15", "超过上限"), action="plan", actor="li", now=NOW, inspection=inspection)
        log_refusal(session, Refused("R99", "无处可归"), action="x", actor="li", now=NOW)
        ids = {label: alert.id for label, alert in raised.items()}
    with svc.sessions() as session:
        def kept(username: str) -> set[str]:
            scope = access.scope_of(session, person(username))
            everything = alerts.open_alerts(session)
            return {label for label, i in ids.items() if i in {a.id for a in alerts_in_scope(session, scope,
                                                                                                everything)}}

        def rules(username: str) -> list[str]:
            scope = access.scope_of(session, person(username))
            return [line.decision.rule for line in decisions_in_scope(session, scope)]

        assert kept("sup") == {"firm", "inspection", "calendar", "filed_here"}
        assert kept("sup2") == {"neighbour_task", "calendar"}
        assert kept("city") == set(ids) - {"anonymous"} and kept("admin") == set(ids)
        assert sorted(rules("sup")) == ["R15", "R99"] and rules("sup2") == ["R99"]
