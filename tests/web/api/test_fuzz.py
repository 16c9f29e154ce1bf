"""The API fuzzed from its own OpenAPI document (issue 10 defect 5): schemathesis generates requests for every
documented operation — valid and invalid path ids, queries and bodies — against the app `web.create_app` builds
(WSGI, in-process) on a demo county in SQLite, with a county office user's token (a process owner's for
deploying). No request may end in a 500, and every error must keep the documented shape
`{"error": {"code", "message", "details"}}`. Bounded: a fixed number of examples per operation, derandomized
so CI runs the same requests every time (about half a minute in all)."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy import select

from engine.identity import api_tokens
from engine.models import User
from engine.platform.clock import FrozenClock
from tests.conftest import TEST_NOW
from web import create_app

EXAMPLES_PER_OPERATION = 25
OWNER_OPERATIONS = {("POST", "/api/v1/process-definitions")}  # deploying is the process owner's


@pytest.fixture(scope="module")
def fuzzed_app(sqlite_demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "demo.db"
    shutil.copy(sqlite_demo_template, path)  # the demo county, as `inspectflow load-demo` leaves it at TEST_NOW
    clock = FrozenClock(TEST_NOW)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                      "SECRET_KEY": "test"})
    svc = app.extensions["inspectflow"]
    tokens = {}
    with svc.transaction() as session:
        for username in ("office", "owner"):
            user = session.scalar(select(User).where(User.username == username))
            tokens[username] = api_tokens.issue_token(session, user, "fuzz", clock.now()).plain
    app.extensions["fuzz_tokens"] = tokens
    yield app
    svc.engine.dispose()


def check_response(app, case) -> None:
    tokens = app.extensions["fuzz_tokens"]
    user = "owner" if (case.method.upper(), case.path) in OWNER_OPERATIONS else "office"
    response = case.call(headers={"Authorization": f"Bearer {tokens[user]}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
        assert isinstance(body["error"]["details"], dict), body


@pytest.mark.fuzz
def test_no_request_to_the_api_ends_in_a_server_error(fuzzed_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10  # every documented route, not a document that failed to load
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def fuzz(case):
            check_response(fuzzed_app, case)

        fuzz()
