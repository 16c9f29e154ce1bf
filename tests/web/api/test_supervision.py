"""Alerts and annual statistics (supervisors); JSON and CSV."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import Jurisdiction
from engine.platform import alerts
from tests.factories import make_agency
from tests.web.api.conftest import assert_error


def test_open_alerts_filterable_by_kind(api, svc, clock):
    with svc.transaction() as session:
        alerts.raise_alert(session, kind="no_code", subject="I-1", message="无码入企", details={"n": 1},
                           now=clock.now())
        alerts.raise_alert(session, kind="calendar_year", subject="2027", message="uncovered", details={},
                           now=clock.now())
        alerts.raise_alert(session, kind="no_code", subject="I-2", message="closed", details={}, now=clock.now())
        alerts.resolve(session, kind="no_code", subject="I-2", actor="boss", now=clock.now())
    everything = api.get("/api/v1/alerts", as_user="boss").get_json()
    assert sorted(a["subject"] for a in everything) == ["2027", "I-1"]
    only = api.get("/api/v1/alerts?kind=no_code", as_user="boss").get_json()
    assert [(a["kind"], a["subject"], a["details"]) for a in only] == [("no_code", "I-1", {"n": 1})]


def test_statistics_json_and_csv(api, svc):
    with svc.transaction() as session:  # the api fixture's county 990001 holds A1 and A2
        make_agency(session, jurisdiction=session.scalar(select(Jurisdiction).where(Jurisdiction.code == "990001")),
                    code="SCJG9001")
    response = api.get("/api/v1/statistics?year=2026&jurisdiction=990001", as_user="boss")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["year"] == 2026 and body["jurisdiction"]["code"] == "990001"
    assert [a["agency_code"] for a in body["agencies"]] == ["A1", "A2", "SCJG9001"]
    # With a single jurisdiction it need not be named.
    assert api.get("/api/v1/statistics?year=2026", as_user="boss").get_json()["year"] == 2026

    csv = api.get("/api/v1/statistics?year=2026&jurisdiction=990001&format=csv", as_user="boss")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("agency_code,agency_name")
    assert [line.split(",")[0] for line in lines[1:]] == ["A1", "A2", "SCJG9001"]


def test_statistics_refusals(api):
    error = assert_error(api.get("/api/v1/statistics", as_user="boss"), 422, "invalid_input")
    assert "year" in error["details"]["fields"]
    assert_error(api.get("/api/v1/statistics?year=2026&format=pdf", as_user="boss"), 422, "invalid_input")
    assert_error(api.get("/api/v1/statistics?year=2026&jurisdiction=nope", as_user="boss"), 404,
                 "jurisdiction_not_found")
