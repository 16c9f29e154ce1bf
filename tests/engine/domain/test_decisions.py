"""The supervisor sees every refusal and override, with the rule and its figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.domain.decisions import decisions, log_refusal
from engine.domain.errors import Refused
from engine.models import Inspection
from tests import factories as f


def test_refusals_and_overrides_are_logged_and_listed(svc, clock):
    with svc.transaction() as session:
        inspection = f.make_inspection(session)
        ids = inspection.id, inspection.agency_id
    refusal = Refused("R15", "cap of 2 on-site routine inspections reached", {"cap": 2, "count": 2})
    with svc.transaction() as session:
        log_refusal(session, refusal, action="plan_inspection", actor="staff", now=clock.now(),
                    inspection=session.get(Inspection, ids[0]))
        log_refusal(session, Refused("R10", "inside the quiet period", {"day": "2026-10-22"}), action="start_onsite",
                    actor="staff", now=clock.now() + timedelta(hours=1), outcome="overridden",
                    overridden_by="局长", override_reason="complaint_report")
    with svc.sessions() as session:
        newest, oldest = decisions(session)
        assert (newest.rule, newest.outcome, newest.overridden_by) == ("R10", "overridden", "局长")
        assert (oldest.rule, oldest.figures, oldest.agency_id) == ("R15", {"cap": 2, "count": 2}, ids[1])
        assert [d.rule for d in decisions(session, outcome="refused")] == ["R15"]
        assert [d.rule for d in decisions(session, agency_id=ids[1])] == ["R15"]
        assert decisions(session, since=clock.now() + timedelta(minutes=1))[0].rule == "R10"


def test_an_override_names_who_and_why(svc, clock):
    with svc.transaction() as session, pytest.raises(ValueError, match="who overrode"):
        log_refusal(session, Refused("R10", "quiet"), action="x", actor="staff", now=clock.now(),
                    outcome="overridden")
