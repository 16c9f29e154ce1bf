"""GET /api/v1/cases (issue 12 item 4): the case search of the pages for API clients, scoped the same way
(engine.identity.access), each case with its enterprise, open tasks and the timers it waits on."""

from __future__ import annotations

from engine.models import Jurisdiction
from tests.web.api.conftest import Api


def test_a_supervisor_finds_the_case_by_part_of_the_name_with_its_timer_and_others_do_not(app, svc, clock, demo):
    api = Api(app, svc, clock)  # on the demo county (whose logins include an owner: not the `api` fixture's world)
    with svc.transaction() as session:
        session.add(Jurisdiction(code="331199", name="邻县", level="county"))
    api.user("sup", "supervisor", jurisdiction="示范县")
    api.user("sup2", "supervisor", jurisdiction="邻县")
    api.user("xf", "staff", agency="XFJY")
    response = api.get("/api/v1/cases?enterprise=宏达餐饮", as_user="sup")
    assert response.status_code == 200, response.get_data(as_text=True)
    [case] = response.get_json()
    assert case["process_key"] == "code_retroactive" and case["status"] == "running"
    assert case["enterprise"] == {"credit_code": "91331125007000003H", "name": "示范县宏达餐饮有限公司（003）"}
    assert [t["name"] for t in case["open_tasks"]] == ["补办审批"]
    assert case["timers"] == [{"element_id": "Timer_retro_deadline", "name": "补办期限届满",
                               "due_at": "2026-09-30T15:59:59.999999+00:00", "provisional": False}]
    for outsider in ("sup2", "xf"):
        assert api.get("/api/v1/cases?enterprise=宏达餐饮", as_user=outsider).get_json() == []
    assert len(api.get("/api/v1/cases?state=running&process_key=penalty_revisit", as_user="sup").get_json()) == 2
    assert api.get("/api/v1/cases?started_from=9999-12-31", as_user="sup").get_json() == []
    assert api.get("/api/v1/cases?state=paused", as_user="sup").status_code == 422
