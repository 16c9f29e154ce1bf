"""The process owner's pages: versions with running instances and those still on old versions, XML download,
the modeler page, and deploying — by upload or by the modeler's JSON endpoints — through the one check and
deploy path, with every problem pinned to its element."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, ProcessInstance, ProcessVersion
from tests.conftest import fixture_bytes
from tests.engine.helpers import deploy, open_tasks, start
from tests.web.pages import login, make_user, token_of

APPROVAL = fixture_bytes("approval_chain.bpmn")
RENAMED = APPROVAL.replace(b'name="Fill in the plan"', b'name="Draw up the plan"')
UNSAFE = APPROVAL.replace(b"ready == True", b"__import__('os')")
HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</bpmn:definitions>"""
ROLES_REFUSED = ("staff", "agency_head", "county_office", "supervisor")


@pytest.fixture
def client(app):
    make_user(app, "owner", "process_owner", agency=None)
    make_user(app, "admin", "administrator", agency=None)
    for role in ROLES_REFUSED:
        make_user(app, role, role)
    return app.test_client()


def sign_in(client, username: str) -> str:
    """Log in; returns the session's CSRF token for what is posted next."""
    login(client, username)
    return token_of(client.get("/processes").get_data(as_text=True)) if username in ("owner", "admin") else \
        token_of(client.get("/inbox").get_data(as_text=True))


