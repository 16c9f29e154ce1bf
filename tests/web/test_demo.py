"""`inspectflow load-demo`: the shipped diagrams, the demo county and the logins, loaded once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from engine.models import Agency, Enterprise, Inspection, Inspector, PolicyDecision, User
from web.services import services


def counts(app) -> dict:
    with app.app_context(), services().sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Agency, Inspector, Enterprise, Inspection, PolicyDecision, User)}


def test_load_demo_builds_the_county_once(app, runner):
    result = runner.invoke(args=["load-demo", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["records"]["agencies"] == 8 and document["records"]["enterprises"] == 200
    assert {login["role"] for login in document["logins"]} == {"administrator", "process_owner", "staff",
                                                               "supervisor"}
    first = counts(app)
    assert first["Agency"] == 8 and first["Inspector"] == 40 and first["Enterprise"] == 200
    assert first["Inspection"] > 200 and first["PolicyDecision"] >= 2  # the logged cap overrides

    again = runner.invoke(args=["load-demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert counts(app) == first
