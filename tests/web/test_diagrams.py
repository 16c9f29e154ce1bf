"""Drawing an instance's diagram: the XML of the version it runs on behind the task page's and the supervisor's
guards, the elements highlighted as current and completed (a called process shows as its call activity), the
viewer on the task and instance pages, and the allow-listed bpmn-js files."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.conftest import fixture_bytes
from tests.engine.helpers import complete, deploy, only_task, start
from tests.factories import make_agency, make_jurisdiction
from tests.web.pages import login, make_user
from web.diagrams import BPMN_JS_FILES, bpmn_dist, diagram_position

SUPERVISING = ("supervisor", "county_office", "administrator")


@pytest.fixture
def client(app):
    make_user(app, "li", "staff")
    make_user(app, "wang", "staff", agency="XFJY")
    make_user(app, "owner", "process_owner", agency=None)
    for role in SUPERVISING:
        make_user(app, role, role, agency=None, jurisdiction="331125")
    make_user(app, "neighbour", "supervisor", agency=None, jurisdiction="331126")
    return app.test_client()


@pytest.fixture
def notice(svc, clock):
    """An inspection whose notice step (lane 执法人员, agency SCJG of 示范县) is open; 邻县 has a supervisor too."""
    with svc.transaction() as session:
        county = make_jurisdiction(session, code="331125", name="示范县")
        make_agency(session, jurisdiction=county, code="SCJG")
        make_jurisdiction(session, code="331126", name="邻县")
    deploy(svc, clock, "inbox_task.bpmn")
    started = start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"},
                    business_key="enterprise:91331125MA2E000001")
    return only_task(svc, started.id, "Notify")


def viewer_of(html: str) -> dict:
    """The viewer box's data attributes, decoded."""
    box = re.search(r'<section class="diagram-viewer"(.*?)>', html, re.S).group(1)
    return {name: unescape(value) for name, value in re.findall(r'data-([a-z-]+)="([^"]*)"', box)}


def test_the_task_diagram_is_guarded_like_the_task_page(client, notice):
    path = f"/tasks/{notice.id}/diagram.bpmn"
    assert client.get(path).status_code == 302  # to the login page
    login(client, "li")
    drawn = client.get(path)
    assert drawn.status_code == 200 and drawn.mimetype == "application/xml"
    assert drawn.data == fixture_bytes("inbox_task.bpmn") and "private" in drawn.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": drawn.headers["ETag"]}).status_code == 304
    assert client.get("/tasks/no-such-task/diagram.bpmn").status_code == 404
    for other in ("wang", "owner"):  # another agency's staff; a role that works no lane
        login(client, other)
        assert client.get(path).status_code == 403


def test_the_instance_diagram_is_for_supervisors_only(client, notice):
    path = f"/supervise/instances/{notice.instance_id}/diagram.bpmn"
    assert client.get(path).status_code == 302
    for role in SUPERVISING:
        login(client, role)
        assert client.get(path).data == fixture_bytes("inbox_task.bpmn")
        assert client.get("/supervise/instances/999/diagram.bpmn").status_code == 404
    for other in ("li", "owner", "neighbour"):  # neighbour: another county's supervisor (issue 10 defect 9)
        login(client, other)
        assert client.get(path).status_code == 403


def test_the_task_page_shows_where_the_instance_stands(app, svc, clock, client, notice):
    login(client, "li")
    page = client.get(f"/tasks/{notice.id}").get_data(as_text=True)
    viewer = viewer_of(page)
    assert viewer["xml-url"] == f"/tasks/{notice.id}/diagram.bpmn"
    assert json.loads(viewer["current"]) == ["Notify"] and json.loads(viewer["completed"]) == []
    assert "流程图需要 JavaScript 才能显示" in page and "bpmn-navigated-viewer.production.min.js" in page
    complete(svc, clock, notice.id, {"notice_date": "2026-09-21", "method": "书面"})
    inspect = only_task(svc, notice.instance_id, "Inspect")
    viewer = viewer_of(client.get(f"/tasks/{inspect.id}").get_data(as_text=True))
    assert json.loads(viewer["current"]) == ["Inspect"] and json.loads(viewer["completed"]) == ["Notify"]
    assert json.loads(viewer_of(client.get(f"/tasks/{notice.id}").get_data(as_text=True))["current"]) == ["Inspect"]


def test_the_supervisors_instance_page_shows_the_diagram(client, notice):
    login(client, "supervisor")
    viewer = viewer_of(client.get(f"/supervise/instances/{notice.instance_id}").get_data(as_text=True))
    assert viewer["xml-url"] == f"/supervise/instances/{notice.instance_id}/diagram.bpmn"
    assert json.loads(viewer["current"]) == ["Notify"]


def test_a_step_of_a_called_process_highlights_the_call_activity(app, svc, clock, client):
    deploy(svc, clock, "call_child.bpmn", "call_parent.bpmn")
    started = start(svc, clock, "call_parent")
    notify = only_task(svc, started.id, "Notify")
    with app.test_request_context():
        assert diagram_position(started.id) == {"current": ["CallNotice"], "completed": []}
        complete(svc, clock, notify.id)
        assert diagram_position(started.id) == {"current": ["Inspect"], "completed": ["CallNotice"]}
        assert diagram_position(999) == {"current": [], "completed": []}


def test_without_bpmn_js_the_viewer_says_what_is_missing(app, client, notice, tmp_path):
    app.config["BPMN_JS_DIST"] = str(tmp_path / "not-installed")
    login(client, "li")
    page = client.get(f"/tasks/{notice.id}").get_data(as_text=True)
    assert "流程图查看器文件未安装" in page and "bpmn-navigated-viewer" not in page
    assert "送达检查预告" in page and 'name="notice_date"' in page  # the form works as before
    missing = client.get("/assets/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert missing.status_code == 404 and "scripts/install.sh" in missing.get_data(as_text=True)


def test_only_the_listed_bpmn_js_files_are_served_and_cached(app, client):
    with app.app_context():
        installed = bpmn_dist().is_dir()
    assert installed, "bpmn-js is not installed: run scripts/install.sh"
    for name in sorted(BPMN_JS_FILES):
        served = client.get(f"/assets/bpmn-js/{name}?v=test")
        assert served.status_code == 200, name
        assert served.cache_control.max_age == 7 * 24 * 3600 and served.cache_control.public
    assert client.get("/assets/bpmn-js/assets/bpmn-js.css").mimetype == "text/css"
    for name in ("bpmn-viewer.development.js", "../package.json", "..%2Fpackage.json", "../../../web/config.py",
                 "assets/../bpmn-modeler.production.min.js", "/etc/passwd", "assets"):
        assert client.get(f"/assets/bpmn-js/{name}", follow_redirects=True).status_code == 404, name