def upload(client, token: str, name: str, data: bytes):
    return client.post("/processes/deploy", data={"csrf_token": token, "diagram": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def post_json(client, path: str, token: str | None, body) -> object:
    headers = {"X-CSRF-Token": token} if token else {}
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def version_ids(svc, key: str) -> dict[int, int]:
    with svc.sessions() as session:
        return dict(session.execute(select(ProcessVersion.version, ProcessVersion.id)
                                    .where(ProcessVersion.process_key == key)).all())


def test_versions_with_running_instances_and_download(svc, clock, client):
    deploy(svc, clock, "approval_chain.bpmn")
    start(svc, clock, "approval_chain")
    sign_in(client, "owner")
    page = client.get("/processes").get_data(as_text=True)
    assert "approval_chain" in page and "v1（最新）" in page
    assert re.search(r'<td class="running">1</td>', page)
    link = re.search(r'href="(/processes/versions/\d+\.bpmn)"', page).group(1)
    assert client.get(link).data == APPROVAL
    assert "仍在旧版本上运行" not in page
    client.set_cookie("lang", "en")
    english = client.get("/processes").get_data(as_text=True)
    assert "Processes and versions" in english and "v1 (latest)" in english and "Open in the editor" in english


def test_instances_still_on_old_versions_are_listed_with_their_current_steps(svc, clock, client):
    deploy(svc, clock, "approval_chain.bpmn")
    old = start(svc, clock, "approval_chain", business_key="plan:2026-001")
    token = sign_in(client, "owner")
    assert upload(client, token, "approval_chain.bpmn", RENAMED).status_code == 302
    new = start(svc, clock, "approval_chain", business_key="plan:2026-002")
    page = client.get("/processes").get_data(as_text=True)
    assert "1 个实例仍在旧版本上运行" in page
    listed = page[page.index("<details"):page.index("</details>")]
    assert f"<td>{old.id}</td><td>v1</td><td>plan:2026-001</td>" in listed and "Fill in the plan" in listed
    assert "2026-09-30 10:00" in listed and "plan:2026-002" not in listed and f"<td>{new.id}</td>" not in listed


def test_uploading_a_new_version_and_a_refused_one(svc, client):
    token = sign_in(client, "owner")
    assert upload(client, token, "approval_chain.bpmn", APPROVAL).status_code == 302
    assert "已部署：approval_chain v1" in client.get("/processes").get_data(as_text=True)
    refused = upload(client, token, "bad.bpmn", UNSAFE)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<code>F3</code>" in text and "未部署" in text
    broken = upload(client, token, "broken.bpmn", b"<bpmn:definitions")
    assert broken.status_code == 422 and "未部署" in broken.get_data(as_text=True)
    assert list(version_ids(svc, "approval_chain")) == [1]


def test_the_modeler_opens_a_version_for_owners_and_administrators(svc, clock, client):
    (version,) = deploy(svc, clock, "approval_chain.bpmn")
    for username in ("owner", "admin"):
        sign_in(client, username)
        page = client.get(f"/processes/versions/{version.id}/edit")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and f'data-xml-url="/processes/versions/{version.id}.bpmn"' in text
        assert 'data-source-name="approval_chain.bpmn"' in text and "bpmn-modeler.production.min.js" in text
        assert "检查" in text and "部署为新版本" in text and "下载" in text
        assert 'data-csrf-token="' in text and "modeler.js" in text
        stages = json.loads(html.unescape(re.search(r'data-stages="([^"]*)"', text).group(1)))
        assert ["record_notice", "record_notice · 记录预告"] in stages  # the registered stages, for check points
        assert [name for name, _words in stages] == sorted(svc.runtime.stages)
    assert client.get("/processes/versions/999/edit").status_code == 404
    assert client.get("/processes/versions/999.bpmn").status_code == 404


def test_the_modeler_says_plainly_when_bpmn_js_is_not_installed(app, svc, clock, client, tmp_path):
    (version,) = deploy(svc, clock, "approval_chain.bpmn")
    app.config["BPMN_JS_DIST"] = str(tmp_path / "not-installed")
    sign_in(client, "owner")
    text = client.get(f"/processes/versions/{version.id}/edit").get_data(as_text=True)
    assert "图形编辑器文件未安装" in text and "scripts/install.sh" in text
    assert "bpmn-modeler" not in text and f"/processes/versions/{version.id}.bpmn" in text


def test_a_new_process_starts_from_a_blank_diagram_that_deploys(svc, clock, client):
    token = sign_in(client, "owner")
    page = client.get("/processes/new").get_data(as_text=True)
    assert 'data-xml-url="/processes/new.bpmn"' in page and 'id="process-id"' in page
    blank = client.get("/processes/new.bpmn")
    assert blank.mimetype == "application/xml" and b'id="process_20260930_100000"' in blank.data
    assert post_json(client, "/processes/editor/check", token, {"xml": blank.get_data(as_text=True)}).json == {
        "problems": []}
    named = blank.get_data(as_text=True).replace("process_20260930_100000", "site_visit")
    deployed = post_json(client, "/processes/editor/deploy", token, {"xml": named, "source_name": "site_visit.bpmn"})
    assert deployed.status_code == 200 and deployed.json["deployed"][0]["process_key"] == "site_visit"
    assert start(svc, clock, "site_visit").status == "completed"


def test_checking_reports_every_problem_with_its_element_and_line(client):
    token = sign_in(client, "owner")
    fine = post_json(client, "/processes/editor/check", token, {"xml": APPROVAL.decode(), "source_name": "a.bpmn"})
    assert fine.status_code == 200 and fine.json == {"problems": []}
    unsafe = post_json(client, "/processes/editor/check", token, {"xml": UNSAFE.decode()}).json["problems"]
    assert [p["element_id"] for p in unsafe] == ["F3"] and unsafe[0]["line"] == 16
    malformed = post_json(client, "/processes/editor/check", token, {"xml": '<bpmn:definitions xmlns:bpmn="x">\n<a>'})
    (problem,) = malformed.json["problems"]
    assert malformed.status_code == 200 and problem["reason"].startswith("XML 格式错误：") and problem["line"] == 2
    hostile = post_json(client, "/processes/editor/check", token, {"xml": HOSTILE.decode()}).json["problems"]
    assert len(hostile) == 1 and "不得包含 DOCTYPE" in hostile[0]["reason"] and hostile[0]["line"] == 2


def test_problems_are_worded_in_the_visitors_language(client):
    token = sign_in(client, "owner")

    def problems(xml: str) -> list[str]:
        return [p["reason"] for p in post_json(client, "/processes/editor/check", token, {"xml": xml}).json["problems"]]

    (unsafe,) = problems(UNSAFE.decode())
    assert unsafe.startswith("条件表达式有误：") and "__import__" in unsafe  # the checker's detail, as written
    no_start = APPROVAL.decode().replace('<bpmn:startEvent id="StartEvent"><bpmn:outgoing>F1</bpmn:outgoing>'
                                         '</bpmn:startEvent>', "")
    assert "流程没有开始事件。" in problems(no_start)
    twice = APPROVAL.decode().replace('id="StartEvent"', 'id="F1"')
    assert any(reason.startswith("标识「F1」重复使用") for reason in problems(twice))
    client.get("/lang/en")
    assert problems(HOSTILE.decode()) == ["A diagram must not contain a DOCTYPE or entity declarations (for safety)."]



def test_the_json_endpoints_refuse_bad_bodies_missing_csrf_and_other_roles(client):
    token = sign_in(client, "owner")
    for path in ("/processes/editor/check", "/processes/editor/deploy"):
        for body in ([], {"xml": 5}, {"source_name": "x.bpmn"}):
            refused = post_json(client, path, token, body)
            assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_request"
        not_json = client.post(path, data="<bpmn/>", content_type="application/json", headers={"X-CSRF-Token": token})
        assert not_json.status_code == 400 and "JSON" in not_json.json["error"]["message"]
        for wrong in (None, "not-the-token"):
            missing = post_json(client, path, wrong, {"xml": APPROVAL.decode()})
            assert missing.status_code == 400 and "CSRF" in missing.json["error"]["message"]
    too_large = post_json(client, "/processes/editor/check", token, {"xml": "x" * (10 * 1024 * 1024 + 1)})
    assert too_large.status_code == 413 and too_large.json["error"]["code"] == "too_large"
    admin = sign_in(client, "admin")
    assert post_json(client, "/processes/editor/check", admin, {"xml": APPROVAL.decode()}).json == {"problems": []}
    for role in ROLES_REFUSED:
        other = sign_in(client, role)
        for path in ("/processes/editor/check", "/processes/editor/deploy"):
            forbidden = post_json(client, path, other, {"xml": APPROVAL.decode()})
            assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"


def test_every_owner_page_is_forbidden_to_other_roles_and_needs_a_login(svc, clock, client):
    (version,) = deploy(svc, clock, "approval_chain.bpmn")
    pages = ["/processes", "/processes/new", "/processes/new.bpmn", f"/processes/versions/{version.id}.bpmn",
             f"/processes/versions/{version.id}/edit"]
    for path in pages:
        assert client.get(path).status_code == 302  # to the login page
    for role in ROLES_REFUSED:
        token = sign_in(client, role)
        for path in pages:
            assert client.get(path).status_code == 403, (role, path)
        assert upload(client, token, "approval_chain.bpmn", RENAMED).status_code == 403
    assert list(version_ids(svc, "approval_chain")) == [1]


def test_deploying_from_the_modeler_makes_the_next_version_and_new_instances_run_on_it(svc, clock, client):
    deploy(svc, clock, "approval_chain.bpmn")
    old = start(svc, clock, "approval_chain")
    token = sign_in(client, "owner")
    deployed = post_json(client, "/processes/editor/deploy", token, {"xml": RENAMED.decode(),
                                                                     "source_name": "approval_chain.bpmn"})
    (entry,) = deployed.json["deployed"]
    ids = version_ids(svc, "approval_chain")
    assert deployed.status_code == 200 and entry["version"] == 2 and entry["id"] == ids[2]
    assert entry["unchanged"] is False and entry["edit_url"] == f"/processes/versions/{ids[2]}/edit"
    new = start(svc, clock, "approval_chain")
    with svc.sessions() as session:
        assert session.get(ProcessInstance, new.id).process_version_id == ids[2]
        assert session.get(ProcessInstance, old.id).process_version_id == ids[1]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "diagram.deployed")
                                .order_by(AuditEntry.id)).all()
    assert [t.name for t in open_tasks(svc, new.id)] == ["Draw up the plan"]
    assert audit[-1].actor == "owner" and audit[-1].after["versions"] == [{"process_key": "approval_chain",
                                                                           "version": 2}]
    again = post_json(client, "/processes/editor/deploy", token, {"xml": RENAMED.decode()})
    assert again.json["deployed"][0]["unchanged"] is True and again.json["deployed"][0]["version"] == 2


def test_a_refused_deploy_from_the_modeler_stores_nothing(svc, clock, client):
    deploy(svc, clock, "approval_chain.bpmn")
    token = sign_in(client, "owner")
    for xml in (UNSAFE, HOSTILE, b"<bpmn:definitions"):
        refused = post_json(client, "/processes/editor/deploy", token, {"xml": xml.decode()})
        error = refused.json["error"]
        assert refused.status_code == 422 and error["code"] == "diagram_refused" and error["details"]["problems"]
    assert refused.json["error"]["details"]["problems"][0]["line"] == 1
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 1
