"""The supervisor's pages on the demo county: overdue steps, alerts to acknowledge and resolve, the shares
against the target, refusals and overrides, the CSV download and an instance's history."""

from __future__ import annotations

import re

import pytest

from engine import alerts
from tests.web.pages import login_demo as login
from web.services import services


@pytest.fixture
def client(app, runner):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    return app.test_client()




def test_the_dashboard_shows_overdue_steps_alerts_shares_and_decisions(app, client):
    login(client, "supervisor")
    page = client.get("/supervise").get_data(as_text=True)
    assert "逾期环节" in page and "个工作日" in page and "没有逾期环节" not in page
    assert "联合检查率" in page and "目标 70%" in page and "示范县市场监督管理局" in page
    assert "例外批准" in page  # the demo's logged cap overrides
    instance_link = re.search(r'href="(/supervise/instances/\d+)"', page).group(1)
    history = client.get(instance_link).get_data(as_text=True)
    assert "审计记录" in history and "instance.started" in history


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
