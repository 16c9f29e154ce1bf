"""POST /api/v1/inspections (web/api/inspections.py): planning an inspection as the planning page does, on the
demo county — the assistants named in advance (辅助人员) included, another agency's people refused (R1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.domain.behavior_code import certificate_status
from engine.models import Agency, Enterprise, Inspection, Inspector
from tests.web.api.conftest import Api, assert_error


@pytest.fixture
def api(app, svc, clock, demo) -> Api:
    api = Api(app, svc, clock)
    api.user("scjg", "staff", agency="SCJG")
    api.user("judge", "supervisor", jurisdiction="331125")
    return api


@pytest.fixture
def people(svc, clock) -> dict:
    """SCJG's valid inspectors and 辅助人员, an enterprise of its county, and another agency's 辅助人员."""
    with svc.sessions() as session:
        def roster(code: str) -> list[Inspector]:
            return list(session.scalars(select(Inspector).join(Agency).where(Agency.code == code)
                                        .order_by(Inspector.id)))

        scjg, day = roster("SCJG"), clock.now().date()
        enterprise = session.scalar(select(Enterprise.credit_code).order_by(Enterprise.id.desc()).limit(1))
        return {"valid": [p.id for p in scjg if certificate_status(p, day) == "valid"],
                "assistants": [p.id for p in scjg if p.kind == "auxiliary"],
                "elsewhere": [p.id for p in roster("XFJY") if p.kind == "auxiliary"], "enterprise": enterprise}


def plan(people: dict, **changes) -> dict:
    return {"enterprise": people["enterprise"], "planned_start": "2026-10-20", "items": ["SCJG-001"],
            "inspectors": people["valid"][:1], **changes}


def test_an_inspection_planned_with_an_assistant(api, people, svc):
    response = api.post("/api/v1/inspections", "scjg", json=plan(people, assistants=people["assistants"][:1]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert [p["id"] for p in body["inspectors"]] == people["valid"][:1]
    assert [(p["id"], p["kind"], p["certificate_number"]) for p in body["assistants"]] == \
        [(people["assistants"][0], "auxiliary", None)]
    assert body["status"] == "planned" and body["items"] == ["SCJG-001"] and body["instance_id"]
    with svc.sessions() as session:
        inspection = session.get(Inspection, body["id"])
        assert [p.id for p in inspection.assistants] == people["assistants"][:1]
        assert inspection.process_instance_id == body["instance_id"]


def test_another_agencys_assistant_is_refused_naming_r1_and_nothing_is_planned(api, people, svc):
    error = assert_error(api.post("/api/v1/inspections", "scjg", json=plan(
        people, assistants=people["elsewhere"][:1])), 422, "invalid_plan")
    assert "R1" in error["details"]["fields"]["assistants"]
    both = assert_error(api.post("/api/v1/inspections", "scjg", json=plan(
        people, assistants=people["valid"][:1])), 422, "invalid_plan")
    assert set(both["details"]["fields"]) == {"assistants"}
    too_many = assert_error(api.post("/api/v1/inspections", "scjg", json=plan(
        people, assistants=[1, 2, 3, 4, 5, 6, 7, 8] * 7)), 422, "invalid_input")
    assert "assistants" in too_many["message"]
    with svc.sessions() as session:
        assert session.scalar(select(Inspection.id).where(Inspection.created_by == "scjg")) is None


def test_only_an_agencys_staff_and_heads_plan(api, people):
    assert_error(api.post("/api/v1/inspections", "judge", json=plan(people)), 403, "forbidden")
