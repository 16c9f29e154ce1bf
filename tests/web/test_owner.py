"""The process owner's pages: versions with running instances, XML download, and uploading a diagram that
the server checks, with every problem pinned to its element."""

from __future__ import annotations

import io
import re

import pytest

from engine.accounts import create_user
from tests.conftest import fixture_bytes
from tests.engine.helpers import deploy, start
from tests.web import pages
from tests.web.pages import token_of
from web.services import services


@pytest.fixture
def client(app):
    with app.app_context(), services().transaction() as session:
        create_user(session, username="owner", password="owner-password", role="process_owner",
                    now=services().clock().now())
        create_user(session, username="li", password="staff-password", role="staff", now=services().clock().now())
    return app.test_client()


def login(client, username: str, password: str) -> str:
    """Log in; returns the session's CSRF token for the forms posted next."""
    pages.login(client, username, password)
    return token_of(client.get("/").get_data(as_text=True))


def upload(client, token: str, name: str, data: bytes):
    return client.post("/processes/deploy", data={"csrf_token": token, "diagram": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_versions_with_running_instances_and_download(svc, clock, client):
    deploy(svc, clock, "approval_chain.bpmn")
    start(svc, clock, "approval_chain")
    login(client, "owner", "owner-password")
    page = client.get("/processes").get_data(as_text=True)
    assert "approval_chain" in page and "v1（最新）" in page
    assert re.search(r"<td>1</td>\s*<td><a href=\"/processes/versions/\d+\.bpmn\"", page)
    link = re.search(r'href="(/processes/versions/\d+\.bpmn)"', page).group(1)
    assert client.get(link).data == fixture_bytes("approval_chain.bpmn")


def test_uploading_a_new_version_and_a_refused_one(client):
    login(client, "owner", "owner-password")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/processes").get_data(as_text=True)).group(1)
    assert upload(client, token, "approval_chain.bpmn", fixture_bytes("approval_chain.bpmn")).status_code == 302
    assert "approval_chain v1" in client.get("/processes").get_data(as_text=True)
    bad = fixture_bytes("approval_chain.bpmn").replace(b"ready == True", b"__import__('os')")
    refused = upload(client, token, "bad.bpmn", bad)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<code>F3</code>" in text and "未部署" in text
    broken = upload(client, token, "broken.bpmn", b"<bpmn:definitions")
    assert broken.status_code == 422 and "未部署" in broken.get_data(as_text=True)


def test_staff_may_not_deploy(client):
    login(client, "li", "staff-password")
    assert client.get("/processes").status_code == 403
