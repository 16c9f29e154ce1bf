"""The administrator's working-day calendar page: years official or estimated, the provisional due dates, and
importing a year's official schedule by upload or paste — which recomputes those due dates and resolves the
uncovered-year alert; a bad or hostile file is refused naming the problem and changes nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.calendar import store as calendar_store
from engine.models import Deadline
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from tests.engine.helpers import deploy, start
from tests.web.pages import in_english, login, make_user, token_of

SCHEDULE_2027 = "date,kind\n2027-01-01,holiday\n2027-01-05,holiday\n"


@pytest.fixture
def client(app, svc, clock):
    clock.set("2026-12-30T10:00:00+08:00")
    deploy(svc, clock, "timer_escalation.bpmn")
    start(svc, clock, "timer_escalation", {"inspection_date": "2027-01-04"})  # three working days: into 2027
    make_user(app, "admin", "administrator", agency=None)
    make_user(app, "sup", "supervisor", agency=None)
    client = app.test_client()
    login(client, "admin")
    return client


def year_row(page: str, year: int) -> str:
    return re.search(rf"<tr><td>{year}</td>.*?</tr>", page, re.S).group(0)


def post(client, **data):
    token = token_of(client.get("/admin/calendar").get_data(as_text=True))
    return client.post("/admin/calendar", data={"csrf_token": token, **data}, content_type="multipart/form-data")


def test_the_page_shows_which_years_are_official_and_what_is_provisional(client):
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "官方安排（随系统提供）" in year_row(page, 2026)
    assert "估算：尚无官方安排" in year_row(page, 2027)
    assert "目前有 1 个暂定期限" in page


def test_an_uploaded_schedule_recomputes_the_due_dates_and_resolves_the_alert(client, svc):
    with svc.sessions() as session:
        (alert,) = alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT)
    assert alert.subject == "2027"
    assert not re.search("[A-Za-z]{3,}", alert.message)  # no English sentence on the Chinese dashboard
    response = post(client, schedule=(io.BytesIO(("\ufeff" + SCHEDULE_2027).encode()), "2027.csv"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入 2027 年的安排（2 天），重算了 1 个暂定期限" in page
    assert "官方安排（已导入）" in year_row(page, 2027) and "admin" in year_row(page, 2027)
    assert "目前有 0 个暂定期限" in page
    with svc.sessions() as session:
        (deadline,) = session.scalars(select(Deadline)).all()
        # Three working days from Dec 30: Dec 31, Jan 4, then Jan 5 — which the import makes a holiday: Jan 6.
        assert deadline.provisional is False and deadline.due_at.astimezone(SHANGHAI).date() == date(2027, 1, 6)
        assert alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT) == []


def test_a_pasted_schedule_works_the_same(client):
    assert post(client, text=SCHEDULE_2027).status_code == 302
    assert "官方安排（已导入）" in year_row(client.get("/admin/calendar").get_data(as_text=True), 2027)


@pytest.mark.parametrize("data, reason", [
    ({"text": "2027-01-01,holiday\n2027-13-01,holiday\n"}, "第 2 行的日期 2027-13-01 有误"),
    ({"text": ""}, "文件里没有「日期,类型」行"),
    ({"schedule": (b"\xff\xfe\x00binary", "x.csv")}, "不是 UTF-8"),
    ({"schedule": (b"2027-01-01,holiday\n" * 4000, "big.csv")}, "超过 64 KB"),
])
def test_a_bad_file_is_refused_naming_the_problem_and_changes_nothing(client, svc, data, reason):
    post(client, text="2027-01-01,holiday\n")  # what was there before
    # A fresh stream per run: the parameters are shared by both database backends.
    response = post(client, **{key: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
                               for key, value in data.items()})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有导入" in page and reason in page
    row = year_row(page, 2027)
    assert "官方安排（已导入）" in row and "<td>1</td>" in row  # the earlier import, untouched
    if "text" in data:
        assert data["text"].split("\n")[0] in page  # what was pasted stays in the box


def test_only_administrators_and_in_english(client, app):
    page = in_english(client).get("/admin/calendar").get_data(as_text=True)
    assert "Working-day calendar" in page and "estimate: no official schedule yet" in page
    other = app.test_client()
    login(other, "sup")
    assert other.get("/admin/calendar").status_code == 403
    assert app.test_client().get("/admin/calendar").status_code == 302  # to the login page


def test_the_uncovered_year_alert_leads_an_administrator_to_the_import(client, app):
    dashboard = client.get("/supervise").get_data(as_text=True)
    assert "日历年度未覆盖" in dashboard and 'href="/admin/calendar"' in dashboard.split("</header>")[1]
    supervisor = app.test_client()
    login(supervisor, "sup")
    assert 'href="/admin/calendar"' not in supervisor.get("/supervise").get_data(as_text=True)
