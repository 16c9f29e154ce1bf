"""The public enterprise portal: code verification (typed or from the QR link), rating, complaints and
their tracking numbers; unknown codes and numbers reveal nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.runtime.deploy import deploy
from tests.factories import make_code, make_inspection
from web.services import services

COMPLAINTS = Path(__file__).resolve().parents[2] / "processes" / "bpmn" / "complaint_correction.bpmn"


@pytest.fixture
def client(app, svc, clock):
    with svc.transaction() as session:
        deploy(svc.runtime, session, clock, xml=COMPLAINTS.read_bytes(), source_name=COMPLAINTS.name, actor="owner")
    return app.test_client()


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def visited_code(app):
    with app.app_context(), services().transaction() as session:
        inspection = make_inspection(session, approved_by="局长")
        code = make_code(session, inspection=inspection)
        inspection.status = "completed"
        return code.code


def test_verifying_a_code_from_the_qr_link_and_by_typing_it(client, visited_code):
    page = client.get(f"/codes/{visited_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "有效" in text and "示范县市场监督管理局" in text and "执法证" in text
    typed = client.get(f"/verify?code={visited_code.lower()}")
    assert typed.headers["Location"].endswith(f"/codes/{visited_code.lower()}")
    unknown = client.get("/codes/FAKE-123")
    assert unknown.status_code == 404 and "没有查到" in unknown.get_data(as_text=True)
    assert "执法证" not in unknown.get_data(as_text=True)


def test_rating_with_a_reported_breach_opens_a_complaint(client, visited_code):
    response = client.post("/rate", data={"csrf_token": token(client, "/rate"), "code": visited_code, "score": "2",
                                          "breaches": ["gifts"], "comment": "送了礼品"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "查询编号" in text
    number = re.search(r'<strong id="tracking">([^<]+)</strong>', text).group(1)
    progress = client.get(f"/complaints/track?number={number}").get_data(as_text=True)
    assert "违反五个严禁、八个不得" in progress
    again = client.post("/rate", data={"csrf_token": token(client, "/rate"), "code": visited_code, "score": "5"})
    assert again.status_code == 422 and "已经评价过" in again.get_data(as_text=True)


def test_a_no_code_complaint_is_tracked_by_its_number(client):
    response = client.post("/complaints/new", data={
        "csrf_token": token(client, "/complaints/new"), "kind": "other", "code": "FAKE-999",
        "content": "有人自称执法人员入店检查", "contact": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "无码入企" in page and "已收到" in page
    missing = client.get("/complaints/track?number=nope")
    assert missing.status_code == 404 and "没有查到" in missing.get_data(as_text=True)


def test_an_empty_complaint_is_refused_with_a_plain_message(client):
    response = client.post("/complaints/new", data={"csrf_token": token(client, "/complaints/new"),
                                                    "kind": "misconduct", "content": " ", "contact": ""})
    assert response.status_code == 422 and "describe what happened" in response.get_data(as_text=True)
