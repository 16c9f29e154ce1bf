"""The administrator's policy form: values shown, changes validated field by field, presets, audit."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from sqlalchemy import select

from engine.domain.policy import Deadlines, policy_of
from engine.models import AuditEntry, Jurisdiction
from tests.factories import make_jurisdiction
from tests.web.pages import login_demo as login
from web.services import services


@pytest.fixture
def client(app, demo):
    return app.test_client()




def form_values(client) -> dict:
    page = client.get("/admin/policy").get_data(as_text=True)
    values = dict(re.findall(r'name="([\w.]+)" value="([^"]*)"', page))
    values.pop("preset")  # the preset buttons, not form fields
    values.update({"window.mode": "blocked", "window.applies_to": "all"})
    return values


def stored_policy(app):
    with app.app_context(), services().sessions() as session:
        return policy_of(session.scalar(select(Jurisdiction.policy).where(Jurisdiction.code == "331125")))


def test_an_administrator_changes_a_cap_and_it_is_audited(app, client):
    login(client, "admin")
    values = form_values(client)
    assert values["caps.C"] == "2" and values["notice.working_days"] == "5"
    response = client.post("/admin/policy", data={**values, "caps.C": "3"})
    assert response.status_code == 302
    assert stored_policy(app).caps["C"] == 3
    with app.app_context(), services().sessions() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "policy.updated")).all()
        assert entry.before["policy"]["caps"]["C"] == 2 and entry.after["policy"]["caps"]["C"] == 3


def test_bad_values_are_named_and_nothing_is_saved(app, client):
    login(client, "admin")
    values = form_values(client)
    not_a_number = client.post("/admin/policy", data={**values, "caps.C": "two"})
    assert not_a_number.status_code == 422 and "请填写非负整数" in not_a_number.get_data(as_text=True)
    out_of_range = client.post("/admin/policy", data={**values, "window.first_day": "40"})
    assert out_of_range.status_code == 422 and "window.first_day" in out_of_range.get_data(as_text=True)
    assert stored_policy(app).caps["C"] == 2 and stored_policy(app).window.first_day == 21


def test_presets_and_access(app, client):
    login(client, "admin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/policy").get_data(as_text=True))
    client.post("/admin/policy", data={"csrf_token": token.group(1), "preset": "kaifeng", "jurisdiction": "331125"})
    assert stored_policy(app).window.mode == "allowed"
    login(client, "supervisor")
    assert client.get("/admin/policy").status_code == 403


def test_the_administrator_switches_jurisdiction_and_edits_only_that_one(app, client):
    with app.app_context(), services().transaction() as session:
        make_jurisdiction(session, code="410200", name="开封市", level="city")
    login(client, "admin")
    page = client.get("/admin/policy").get_data(as_text=True)
    assert re.search(r'<option value="331125" selected>', page) and '<option value="410200" >开封市' in page
    other = client.get("/admin/policy?jurisdiction=410200").get_data(as_text=True)
    assert "开封市 · 涉企检查政策" in other
    token = re.search(r'name="csrf_token" value="([^"]+)"', other).group(1)
    client.post("/admin/policy", data={"csrf_token": token, "preset": "kaifeng", "jurisdiction": "410200"})
    with app.app_context(), services().sessions() as session:
        stored = dict(session.execute(select(Jurisdiction.code, Jurisdiction.policy)).all())
    assert policy_of(stored["410200"]).window.mode == "allowed"
    assert policy_of(stored["331125"]).window.mode == "blocked"  # the county's own policy is untouched
    unknown = client.get("/admin/policy?jurisdiction=nowhere")
    assert unknown.status_code == 404 and "nowhere" in unknown.get_data(as_text=True)


def test_with_one_jurisdiction_there_is_nothing_to_switch(client):
    login(client, "admin")
    assert 'id="jurisdiction-choice"' not in client.get("/admin/policy").get_data(as_text=True)


def test_the_page_shows_and_edits_every_deadline_figure_the_diagrams_count_with(app, client):
    # One source for deadlines (issue 11 defect 7): every figure of the policy's deadlines is on the page.
    login(client, "admin")
    values = form_values(client)
    figures = {f"deadlines.{f.name}": str(f.default) for f in fields(Deadlines)}
    assert {path: values.get(path) for path in figures} == figures
    changed = {path: str(int(value) + 1) for path, value in figures.items()}
    assert client.post("/admin/policy", data={**values, **changed}).status_code == 302
    stored = stored_policy(app).deadlines
    assert {f"deadlines.{f.name}": str(getattr(stored, f.name)) for f in fields(Deadlines)} == changed
