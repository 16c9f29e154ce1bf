"""Helpers for driving the HTML pages with Flask's test client: CSRF tokens, login, demo and test users."""

from __future__ import annotations

import re

from engine.identity.accounts import create_user
from tests.engine.helpers import PASSWORD, deploy, only_task, start
from web.services import services

DEMO_PASSWORD = "inspectflow-demo"


def token_of(html: str) -> str:
    """The CSRF token of a rendered page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def open_notice_task(svc, clock):
    """An instance of the inbox_task fixture for agency SCJG, waiting at its notice step (lane 执法人员)."""
    deploy(svc, clock, "inbox_task.bpmn")
    started = start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"},
                    business_key="enterprise:91331125MA2E000001")
    return only_task(svc, started.id, "Notify")


def login(client, username: str, password: str = PASSWORD):
    """Log in through the login form; returns the response (the session's CSRF token is `token_of` any page)."""
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token_of(page.get_data(as_text=True))})


def login_demo(client, username: str):
    return login(client, username, DEMO_PASSWORD)


def make_user(app, username: str, role: str, agency: str | None = "SCJG", password: str = PASSWORD,
              jurisdiction: str | None = None) -> None:
    with app.app_context(), services().transaction() as session:
        create_user(session, username=username, password=password, role=role, now=services().clock().now(),
                    agency=agency, jurisdiction=jurisdiction)


SWITCH_TO_CHINESE = re.compile(r'<a href="/lang/zh_CN[^"]*"[^>]*>中文</a>')
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def in_english(client):
    """Choose English the way a visitor does (the language link sets a cookie)."""
    client.get("/lang/en")
    return client


def leftover_chinese(html: str, *domain_texts: str) -> list[str]:
    """Chinese left on an English page, apart from the link back to Chinese and the engine's own wording
    (`domain_texts`: rule texts, vocabularies and names, which stay Chinese by design)."""
    html = SWITCH_TO_CHINESE.sub("", html)
    for text in sorted(domain_texts, key=len, reverse=True):
        html = html.replace(text, "")
    return CHINESE.findall(html)
