"""Public verification of a 行政行为码: no token needed; unknown codes get a plain 404 and nothing else."""

from __future__ import annotations

from tests.factories import make_code
from tests.web.api.conftest import assert_error


def test_a_known_code_is_verified_without_login(api, svc):
    with svc.transaction() as session:
        code = make_code(session).code
    response = api.client.get(f"/api/v1/codes/{code.lower()}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and body["status"] == "issued"
    assert {"valid", "agencies", "inspectors", "items", "valid_from", "valid_to"} <= set(body)


def test_an_unknown_code_reveals_nothing(api):
    error = assert_error(api.client.get("/api/v1/codes/NOPE-123"), 404, "code_not_found")
    assert error == {"code": "code_not_found", "message": "no such code", "details": {}}
