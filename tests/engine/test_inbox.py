"""The inbox query: lanes by role, agency scope, claimed tasks, and the overdue / due-this-week filters
(who may work a single task is tests/engine/test_access.py)."""

from __future__ import annotations

from datetime import datetime

from engine.models import User
from engine.platform.clock import SHANGHAI
from engine.views.inbox import InboxFilter, inbox
from tests.engine.helpers import deploy, start


def person(role: str, agency: str | None = "SCJG", username: str = "li") -> User:
    return User(username=username, role=role, agency=agency, display_name=username, password_hash="-")


def names(svc, user: User, now: datetime, **wanted) -> list[str]:
    with svc.sessions() as session:
        return [t.element_id for t in inbox(session, user, now, InboxFilter(**wanted))]


def test_lanes_agency_and_deadline_filters(svc, clock):
    deploy(svc, clock, "inbox_task.bpmn")
    start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"})  # due end of 10-13
    now = clock.now()
    assert names(svc, person("staff"), now) == ["Notify"]
    assert names(svc, person("agency_head"), now) == ["Notify"]  # heads also work the inspectors' lane
    assert names(svc, person("staff", agency="XFJY"), now) == []
    assert names(svc, person("supervisor", agency=None), now) == []
    assert names(svc, person("staff"), now, overdue=True) == []
    # Monday 2026-10-12: the task falls due on Tuesday, inside this week.
    monday = datetime(2026, 10, 12, 9, tzinfo=SHANGHAI)
    assert names(svc, person("staff"), monday, due_this_week=True) == ["Notify"]
    assert names(svc, person("staff"), datetime(2026, 10, 14, 9, tzinfo=SHANGHAI), overdue=True) == ["Notify"]
