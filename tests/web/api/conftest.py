"""API test helpers: users with bearer tokens, and a client that sends them."""

from __future__ import annotations

import pytest

from engine.identity import accounts, api_tokens
from engine.runtime import deploy as deploy_module
from tests.conftest import fixture_bytes
from tests.engine.helpers import deploy
from tests.factories import make_agency, make_jurisdiction

# The fixture diagrams name their lanes in English; the access rules (engine.identity.access) know the real lanes.
REAL_LANES = {"staff": "执法人员", "head": "单位负责人", "supervisor": "司法局"}


class Api:
    """The Flask test client with a user's token; `api.get(path, token=...)` overrides it."""

    def __init__(self, app, svc, clock):
        self.client, self.svc, self.clock = app.test_client(), svc, clock
        self.tokens: dict[str, str] = {}

    def user(self, username: str, role: str, agency: str | None = None, jurisdiction: str | None = None) -> str:
        with self.svc.transaction() as session:
            user = accounts.create_user(session, username=username, password="password1", role=role,
                                        now=self.clock.now(), agency=agency, jurisdiction=jurisdiction)
            self.tokens[username] = api_tokens.issue_token(session, user, "tests", self.clock.now()).plain
        return self.tokens[username]

    def _headers(self, as_user: str | None, token: str | None) -> dict:
        if token is not None:
            return {"Authorization": f"Bearer {token}"}
        return {"Authorization": f"Bearer {self.tokens[as_user]}"} if as_user else {}

    def get(self, path: str, as_user: str | None = None, token: str | None = None, **kwargs):
        return self.client.get(path, headers=self._headers(as_user, token), **kwargs)

    def post(self, path: str, as_user: str | None = None, token: str | None = None, **kwargs):
        return self.client.post(path, headers=self._headers(as_user, token), **kwargs)

    def deploy(self, *names: str):
        """Deploy fixture diagrams, their English lane names replaced by the real lanes (REAL_LANES)."""
        versions = []
        for name in names:
            xml = fixture_bytes(name).decode()
            for english, real in REAL_LANES.items():
                xml = xml.replace(f'name="{english}"', f'name="{real}"')
            with self.svc.transaction() as session:
                versions += deploy_module.deploy(self.svc.runtime, session, self.clock, xml=xml.encode(),
                                                 source_name=name, actor="owner")
        return versions

    def deploy_as_is(self, *names: str):
        return deploy(self.svc, self.clock, *names)


@pytest.fixture
def api(app, svc, clock) -> Api:
    """One county (990001) with agencies A1 and A2, a staff member of each, its supervisor and a process owner."""
    with svc.transaction() as session:
        county = make_jurisdiction(session, code="990001", name="测试县")
        for code in ("A1", "A2"):
            make_agency(session, jurisdiction=county, code=code)
    api = Api(app, svc, clock)
    api.user("owner", "process_owner")
    api.user("clerk", "staff", agency="A1")
    api.user("other", "staff", agency="A2")
    api.user("boss", "supervisor", jurisdiction="990001")
    return api


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code
    return error
