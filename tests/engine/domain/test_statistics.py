"""Annual statistics (R27): per-agency figures, totals, CSV, and the `inspectflow stats` command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from engine.domain.decisions import log_refusal
from engine.domain.errors import Refused
from engine.domain.joint import merge
from engine.domain.statistics import annual_statistics, to_csv
from engine.models import Agency, InspectionRating
from tests.factories import (
    NOW,
    make_agency,
    make_complaint,
    make_enterprise,
    make_inspection,
    make_jurisdiction,
    set_credit_class,
)


def build_year(session):
    county = make_jurisdiction(session, code="330000", name="示范县")
    market = make_agency(session, jurisdiction=county, code="SCJG", name="市场监管局")
    fire = make_agency(session, jurisdiction=county, code="XF", name="消防大队")
    busy = make_enterprise(session, jurisdiction=county)
    set_credit_class(session, busy, "C")
    visits = [make_inspection(session, agency=market, enterprise=busy, planned_start=date(2026, m, 4))
              for m in (2, 5, 8)]  # three routine on-site visits: one over the C-class cap of 2
    make_inspection(session, agency=market, planned_start=date(2026, 3, 3), mode="non_onsite")
    make_inspection(session, agency=market, planned_start=date(2026, 4, 7), trigger="triggered",
                    trigger_reason="complaint_report")
    ours = make_inspection(session, agency=market, planned_start=date(2026, 11, 3))
    theirs = make_inspection(session, agency=fire, enterprise=ours.enterprise, planned_start=date(2026, 11, 5))
    merge(session, inspection_ids=[ours.id, theirs.id], coordinator="县综合执法办", now=NOW,
          planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))
    complaint = make_complaint(session, enterprise=busy)
    complaint.inspection_id, complaint.substantiated = visits[0].id, True
    complaint.outcomes = ["order_correction", "public_interview"]
    for score in (5, 3):
        session.add(InspectionRating(inspection_id=visits[1].id, enterprise_id=busy.id, score=score,
                                     submitted_at=NOW))
    log_refusal(session, Refused("R15", "over the cap", {"cap": 2}), action="inspection.plan", actor="li", now=NOW,
                inspection=visits[2])
    session.flush()
    return county


@pytest.fixture
def county(svc):
    with svc.transaction() as session:
        return build_year(session).code


def test_per_agency_rows_and_totals(svc, county):
    with svc.sessions() as session:
        statistics = annual_statistics(session, jurisdiction_code=county, year=2026, now=NOW)
    market, fire = statistics["agencies"]
    assert (market["agency_code"], fire["agency_code"]) == ("SCJG", "XF")
    assert {k: market[k] for k in ("inspections", "routine", "triggered", "onsite", "non_onsite", "joint",
                                   "cap_breaches", "refusals", "complaints", "complaints_substantiated",
                                   "ratings", "rating_average")} == {
        "inspections": 6, "routine": 5, "triggered": 1, "onsite": 5, "non_onsite": 1, "joint": 1,
        "cap_breaches": 1, "refusals": 1, "complaints": 1, "complaints_substantiated": 1, "ratings": 2,
        "rating_average": 4.0}
    assert market["joint_rate"] == round(1 / 6, 4) and fire["joint_rate"] == 1.0
    assert market["complaint_outcomes"] == {"order_correction": 1, "public_interview": 1}
    assert statistics["totals"]["inspections"] == 7 and statistics["totals"]["joint"] == 2
    assert statistics["joint_rate_target"] == 0.7


def test_csv_has_a_row_per_agency(svc, county):
    with svc.sessions() as session:
        text = to_csv(annual_statistics(session, jurisdiction_code=county, year=2026, now=NOW))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["agency_name"] for r in rows] == ["市场监管局", "消防大队"]
    assert rows[0]["complaint_outcomes"] == "order_correction=1;public_interview=1"


def test_stats_command_prints_the_table_and_writes_csv_and_json(runner, county, tmp_path):
    result = runner.invoke(args=["stats", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "示范县 2026 年涉企行政检查统计" in result.output and "市场监管局" in result.output
    target = tmp_path / "stats.csv"
    result = runner.invoke(args=["stats", "--year", "2026", "--jurisdiction", county, "--json", "--csv", str(target)])
    assert json.loads(result.output)["totals"]["inspections"] == 7
    assert "消防大队" in target.read_text(encoding="utf-8")
    result = runner.invoke(args=["stats", "--year", "2026", "--jurisdiction", "nope"])
    assert result.exit_code == 1 and "no jurisdiction with code 'nope'" in result.output


def test_refused_and_withdrawn_plans_are_no_inspections_of_the_year(svc, county):
    # Issue 11 defect 6: a plan refused at the check (or by the head) or withdrawn (the quiet-period override
    # refused) is a visit that never happened: it is in no count, no cap and no share.
    with svc.transaction() as session:
        market = session.scalar(select(Agency).where(Agency.code == "SCJG"))
        for status in ("refused", "withdrawn"):
            make_inspection(session, agency=market, planned_start=date(2026, 9, 8)).status = status
    with svc.sessions() as session:
        statistics = annual_statistics(session, jurisdiction_code=county, year=2026, now=NOW)
    assert statistics["agencies"][0]["inspections"] == 6 and statistics["totals"]["inspections"] == 7
