"""Planning an inspection from the pages (web/plan.py, engine/domain/planning.py): choices from records
(R2 listed items, R1 certificate holders), every wrong field named, and the new lifecycle's first task
waiting with the choices filled in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.domain.behavior_code import certificate_status
from engine.models import Agency, Enterprise, Inspection, Inspector, TaskRecord
from tests.web.pages import login, login_demo, make_user, token_of


@pytest.fixture
def client(app, demo):
    return app.test_client()


@pytest.fixture
def scjg(svc, clock):
    """The market regulator's inspectors split by certificate state on the default visit day, and one enterprise."""
    with svc.sessions() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "SCJG"))
        people = list(session.scalars(select(Inspector).where(Inspector.agency_id == agency.id)))
        enterprise = session.scalar(select(Enterprise).where(Enterprise.jurisdiction_id == agency.jurisdiction_id)
                                    .order_by(Enterprise.id.desc()))
        day = clock.now().date()
        valid = [p.id for p in people if certificate_status(p, day) == "valid"]
        lapsed = [p.id for p in people if certificate_status(p, day) == "expired"]
        assistants = {p.name: p.id for p in people if p.kind == "auxiliary"}
        elsewhere = session.scalar(select(Inspector.id).join(Agency).where(
            Agency.code == "XFJY", Inspector.kind == "auxiliary").limit(1))
        return {"valid": valid, "lapsed": lapsed, "enterprise": enterprise.credit_code,
                "enterprise_name": enterprise.name, "assistants": assistants, "elsewhere_assistant": elsewhere}


def plan_form(client, **fields) -> dict:
    page = client.get("/inspections/new").get_data(as_text=True)
    return {"csrf_token": token_of(page), **fields}


def test_the_form_offers_listed_items_and_only_certified_inspectors(client, scjg):
    login_demo(client, "staff")
    page = client.get("/inspections/new").get_data(as_text=True)
    assert "新建检查计划" in page and "SCJG-001" in page
    assert "built-in method" not in page  # an error box looked up as errors['items'] printed dict.items
    assert scjg["lapsed"], "the demo has a lapsed certificate at SCJG"
    lapsed_box = re.search(rf'<input type="checkbox" name="inspectors" value="{scjg["lapsed"][0]}"[^>]*>', page)
    assert "disabled" in lapsed_box.group(0) and "执法证已过期" in page


def test_a_wrong_plan_names_every_field_and_keeps_what_was_typed(client, scjg, svc):
    login_demo(client, "staff")
    response = client.post("/inspections/new", data=plan_form(
        client, enterprise="没有这家企业", planned_start="2026-13-01", items=["STHJ-001"],
        inspectors=[str(scjg["lapsed"][0])]))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "没有找到企业「没有这家企业」" in page and "请填写日期" in page
    assert "不在本单位公布的检查事项清单内（R2）" in page and "不持有有效执法证件" in page
    assert 'value="没有这家企业"' in page
    with svc.sessions() as session:
        assert session.scalar(select(Inspection).where(Inspection.created_by == "staff")) is None


def test_a_plan_starts_the_lifecycle_with_its_choices_filled_in(client, scjg, svc):
    login_demo(client, "staff")
    response = client.post("/inspections/new", data=plan_form(
        client, enterprise=scjg["enterprise_name"], planned_start="2026-10-20", items=["SCJG-001", "SCJG-002"],
        inspectors=[str(i) for i in scjg["valid"][:2]], trigger="complaint_report", mode="onsite"))
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    task_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "制定检查计划" in task_page and "检查计划已建立" in task_page
    assert 'value="2026-10-20"' in task_page and "SCJG-001" in task_page and "触发式检查" in task_page
    assert re.search(r"该企业今年已有 \d+ 次检查", task_page) and "<td>2026-10-20</td>" in task_page
    with svc.sessions() as session:
        inspection = session.scalar(select(Inspection).where(Inspection.created_by == "staff"))
        task = session.scalar(select(TaskRecord).where(TaskRecord.instance_id == inspection.process_instance_id))
        assert inspection.enterprise.credit_code == scjg["enterprise"]
        assert sorted(i.code for i in inspection.items) == ["SCJG-001", "SCJG-002"]
    assert inspection.trigger == "triggered" and inspection.trigger_reason == "complaint_report"
    assert task.agency == "SCJG" and task.element_id == "Task_plan"


@pytest.mark.parametrize("username", ["supervisor", "office", "owner", "admin"])
def test_only_staff_and_agency_heads_plan(client, username):
    login_demo(client, username)
    assert client.get("/inspections/new").status_code == 403


def test_staff_without_an_agency_are_told_why(app, client):
    make_user(app, "floater", "staff", agency=None)
    login(client, "floater")
    response = client.get("/inspections/new")
    assert response.status_code == 403 and "没有所属执法单位" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/inspections/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_plan_names_an_assistant_in_advance_who_is_listed_apart_from_the_inspectors(client, scjg, svc):
    login_demo(client, "staff")
    form_page = client.get("/inspections/new").get_data(as_text=True)
    assert "辅助人员（可不选，至多 4 名）" in form_page
    helper = scjg["assistants"]["钱小军"]
    assert re.search(rf'<input type="checkbox" name="assistants" value="{helper}"', form_page)
    response = client.post("/inspections/new", data=plan_form(
        client, enterprise=scjg["enterprise"], planned_start="2026-10-20", items=["SCJG-001"],
        inspectors=[str(scjg["valid"][0])], assistants=[str(helper)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    task_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<dt>辅助人员（不得独立实施检查）</dt><dd><ul><li>钱小军（辅助人员）</li></ul></dd>" in task_page
    with svc.sessions() as session:
        inspection = session.scalar(select(Inspection).where(Inspection.created_by == "staff"))
        assert [p.name for p in inspection.assistants] == ["钱小军"]
        assert [p.id for p in inspection.inspectors] == [scjg["valid"][0]]


@pytest.mark.parametrize(("who", "refusal"), [("elsewhere_assistant", "所选辅助人员不是本单位的辅助人员（R1"),
                                             ("inspector", "同一人不能既是检查人员又是辅助人员（R1）")])
def test_an_assistant_must_be_one_of_the_agencys_own_people_without_a_certificate(client, scjg, svc, who, refusal):
    login_demo(client, "staff")
    named = scjg["elsewhere_assistant"] if who == "elsewhere_assistant" else scjg["valid"][0]
    response = client.post("/inspections/new", data=plan_form(
        client, enterprise=scjg["enterprise"], planned_start="2026-10-20", items=["SCJG-001"],
        inspectors=[str(scjg["valid"][0])], assistants=[str(named)]))
    assert response.status_code == 422 and refusal in response.get_data(as_text=True)
    with svc.sessions() as session:
        assert session.scalar(select(Inspection).where(Inspection.created_by == "staff")) is None
