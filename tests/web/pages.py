"""Helpers for driving the HTML pages with Flask's test client: CSRF tokens, login, demo and test users."""

from __future__ import annotations

import re

from engine.accounts import create_user
from web.services import services

DEMO_PASSWORD = "inspectflow-demo"
PASSWORD = "correct horse battery"


def token_of(html: str) -> str:
    """The CSRF token of a rendered page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


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
