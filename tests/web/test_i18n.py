"""Languages: Chinese by default, English by choice or by the browser's Accept-Language (web.i18n); deadlines
and moments in both (web.presenters); the English catalog kept complete (web.i18n_catalog)."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.catalog import Catalog

from engine.calendar import WorkingCalendar
from engine.platform.clock import SHANGHAI
from tests.factories import make_jurisdiction
from tests.web.pages import in_english, leftover_chinese, login, make_user, token_of
from web import i18n_catalog
from web.presenters import due_label, shanghai, shanghai_day
from web.services import services


@pytest.fixture
def client(app):
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


# -- choosing the language ------------------------------------------------------------------------------


def test_pages_are_chinese_by_default(client):
    page = text(client.get("/login"))
    assert '<html lang="zh-CN">' in page and "涉企行政检查" in page and "用户名" in page
    assert '<a href="/lang/en?next=/login" lang="en" hreflang="en">English</a>' in page and ">中文</a>" not in page


def test_browser_asking_for_english_gets_english(client):
    page = text(client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert '<html lang="en">' in page and "Enterprise inspections" in page and "User name" in page
    assert leftover_chinese(page) == []


@pytest.mark.parametrize(("header", "lang"), [
    ("fr-FR, en;q=0.5", "en"),            # the best language we have among those asked for
    ("en;q=0.3, zh-TW;q=0.8", "zh-CN"),   # any Chinese is served the Simplified pages
    ("zh-CN;q=0.4, en-GB;q=0.9", "en"),  # the browser's order, not ours
    ("de-DE", "zh-CN"),                   # nothing we have: Chinese, the default
])
def test_accept_language_is_weighed(client, header, lang):
    assert f'<html lang="{lang}">' in text(client.get("/login", headers={"Accept-Language": header}))


def test_language_choice_is_kept_and_returns_to_the_page(client):
    response = client.get("/lang/en?next=/portal")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal")
    page = text(client.get("/login", headers={"Accept-Language": "zh-CN"}))
    assert "Enterprise inspections" in page  # the choice beats the browser's header
    client.get("/lang/zh_CN")
    assert "涉企行政检查" in text(client.get("/login"))


def test_the_language_link_keeps_the_path_and_query(client):
    page = text(client.get("/complaints/track?number=AB-1&x=%E4%B8%AD"))
    link = re.search(r'<a href="([^"]+)" lang="en"', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/complaints/track?number=AB-1&x=%E4%B8%AD")
    back = text(client.get(response.headers["Location"]))
    assert '<html lang="en">' in back and 'value="AB-1"' in back
    assert re.search(r'<a href="/lang/zh_CN\?next=/complaints/track\?number%3DAB-1%26x%3D%25E4%25B8%25AD"', back)


def test_language_switch_refuses_to_redirect_off_site(client):
    for target in ("//evil.example/", "/%5Cevil.example/", "https://evil.example/"):
        response = client.get(f"/lang/en?next={target}")
        assert response.headers["Location"] == "/", target
    assert "evil" not in response.headers["Location"]


def test_an_unknown_language_code_changes_nothing(client):
    response = client.get("/lang/xx?next=/login")
    assert response.headers["Location"].endswith("/login") and "Set-Cookie" not in response.headers
    assert '<html lang="zh-CN">' in text(client.get("/login"))


# -- the pages of web.auth, web.main and web.pages in English --------------------------------------------


def test_login_and_its_refusal_in_english(app, client):
    make_user(app, "li", "staff")
    in_english(client)
    refused = login(client, "li", "wrong")
    assert refused.status_code == 401 and "Wrong user name or password." in text(refused)
    assert leftover_chinese(text(refused)) == []
    assert login(client, "li").status_code == 302
    header = text(client.get("/portal"))
    assert "Tasks" in header and "Log out" in header and "li (enforcement officer)" in header


@pytest.mark.parametrize(("english", "heading", "description"), [
    (False, "找不到页面", "没有这个页面，请检查地址。"),
    (True, "Page not found", "There is no such page; please check the address."),
])
def test_a_missing_page_speaks_the_visitors_language(client, english, heading, description):
    if english:
        in_english(client)
    page = client.get("/no/such/page")
    assert page.status_code == 404 and heading in text(page) and description in text(page)
    assert "requested URL" not in text(page)  # werkzeug's stock English text never shows


def test_refusals_in_english(app, client):
    make_user(app, "li", "staff")
    in_english(client)
    csrf = client.post("/login", data={"username": "li", "password": "x"})
    assert csrf.status_code == 400 and "CSRF check failed" in text(csrf) and "Bad request" in text(csrf)
    assert "could not be handled" not in text(csrf)  # the view's own description, not the stock one
    login(client, "li")
    forbidden = client.get("/admin/policy")
    assert forbidden.status_code == 403 and "Access denied" in text(forbidden)
    assert "Your account may not open this page." in text(forbidden) and leftover_chinese(text(forbidden)) == []
    client.get("/lang/zh_CN")
    assert "无权访问" in text(client.get("/admin/policy"))


def test_the_front_page_in_english(client):
    page = text(in_english(client).get("/"))
    assert "Enterprise inspection procedures" in page and "Follow a complaint" in page and "Open tasks" not in page
    assert leftover_chinese(page) == []


# -- the administrator's policy form in English -----------------------------------------------------------


@pytest.fixture
def administrator(app, client):
    with app.app_context(), services().transaction() as session:
        make_jurisdiction(session, code="331125", name="示范县")
    make_user(app, "root", "administrator", agency=None, jurisdiction="331125")
    login(client, "root")
    return in_english(client)


def test_the_policy_form_in_english(administrator):
    page = text(administrator.get("/admin/policy"))
    assert "示范县 · enterprise inspection policy" in page and "Credit class C cap" in page
    assert "Joint-inspection rate targets (R19, %)" in page and "Enterprise quiet period" in page
    assert leftover_chinese(page, "示范县") == []
    values = dict(re.findall(r'name="([\w.]+)" value="([^"]*)"', page))
    values.pop("preset")
    values.update({"window.mode": "blocked", "window.applies_to": "all", "caps.C": "two", "caps.D": "-1"})
    refused = administrator.post("/admin/policy", data=values)
    assert refused.status_code == 422 and "2 fields need correcting." in text(refused)
    assert "Enter a whole number, 0 or more, or leave blank for no limit" in text(refused)
    saved = administrator.post("/admin/policy", data={"csrf_token": token_of(page), "preset": "kaifeng"},
                               follow_redirects=True)
    assert "Policy saved." in text(saved)


# -- deadlines and moments (web.presenters) -------------------------------------------------------------


def at(day: int, hour: int, month: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("due_at", "chinese", "english"), [
    (at(25, 18), "逾期 3 个工作日", "3 working days overdue"),      # Fri → Mon, Tue, Wed
    (at(29, 23), "逾期 1 个工作日", "1 working day overdue"),
    (at(30, 9), "逾期 1 个工作日", "1 working day overdue"),        # earlier today is still late
    (at(30, 18), "今天到期", "due today"),
    (at(8, 17, month=10), "还剩 1 个工作日", "1 working day left"),  # the National Day holiday does not count
    (at(12, 17, month=10), "还剩 4 个工作日", "4 working days left"),  # Sat 10 Oct is a make-up working day
    (None, "", ""),
])
def test_due_labels_in_both_languages(app, clock, due_at, chinese, english):
    calendar = WorkingCalendar()
    for header, expected in (("zh-CN", chinese), ("en", english)):
        with app.test_request_context(headers={"Accept-Language": header}):
            assert due_label(calendar, clock.now(), due_at) == expected


def test_moments_are_shown_in_shanghai_in_both_languages(app, clock):
    utc = clock.now().astimezone(UTC)
    assert utc.hour == 2
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert shanghai(clock.now()) == shanghai(utc) == shanghai(utc.isoformat()) == "2026-09-30 10:00"
        assert shanghai_day(utc + timedelta(hours=15)) == "2026-10-01"  # 17:00 UTC is already the 1st
        assert shanghai(None) == shanghai_day(None) == ""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert shanghai(utc) == "30 Sep 2026, 10:00" and shanghai_day(utc + timedelta(hours=15)) == "1 Oct 2026"


# -- the catalog ------------------------------------------------------------------------------------------


def test_every_marked_string_has_an_english_translation():
    found = i18n_catalog.problems()
    assert found == [], "run `bash scripts/i18n.sh update`, then translate:\n" + "\n".join(found)


def test_the_catalog_is_in_its_stable_sorted_form(tmp_path):
    copy = tmp_path / "messages.po"
    shutil.copy(i18n_catalog.ENGLISH, copy)
    i18n_catalog.update(copy)
    assert copy.read_bytes() == i18n_catalog.ENGLISH.read_bytes(), "run `bash scripts/i18n.sh update`"


def test_extraction_sees_templates_python_plurals_and_lazy_strings():
    template = i18n_catalog.extract()
    assert template["登录"] is not None                              # templates
    assert template["用户名或密码不正确。"] is not None                # gettext in Python
    assert template["请求有误"] is not None                           # lazy_gettext at import time
    assert template["还剩 %(num)d 个工作日"].pluralizable              # ngettext


HEADER = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'


def small_template(*ids) -> Catalog:
    template = Catalog()
    for message_id in ids:
        template.add(message_id, locations=[("web/templates/x.html", 1)])
    return template


def test_the_check_names_each_kind_of_gap(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(HEADER + '\nmsgid "保存"\nmsgstr "Save"\n\nmsgid "保存"\nmsgstr "Save"\n'
                  '\nmsgid "返回"\nmsgstr ""\n\nmsgid "收到：%(moment)s"\nmsgstr "Received: %(when)s"\n'
                  '\nmsgid "旧的"\nmsgstr "old"\n\n#~ msgid "更旧的"\n#~ msgstr "older"\n', encoding="utf-8")
    found = i18n_catalog.problems(po, small_template("保存", "返回", "收到：%(moment)s", "新的"))
    assert found == [  # in msgid order, then the catalog's own faults
        "placeholders differ: '收到：%(moment)s' → 'Received: %(when)s'",
        "missing: '新的' (from web/templates/x.html:1)",
        "untranslated: '返回'",
        "unused (no page marks it): '旧的'",
        "obsolete entry (#~): '更旧的'",
        "duplicate msgid: '保存'",
    ]


def test_update_adds_the_missing_drops_the_unused_and_duplicates_and_keeps_the_header(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text("# our header\n" + HEADER + '\nmsgid "旧的"\nmsgstr "old"\n\nmsgid "保存"\nmsgstr "Save"\n'
                  '\nmsgid "保存"\nmsgstr "Save"\n', encoding="utf-8")  # as a careless merge leaves it
    i18n_catalog.update(po, small_template("返回", "保存"))
    assert po.read_text(encoding="utf-8") == (
        "# our header\n" + HEADER + '\nmsgid "保存"\nmsgstr "Save"\n\nmsgid "返回"\nmsgstr ""\n\n')
    assert i18n_catalog.problems(po, small_template("返回", "保存")) == ["untranslated: '返回'"]
