"""The supervisor's pages on the demo county: overdue steps, alerts to acknowledge and resolve, the shares
against the target, refusals and overrides, the CSV download and an instance's history."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.domain.decisions import log_refusal
from engine.domain.errors import Refused
from engine.models import Agency, Enterprise, Inspection, TaskRecord
from engine.platform import alerts
from tests.web.pages import login_demo as login
from web.services import services


@pytest.fixture
def client(app, demo):
    return app.test_client()




def test_the_dashboard_shows_overdue_steps_alerts_shares_and_decisions(app, client):
    login(client, "supervisor")
    page = client.get("/supervise").get_data(as_text=True)
    assert "逾期环节" in page and "个工作日" in page and "没有逾期环节" not in page
    assert "联合检查率" in page and "目标 70%" in page and "示范县市场监督管理局" in page
    assert "例外批准" in page  # the demo's logged cap overrides
    instance_link = re.search(r'href="(/supervise/instances/\d+)"', page).group(1)
    history = client.get(instance_link).get_data(as_text=True)
    assert "审计记录" in history and "流程启动" in history


def test_acknowledging_and_resolving_an_alert(app, client):
    login(client, "supervisor")
    with app.app_context(), services().sessions() as session:
        alert = alerts.open_alerts(session)[0]
    page = client.get("/supervise").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/supervise/alerts/{alert.id}/ack", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/supervise/alerts/{alert.id}/resolve", data={"csrf_token": token}).status_code == 302
    with app.app_context(), services().sessions() as session:
        assert alert.id not in {a.id for a in alerts.open_alerts(session)}
    assert client.post("/supervise/alerts/999999/ack", data={"csrf_token": token}).status_code == 404


def test_statistics_download(client):
    login(client, "supervisor")
    response = client.get("/supervise/statistics.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "示范县市场监督管理局" in response.get_data(as_text=True)


def test_staff_may_not_supervise(client):
    login(client, "staff")
    assert client.get("/supervise").status_code == 403


def test_a_task_page_shows_the_enterprise_against_its_cap(client):
    login(client, "staff")
    inbox = client.get("/inbox?process=inspection_lifecycle").get_data(as_text=True)
    task_link = re.search(r'href="(/tasks/[0-9a-f-]+)"', inbox).group(1)
    page = client.get(task_link).get_data(as_text=True)
    assert "信用等级" in page and "本单位今年例行现场检查" in page and "上限" in page


def _neighbour_county(app, svc):
    """A second county (邻县) with its own agency, enterprise, supervisor, county office and an overdue step."""
    from datetime import timedelta
    from types import SimpleNamespace

    from sqlalchemy import select

    from engine.models import ProcessVersion
    from tests.engine.access_fixtures import add_task
    from tests.factories import make_agency, make_enterprise, make_jurisdiction
    from tests.web.pages import make_user

    with svc.transaction() as session:
        county = make_jurisdiction(session, code="331126", name="邻县")
        make_agency(session, jurisdiction=county, code="LXJG", name="邻县市场监督管理局")
        make_enterprise(session, jurisdiction=county, name="乙化工有限公司")
        version_id = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "advance_notice"))
        world = SimpleNamespace(version_id=version_id)  # all add_task needs of an access World
        late = add_task(session, world, agency="LXJG", lane="执法人员", name="邻县逾期环节",
                        due_at=svc.clock().now() - timedelta(days=10), process_key="advance_notice")
        ids = late.id, late.instance_id
    make_user(app, "sup2", "supervisor", agency=None, jurisdiction="331126")
    make_user(app, "office2", "county_office", agency=None, jurisdiction="331126")
    return ids


def test_each_supervisor_sees_only_their_jurisdiction(app, client, svc):
    from tests.web.pages import login as login_as

    _task_id, instance_id = _neighbour_county(app, svc)
    login(client, "supervisor")
    page = client.get("/supervise").get_data(as_text=True)
    assert "邻县逾期环节" not in page and "逾期环节" in page
    refused = client.get(f"/supervise/instances/{instance_id}")
    assert refused.status_code == 403 and "不在您的辖区内" in refused.get_data(as_text=True)
    login_as(client, "sup2")
    page = client.get("/supervise").get_data(as_text=True)
    assert "邻县逾期环节" in page and "邻县市场监督管理局" in page
    assert "示范县市场监督管理局" not in page.split("待合并的联合检查")[0]  # no demo county rows in the overdue view
    assert client.get(f"/supervise/instances/{instance_id}").status_code == 200
    login(client, "supervisor")
    demo_link = re.search(r'href="(/supervise/instances/\d+)"', client.get("/supervise").get_data(as_text=True))
    login_as(client, "sup2")
    assert client.get(demo_link.group(1)).status_code == 403
    assert client.get("/supervise/instances/999999").status_code == 404


def test_alerts_outside_the_jurisdiction_cannot_be_acknowledged(app, client, svc):
    from tests.web.pages import login as login_as

    _neighbour_county(app, svc)
    with app.app_context(), services().sessions() as session:
        demo_alert = alerts.open_alerts(session)[0]  # a 无码入企 complaint about a demo county enterprise
    login_as(client, "sup2")
    page = client.get("/supervise").get_data(as_text=True)
    assert demo_alert.message not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(f"/supervise/alerts/{demo_alert.id}/ack", data={"csrf_token": token})
    assert refused.status_code == 403 and "不在您的辖区内" in refused.get_data(as_text=True)
    with app.app_context(), services().sessions() as session:
        assert alerts.open_alerts(session, demo_alert.kind)[0].status == "open"


def test_overdue_drill_down_by_agency_procedure_and_age(client):
    login(client, "supervisor")
    page = client.get("/supervise").get_data(as_text=True)
    rows = re.findall(r'<tr><td>([^<]*)</td><td>([^<]*)</td>\s*<td><a href="/supervise/instances/\d+"', page)
    assert rows, "the demo has overdue steps"
    agency_name = next(agency for agency, _process in rows if agency != "—")
    code = re.search(rf'<option value="(\w+)"[^>]*>{agency_name}</option>', page).group(1)
    narrowed = client.get(f"/supervise?agency={code}").get_data(as_text=True)
    kept = re.findall(r'<tr><td>([^<]*)</td><td>[^<]*</td>\s*<td><a href="/supervise/instances/', narrowed)
    assert kept and set(kept) == {agency_name}
    by_process = client.get("/supervise?process=penalty_revisit").get_data(as_text=True)
    assert set(re.findall(r'<tr><td>[^<]*</td><td>([^<]*)</td>\s*<td><a href="/supervise/instances/',
                          by_process)) == {"罚后回访"}
    ages = {bucket: re.findall(r'class="overdue">(\d+) 个工作日', client.get(f"/supervise?age={bucket}")
                               .get_data(as_text=True)) for bucket in ("1-2", "3-5", "over5")}
    assert all(1 <= int(a) <= 2 for a in ages["1-2"]) and all(3 <= int(a) <= 5 for a in ages["3-5"])
    assert all(int(a) >= 6 for a in ages["over5"]) and sum(map(len, ages.values())) == len(rows)
    unknown = client.get("/supervise?age=forever").get_data(as_text=True)
    assert "未知的逾期时长筛选" in unknown


def _proposal(app):
    """Two planned inspections of one demo enterprise by two agencies in the same month: a joint proposal."""
    from datetime import date

    from sqlalchemy import select

    from engine.models import Agency, Enterprise
    from tests.factories import make_inspection

    with app.app_context(), services().transaction() as session:
        scjg, xfjy = (session.scalar(select(Agency).where(Agency.code == code)) for code in ("SCJG", "XFJY"))
        firm = session.scalar(select(Enterprise).order_by(Enterprise.id.desc()).limit(1))
        first = make_inspection(session, agency=scjg, enterprise=firm, items=[], inspectors=[],
                                planned_start=date(2026, 11, 3),
                                planned_end=date(2026, 11, 3))
        second = make_inspection(session, agency=xfjy, enterprise=firm, items=[], inspectors=[],
                                 planned_start=date(2026, 11, 17),
                                 planned_end=date(2026, 11, 18))
        return firm.name, [first.id, second.id], scjg.id


def _merge_form(ids: list[int], lead: int, token: str, start: str = "2026-11-10", end: str = "2026-11-10") -> dict:
    return {"csrf_token": token, "inspection_id": [str(i) for i in ids], "planned_start": start,
            "planned_end": end, "lead_agency_id": str(lead)}


def test_the_county_office_merges_a_proposed_joint_inspection(app, client):
    from engine.models import Inspection

    firm, ids, lead = _proposal(app)
    login(client, "office")
    page = client.get("/supervise").get_data(as_text=True)
    assert firm in page and ">合并</button>" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad_date = client.post("/supervise/joint/merge", data=_merge_form(ids, lead, token, end="11/10"),
                           follow_redirects=True).get_data(as_text=True)
    assert "未合并" in bad_date and "结束日期" in bad_date
    done = client.post("/supervise/joint/merge", data=_merge_form(ids, lead, token), follow_redirects=True)
    assert "已合并为联合检查" in done.get_data(as_text=True)
    with app.app_context(), services().sessions() as session:
        merged = [session.get(Inspection, i) for i in ids]
        assert len({i.joint_group_id for i in merged}) == 1 and merged[0].joint_group_id is not None
        assert merged[0].joint_group.coordinator == "office"
    again = client.post("/supervise/joint/merge", data=_merge_form(ids, lead, token), follow_redirects=True)
    assert "未合并（R18）" in again.get_data(as_text=True)
    one = client.post("/supervise/joint/merge", data=_merge_form(ids[:1], lead, token), follow_redirects=True)
    assert "请选择两项以上检查" in one.get_data(as_text=True)


@pytest.mark.parametrize("username", ["supervisor", "staff", "head", "owner"])
def test_only_the_county_office_and_administrators_merge(app, client, username):
    from engine.models import Inspection

    _firm, ids, lead = _proposal(app)
    login(client, username)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox" if username in ("staff", "head")
                                                                       else "/login").get_data(as_text=True))
    response = client.post("/supervise/joint/merge", data=_merge_form(ids, lead, token.group(1)))
    assert response.status_code == 403
    if username == "supervisor":
        assert ">合并</button>" not in client.get("/supervise").get_data(as_text=True)
    with app.app_context(), services().sessions() as session:
        assert session.get(Inspection, ids[0]).joint_group_id is None


def test_a_county_office_may_not_merge_another_countys_inspections(app, client, svc):
    from tests.web.pages import login as login_as

    _neighbour_county(app, svc)
    _firm, ids, lead = _proposal(app)
    login_as(client, "office2")
    page = client.get("/supervise").get_data(as_text=True)
    assert "没有需要合并的检查" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post("/supervise/joint/merge", data=_merge_form(ids, lead, token))
    assert refused.status_code == 403 and "不全在您的辖区内" in refused.get_data(as_text=True)


def test_administrators_see_the_dashboard(client):
    login(client, "admin")
    page = client.get("/supervise").get_data(as_text=True)
    assert "逾期环节" in page and "没有逾期环节" not in page


def test_the_dashboard_in_english(client):
    login(client, "supervisor")
    client.get("/lang/en")
    page = client.get("/supervise").get_data(as_text=True)
    assert "Overdue steps" in page and "Joint inspections to merge" in page and "target 70%" in page


def test_each_refusal_or_override_names_its_agency_and_enterprise_and_opens_the_inspection(app, client):
    with app.app_context(), services().transaction() as session:
        inspection = session.scalars(select(Inspection).where(Inspection.process_instance_id.is_not(None))
                                     .order_by(Inspection.id).limit(1)).one()
        names = (session.get(Agency, inspection.agency_id).name, session.get(Enterprise, inspection.enterprise_id).name)
        instance_id = inspection.process_instance_id
        log_refusal(session, Refused("R8", "预告不足 5 个工作日"), action="plan_inspection", actor="检查员",
                    now=services().clock().now(), inspection=inspection)
    login(client, "supervisor")
    page = client.get("/supervise").get_data(as_text=True)
    decisions = page[page.index("规则拒绝与例外"):]
    row = next(r for r in decisions.split("<tr>") if "预告不足 5 个工作日" in r)
    assert "R8" in row and names[0] in row and names[1] in row
    assert f'href="/supervise/instances/{instance_id}"' in row
    assert client.get(f"/supervise/instances/{instance_id}").status_code == 200


def test_the_instance_page_links_the_supervisors_own_open_steps_to_work_them(app, client):
    with app.app_context(), services().sessions() as session:
        own = session.scalars(select(TaskRecord).where(  # the overdue revisit's 督办, beside the revisit itself
            TaskRecord.candidate_group == "司法局", TaskRecord.state == "open",
            TaskRecord.process_key == "penalty_revisit")).first()
        others = session.scalars(select(TaskRecord).where(TaskRecord.instance_id == own.instance_id,
                                                          TaskRecord.candidate_group != "司法局")).all()
    login(client, "supervisor")
    page = client.get(f"/supervise/instances/{own.instance_id}").get_data(as_text=True)
    assert f'<a href="/tasks/{own.id}">{own.name}</a>' in page
    assert others and all(f'href="/tasks/{task.id}"' not in page for task in others)  # other lanes: no link
    assert client.get(f"/tasks/{own.id}").status_code == 200


@pytest.mark.parametrize("path", ["/supervise?year=99999999999", "/supervise?year=-5",
                                  "/supervise/statistics.csv?year=99999999999"])
def test_a_year_statistics_cannot_cover_is_refused_in_words(client, path):
    """Issue 10 defect 5: an absurd year was a 500 (a date out of range); now a 400 naming the range."""
    login(client, "supervisor")
    response = client.get(path)
    assert response.status_code == 400 and "年份应在 2000 至 2100 之间" in response.get_data(as_text=True)
