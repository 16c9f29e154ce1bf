"""No open redirect (issue 10, defect 4): the login's `next`, the language switch's `next` and the claim and release
back-redirects (the Referer) follow only paths of this site, whatever a browser, werkzeug or a proxy would strip,
fold or decode on the way (web.security.same_site_path)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.pages import PASSWORD, login, make_user, open_notice_task, token_of

# Each leaves the site once a tab, newline or CR is dropped, a backslash read as a slash, an escape decoded or a
# compatibility character folded — or is another site (or scheme) outright.
OFF_SITE = [
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example", "\t//evil.example",
    " //evil.example", "/ /evil.example", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\\/evil.example", "/\t\\evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "//%2Fevil.example",
    "/%252F/evil.example", "/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
    "/\uff0fevil.example", "/\uff3cevil.example", "/\ufe68evil.example", "/%EF%BC%8Fevil.example",
    "/\u200b/evil.example", "/\u3000/evil.example", "/\x00/evil.example", "/\x7f/evil.example",
    "https://evil.example/", "http:/evil.example", "http:evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "evil.example", "",
]


def refused_or_home(response, home: str) -> bool:
    """Sent home, or refused outright (a NUL or DEL in the query is a 400 before any view, web.input_guard)."""
    return response.status_code == 400 or (response.status_code == 302 and response.headers["Location"] == home)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("target", OFF_SITE)
def test_after_login_an_off_site_next_lands_on_the_home_page(app, client, target):
    make_user(app, "li", "staff")
    page = client.get("/login")
    response = client.post(f"/login?next={quote(target, safe='')}", data={
        "username": "li", "password": PASSWORD, "csrf_token": token_of(page.get_data(as_text=True))})
    assert refused_or_home(response, "/inbox"), target


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_refuses_an_off_site_next(client, target):
    response = client.get(f"/lang/en?next={quote(target, safe='')}")
    assert refused_or_home(response, "/"), target


@pytest.mark.parametrize("target, sent", [
    ("/supervise", "/supervise"), ("/complaints/track?number=AB-1&x=%E4%B8%AD", None),
    ("/codes/A%20B", None), ("/inbox?q=%2F%2Fnot-a-host", None), ("/codes/中文", "/codes/%E4%B8%AD%E6%96%87"),
])
def test_paths_of_this_site_are_still_followed_as_ascii(client, target, sent):
    response = client.get(f"/lang/en?next={quote(target, safe='')}")
    assert response.headers["Location"] == (sent or target)


@pytest.fixture
def notice_task(app, svc, clock):
    return open_notice_task(svc, clock)


@pytest.mark.parametrize("referrer", [
    "http://localhost/\t/evil.example", "http://localhost/%2F/evil.example", "http://localhost/%5Cevil.example",
    "http://localhost/\uff0fevil.example", "http://evil.example/inbox", "//evil.example/inbox", "javascript:x",
])
def test_claim_and_release_go_back_only_to_a_page_of_this_site(app, client, notice_task, referrer):
    make_user(app, "li", "staff")
    login(client, "li")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    for action in ("claim", "release"):
        response = client.post(f"/tasks/{notice_task.id}/{action}", data={"csrf_token": token},
                               headers={"Referer": referrer})
        assert response.status_code == 302 and response.headers["Location"] == "/inbox", (action, referrer)
    back = client.post(f"/tasks/{notice_task.id}/claim", data={"csrf_token": token},
                       headers={"Referer": "http://localhost/inbox?mine=1"})
    assert back.headers["Location"] == "/inbox?mine=1"
