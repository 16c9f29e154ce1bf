"""Plain bad input is a 400/404/422 in the error shape of its side, never a 500 (issue 10 defect 5): NUL and
other control characters in paths, queries and forms (web.input_guard), ids beyond a database integer in `int`
routes, JSON that is not storable (web.api.bodies, engine.runtime.data_limits), text longer than its column
(web.api.schemas) and a diagram whose names do not fit the columns they are stored in (engine.bpmn.stored_names).
Every case runs on SQLite and PostgreSQL, where most of them used to fail."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fixture_bytes
from tests.factories import make_agency
from tests.web.api.conftest import REAL_LANES, Api, assert_error
from tests.web.pages import login, make_user, token_of

HUGE_ID = "2147483648"  # 2³¹, one past PostgreSQL's INTEGER
INBOX_TASK_DATA = {"inspection_date": "2026-10-20"}  # the fixture's timer counts back from it


@pytest.fixture
def api(app, svc, clock) -> Api:
    api = Api(app, svc, clock)
    api.user("owner", "process_owner")
    api.user("admin", "administrator")
    api.user("clerk", "staff", agency="A1")
    api.deploy("inbox_task.bpmn", "form_task.bpmn")
    with svc.transaction() as session:
        make_agency(session, code="A1")
    return api


def start(api: Api, process_key: str = "inbox_task", **data):
    return api.post("/api/v1/process-instances", as_user="clerk",
                    json={"process_key": process_key, "data": {"agency": "A1", **INBOX_TASK_DATA, **data}})


def error_page(response, status: int) -> str:
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    assert response.mimetype == "text/html" and "Traceback" not in text
    return text


# -- NUL and control characters ------------------------------------------------------------------------------


def test_a_nul_in_a_path_or_query_is_a_400_naming_it(app):
    client = app.test_client()
    assert "“网址”含有不允许的控制字符" in error_page(client.get("/codes/%00"), 400)
    assert "“number”含有不允许的控制字符" in error_page(client.get("/complaints/track?number=%00"), 400)
    error = assert_error(client.get("/api/v1/codes/%00"), 400, "bad_request")
    assert error["details"] == {"in": "path"} and "control character" in error["message"]
    assert "“q”" in error_page(client.get("/inbox?q=a%01b"), 400)


def test_a_nul_in_an_api_query_is_a_400_naming_the_parameter(api):
    error = assert_error(api.get("/api/v1/tasks?agency=%00", as_user="admin"), 400, "bad_request")
    assert error["details"] == {"in": "query", "field": "agency"}
    assert_error(api.get("/api/v1/alerts?kind=a%00", as_user="admin"), 400, "bad_request")


def test_a_nul_in_the_login_complaint_and_rating_forms_is_a_400_naming_the_field(app):
    client = app.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    login_page = client.post("/login", data={"csrf_token": token, "username": "staff\x00", "password": "x"})
    assert "“username”" in error_page(login_page, 400)
    complaint = client.post("/complaints/new", data={"csrf_token": token, "kind": "other", "content": "a\x00b"})
    assert "“content”" in error_page(complaint, 400)
    rating = client.post("/rate", data={"csrf_token": token, "code": "X", "score": "5", "comment": "\x00"})
    assert "“comment”" in error_page(rating, 400)
    # Line breaks and tabs are what text areas send: they pass the guard (and reach the form's own checks).
    typed = client.post("/complaints/new", data={"csrf_token": token, "kind": "nonsense", "content": "a\r\n\tb"})
    assert typed.status_code == 422


# -- ids beyond a database integer ------------------------------------------------------------------------------


def test_an_id_beyond_a_database_integer_is_a_404(app, api):
    assert_error(api.get(f"/api/v1/process-instances/{HUGE_ID}", as_user="admin"), 404, "not_found")
    assert_error(api.get("/api/v1/process-instances/99999999999999999999", as_user="admin"), 404, "not_found")
    make_user(app, "root", "administrator", agency=None)
    client = app.test_client()
    login(client, "root")
    for path in (f"/supervise/instances/{HUGE_ID}", f"/supervise/instances/{HUGE_ID}/diagram.bpmn",
                 f"/processes/versions/{HUGE_ID}.bpmn", f"/processes/versions/{HUGE_ID}/edit", f"/jobs/{HUGE_ID}",
                 f"/jobs/{HUGE_ID}/download"):
        error_page(client.get(path), 404)
    token = token_of(client.get("/supervise").get_data(as_text=True))
    error_page(client.post(f"/supervise/alerts/{HUGE_ID}/ack", data={"csrf_token": token}), 404)
    assert client.get("/supervise/instances/2147483647").status_code == 404  # the largest id is looked up


# -- JSON the database cannot store -----------------------------------------------------------------------------


def post_json(api: Api, path: str, text: str):
    return api.post(path, as_user="clerk", data=text, content_type="application/json")


@pytest.mark.parametrize("value, problem", [
    ("NaN", "NaN is not a JSON number"), ("-Infinity", "-Infinity is not a JSON number"),
    ("1e999", "body.data.x is not a finite number"), ('"a\\u0000b"', "body.data.x contains a NUL character"),
    ('"\\ud800"', "body.data.x contains an unpaired surrogate"), ("[" * 30 + "]" * 30, "nested deeper than 20"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"), ("1" * 5000, "not valid JSON"),
    (str(2**70), "body.data.x is an integer beyond 64 bits"),
])
def test_unstorable_start_and_task_data_is_a_400(api, value, problem):
    refused = post_json(api, "/api/v1/process-instances",
                        f'{{"process_key": "inbox_task", "data": {{"agency": "A1", "x": {value}}}}}')
    assert problem in assert_error(refused, 400, "bad_request")["message"]
    task_id = start(api, "form_task").get_json()["open_tasks"][0]["id"]
    complete = post_json(api, f"/api/v1/tasks/{task_id}/complete", f'{{"data": {{"x": {value}}}}}')
    assert problem in assert_error(complete, 400, "bad_request")["message"]


@pytest.mark.parametrize("data, field", [({"agency": "A" * 121}, "data.agency is longer than 120 characters"),
                                         ({"inspection_id": 2**31}, "data.inspection_id is not a record id")])
def test_start_data_that_would_not_fit_its_column_is_a_422(api, data, field):
    error = assert_error(start(api, **data), 422, "invalid_input")
    assert field in error["details"]["fields"]["data"][0]


def test_text_longer_than_its_column_is_a_422(api):
    long_key = api.post("/api/v1/process-instances", as_user="owner",
                        json={"process_key": "inbox_task", "business_key": "k" * 256})
    assert "business_key" in assert_error(long_key, 422, "invalid_input")["details"]["fields"]
    long_query = api.get(f"/api/v1/tasks?agency={'A' * 121}", as_user="admin")
    assert "agency" in assert_error(long_query, 422, "invalid_input")["details"]["fields"]


# -- a diagram whose names do not fit ---------------------------------------------------------------------------


def named(xml: str, old: str, new: str) -> bytes:
    assert old in xml
    return xml.replace(old, new).encode()


def test_a_diagram_whose_names_exceed_their_columns_is_refused_at_deploy_naming_the_element(api):
    xml = fixture_bytes("inbox_task.bpmn").decode()
    for english, real in REAL_LANES.items():
        xml = xml.replace(f'name="{english}"', f'name="{real}"')
    long_name = named(xml, 'name="送达检查预告"', f'name="{"审" * 256}"')
    response = api.post("/api/v1/process-definitions?source_name=long.bpmn", as_user="owner", data=long_name,
                        content_type="application/xml")
    error = assert_error(response, 422, "diagram_refused")
    assert error["details"]["element_id"] == "Notify" and error["details"]["code"] == "name_too_long"
    assert "256 characters long; at most 255" in error["message"]
    long_id = named(xml, 'id="inbox_task"', f'id="{"p" * 256}"')
    response = api.post("/api/v1/process-definitions?source_name=long.bpmn", as_user="owner", data=long_id,
                        content_type="application/xml")
    assert assert_error(response, 422, "diagram_refused")["details"]["code"] == "id_too_long"
    fits = named(xml, 'name="送达检查预告"', f'name="{"审" * 255}"')
    deployed = api.post("/api/v1/process-definitions?source_name=fits.bpmn", as_user="owner", data=fits,
                        content_type="application/xml")
    assert deployed.status_code == 201, deployed.get_data(as_text=True)
    started = start(api)
    assert started.status_code == 201 and started.get_json()["open_tasks"][0]["name"] == "审" * 255


def test_the_strict_reader_accepts_ordinary_json(api):
    document = {"process_key": "inbox_task",
                "data": {"agency": "A1", **INBOX_TASK_DATA, "note": "行\n一\t二", "n": 1.5, "items": [{"a": [1, 2]}]}}
    response = post_json(api, "/api/v1/process-instances", json.dumps(document))
    assert response.status_code == 201, response.get_data(as_text=True)
