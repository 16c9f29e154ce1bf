"""The enterprise seen from a task page (engine.domain.enterprise_view): class, this agency's routine on-site
visits against the cap (R15, R17) and every inspection of the enterprise this year, by any agency (R21)."""

from __future__ import annotations

from datetime import date

from engine.domain.enterprise_view import enterprise_year
from tests.factories import make_agency, make_enterprise, make_inspection, make_joint_group


def test_the_year_lists_every_agencys_visits_and_marks_those_counting_against_the_cap(session):
    ours = make_agency(session, code="SCJG9")
    theirs = make_agency(session, code="XFJY9", name="示范县消防救援大队", jurisdiction=ours.jurisdiction)
    firm = make_enterprise(session, jurisdiction=ours.jurisdiction, credit_class="C")
    day = date(2026, 3, 10)
    make_inspection(session, agency=ours, enterprise=firm, planned_start=day, planned_end=day)
    make_inspection(session, agency=ours, enterprise=firm, planned_start=date(2026, 5, 6), planned_end=None,
                    trigger="triggered", trigger_reason="complaint_report")
    joint = [make_inspection(session, agency=a, enterprise=firm, planned_start=date(2026, 6, 2), planned_end=None)
             for a in (ours, theirs)]
    make_joint_group(session, inspections=joint)
    make_inspection(session, agency=ours, enterprise=firm, planned_start=date(2026, 7, 1), planned_end=None,
                    mode="non_onsite")
    make_inspection(session, agency=ours, enterprise=firm, planned_start=date(2025, 11, 3), planned_end=None)
    session.flush()

    seen = enterprise_year(session, credit_code=firm.credit_code, agency_code="SCJG9", year=2026)

    assert (seen.credit_class, seen.routine_onsite, seen.cap) == ("C", 2, 2)
    assert [(v.day.isoformat(), v.agency, v.counts_against_cap, v.joint) for v in seen.visits] == [
        ("2026-03-10", ours.name, True, False),
        ("2026-05-06", ours.name, False, False),  # triggered (R16): not against the cap
        ("2026-06-02", ours.name, True, True),
        ("2026-06-02", theirs.name, False, True),  # another agency's visit: shown, not ours to count
        ("2026-07-01", ours.name, False, False),  # non-onsite
    ]
    assert sum(v.counts_against_cap for v in seen.visits) == seen.routine_onsite


def test_an_unknown_enterprise_is_none(session):
    assert enterprise_year(session, credit_code="91331125MA2E00000X", agency_code=None, year=2026) is None
