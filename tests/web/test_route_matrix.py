"""Every page route against every role (issue 4: "tests for every route and role, including each forbidden
access"): anonymous visitors are sent to log in or see the public pages, each role reaches exactly its pages
and gets a 403 page elsewhere, POSTs are refused before anything runs, and every route of the app is classified
here, so a new route cannot slip in untested. Finer behaviour of each page is tested beside its module."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import Alert, ProcessInstance, ProcessVersion
from tests.web.pages import login_demo, token_of

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "staff", "head", "office", "supervisor", "owner", "admin")  # the demo's logins
WORKERS = {"staff", "head", "office", "supervisor"}
SUPERVISORS = {"office", "supervisor", "admin"}
OWNERS = {"owner", "admin"}
PUBLIC = set(ROLES)

# GET routes without ids → who gets 200 (everyone else: 403, anonymous: sent to log in).
PAGES = {
    "/": PUBLIC, "/health": PUBLIC, "/ready": PUBLIC, "/portal": PUBLIC, "/complaints/new": PUBLIC,
    "/complaints/track": PUBLIC, "/rate": PUBLIC, "/login": PUBLIC, "/portal/case": PUBLIC,
    "/inbox": WORKERS, "/cases": WORKERS | {"admin"}, "/inspections/new": {"staff", "head"},
    "/supervise": SUPERVISORS, "/supervise/statistics.csv?year=2026": SUPERVISORS,
    "/processes": OWNERS, "/processes/new": OWNERS, "/processes/new.bpmn": OWNERS,
    "/admin/policy": {"admin"}, "/admin/demo": {"admin"}, "/jobs": PUBLIC - {ANONYMOUS},
    "/admin/calendar": {"admin"},
    "/admin/documents": {"admin"},
}
# GET routes with an id, filled from the demo.
PAGES_WITH_IDS = {
    "/supervise/instances/{instance}": SUPERVISORS, "/supervise/instances/{instance}/diagram.bpmn": SUPERVISORS,
    "/processes/versions/{version}.bpmn": OWNERS, "/processes/versions/{version}/edit": OWNERS,
}
# POST routes → who may post (the others are refused with 403 whatever the body).
ACTIONS = {
    "/processes/deploy": OWNERS, "/processes/editor/check": OWNERS, "/processes/editor/deploy": OWNERS,
    "/supervise/alerts/{alert}/acknowledge": SUPERVISORS, "/supervise/joint/merge": {"office", "admin"},
    "/jobs/statistics-export": SUPERVISORS, "/admin/policy": {"admin"}, "/admin/demo": {"admin"},
    "/inspections/new": {"staff", "head"}, "/admin/calendar": {"admin"},
}
# Routes whose access depends on the record (a task's lane and agency, a job's owner) or that are public
# assets: tested in test_pages.py, test_diagrams.py, test_jobs.py, test_owner.py and test_i18n.py.
ELSEWHERE = {"/tasks/<task_id>", "/tasks/<task_id>/<any(claim, release):action>", "/tasks/<task_id>/diagram.bpmn",
             "/jobs/<int:job_id>", "/jobs/<int:job_id>/download", "/assets/bpmn-js/<path:name>",
             "/static/<path:filename>", "/lang/<code>", "/codes/<code>", "/verify", "/logout",
             "/portal/case/steps/<task_id>"}
ELSEWHERE |= {"/papers/<int:instance_id>", "/papers/<int:instance_id>/<name>.pdf", "/admin/documents/<name>",
              "/portal/case/papers/<name>.pdf"}  # papers
ELSEWHERE |= {"/tasks/<task_id>/comments", "/tasks/<task_id>/assignment", "/tasks/<task_id>/delegation"}  # desk
ELSEWHERE |= {"/attachments/<int:attachment_id>", "/portal/attachments/<int:attachment_id>"}  # test_attachments


# Reminders: every login has its own centre; marking one is the owner's alone (test_notification_pages.py).
PAGES.update({"/notifications": PUBLIC - {ANONYMOUS}, "/notifications/settings": PUBLIC - {ANONYMOUS}})
ACTIONS.update({"/notifications/read-all": PUBLIC - {ANONYMOUS}})
ELSEWHERE |= {"/notifications/<int:notification_id>/read", "/notifications/<int:notification_id>/open"}
# 抄送: a copied case's read-only page and its diagram, for the users it was copied to (test_copy_pages.py).
ELSEWHERE |= {"/copies/<int:instance_id>", "/copies/<int:instance_id>/diagram.bpmn"}
# Prometheus metrics: by network or bearer token, not by login (tests/web/api/test_observability.py).
ELSEWHERE |= {"/metrics"}
@pytest.fixture
def demo_ids(app, demo, svc):
    with svc.sessions() as session:
        return {"instance": session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id)),
                "version": session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id)),
                "alert": session.scalar(select(Alert.id).order_by(Alert.id))}


def client_for(app, role: str):
    client = app.test_client()
    if role != ANONYMOUS:
        assert login_demo(client, role).status_code == 302
    return client


def test_every_page_route_is_classified(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/")}
    classified = {path.split("?")[0] for path in PAGES} | ELSEWHERE | {
        path.replace("{instance}", "<int:instance_id>").replace("{version}", "<int:version_id>")
        for path in PAGES_WITH_IDS} | {
        path.replace("{alert}/acknowledge", "<int:alert_id>/<action>") for path in ACTIONS}
    assert rules - classified == set(), "classify the new routes in this file"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_its_pages_and_is_refused_elsewhere(app, demo_ids, role):
    client = client_for(app, role)
    pages = {**PAGES, **{path.format(**demo_ids): who for path, who in PAGES_WITH_IDS.items()}}
    for path, allowed in pages.items():
        response = client.get(path)
        if role in allowed:
            assert response.status_code == 200, (role, path, response.status_code)
        elif role == ANONYMOUS:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (role, path)
        else:
            assert response.status_code == 403, (role, path, response.status_code)
            if not path.endswith((".bpmn", ".csv")):
                assert "无权访问" in response.get_data(as_text=True), (role, path)


@pytest.mark.parametrize("role", ROLES)
def test_each_forbidden_post_is_refused_before_anything_runs(app, demo_ids, role):
    client = client_for(app, role)
    token = token_of(client.get("/complaints/new").get_data(as_text=True))
    for path, allowed in ACTIONS.items():
        response = client.post(path.format(**demo_ids), data={"csrf_token": token},
                               headers={"X-CSRF-Token": token})
        if role == ANONYMOUS:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (role, path)
        elif role not in allowed:
            assert response.status_code == 403, (role, path, response.status_code)
        else:
            assert response.status_code not in (403, 500), (role, path, response.status_code)


def test_each_role_lands_on_a_page_it_may_use(app, demo_ids):
    for role in ROLES[1:]:
        client = app.test_client()
        landing = login_demo(client, role).headers["Location"]
        assert client.get(landing).status_code == 200, (role, landing)
