"""engine.views.overdue: the supervisor's overdue steps in scope,
 by agency, procedure and age bucket in working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.calendar import WorkingCalendar
from engine.identity import access
from engine.models import User
from engine.platform.clock import SHANGHAI
from engine.views.overdue import AGE_BUCKETS, overdue_steps
from tests.engine.access_fixtures import add_task, build_world


def test_age_buckets_agency_and_procedure_filters(svc, clock):
    world = build_world(svc, clock)
    calendar = WorkingCalendar()
    now = clock.now()
    today = now.astimezone(SHANGHAI).date()
    ages = {}
    with svc.transaction() as session:
        for back in range(0, 16):  # due at the end of each of the last 16 days, today included (not yet late)
            day = today - timedelta(days=back)
            task = add_task(session, world, agency="SCJG", lane="执法人员", due_at=calendar.end_of_day(day)
                            if back else now + timedelta(hours=1))
            if back:
                ages[task.id] = max(calendar.working_days_through(day, today), 1)
        late_elsewhere = add_task(session, world, agency="LXJG", lane="执法人员",
                                  due_at=calendar.end_of_day(today - timedelta(days=3))).id
        other_procedure = add_task(session, world, agency="XFJY", lane="执法人员", process_key="advance_notice",
                                   due_at=calendar.end_of_day(today - timedelta(days=1))).id
    supervisor = User(username="sup", role="supervisor", jurisdiction="331125")
    with svc.sessions() as session:
        scope = access.scope_of(session, supervisor)

        def ids(**wanted) -> dict[str, int]:
            return {s.task.id: s.age for s in overdue_steps(session, scope, calendar, now, **wanted)}

        everything = ids()
        assert late_elsewhere not in everything and other_procedure in everything
        assert {k: v for k, v in everything.items() if k in ages} == ages  # the ages the pages show
        for bucket, (fewest, most) in AGE_BUCKETS.items():
            expected = {t for t, age in ages.items() if age >= fewest and (most is None or age <= most)}
            assert set(ids(bucket=bucket, agency="SCJG")) == expected, bucket
            assert expected, f"the fixture should fill bucket {bucket}"
        assert set(ids(process_key="advance_notice")) == {other_procedure}
        assert set(ids(agency="XFJY")) == {other_procedure}
        with pytest.raises(ValueError, match="age bucket"):
            overdue_steps(session, scope, calendar, now, bucket="7-9")


def test_most_overdue_first(svc, clock):
    world = build_world(svc, clock)
    calendar = WorkingCalendar()
    with svc.transaction() as session:
        recent = add_task(session, world, agency="SCJG", lane="司法局", due_at=calendar.end_of_day(date(2026, 9, 29)))
        older = add_task(session, world, agency="SCJG", lane="司法局", due_at=calendar.end_of_day(date(2026, 9, 1)))
        order = [older.id, recent.id]
    with svc.sessions() as session:
        scope = access.scope_of(session, User(username="a", role="administrator"))
        assert [s.task.id for s in overdue_steps(session, scope, calendar, clock.now())] == order
