"""Languages: Chinese by default, English by choice or by the browser's Accept-Language (web.i18n)."""

from __future__ import annotations

import pytest


@pytest.fixture
def client(app):
    return app.test_client()


def test_pages_are_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "涉企行政检查" in page
    assert ">English</a>" in page and ">中文</a>" not in page  # offers only the other language


def test_browser_asking_for_english_gets_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Enterprise inspections" in page


def test_language_choice_is_kept_and_returns_to_the_page(client):
    response = client.get("/lang/en?next=/portal")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal")
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Enterprise inspections" in page
    client.get("/lang/zh_CN")
    assert "涉企行政检查" in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]
