"""The supervisor's overdue view: open steps past their due moment in the user's scope, with their age in
working days, narrowed by agency, procedure and age bucket — every narrowing in the SQL (engine.views.inbox.open_tasks).

An age bucket becomes a due-moment window: age ≥ n working days means "due on or before the latest day from which
n working days have passed by today" (engine.calendar.working_days_through), found by stepping back from today.
`filter_agencies` lists the agencies the agency filter offers: those the user oversees.
Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, inspect, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.identity.access import Scope, agency_ids_in, visible
from engine.models import Agency, TaskRecord
from engine.platform.clock import SHANGHAI
from engine.views.inbox import open_tasks_query

# key → (fewest, most) working days overdue; None = no upper bound.
AGE_BUCKETS: dict[str, tuple[int, int | None]] = {"1-2": (1, 2), "3-5": (3, 5), "over5": (6, None)}


# What the view lists of each step, read as plain rows (attribute access as on TaskRecord: id, name, agency,
# due_at, …): building 500 ORM objects cost ~1 ms more on average and much more now and then, a county
# supervisor's p95 17-22 ms against 13.6 ms as rows (bench/reads.py, issue 13).
LISTED = tuple(attribute.columns[0] for attribute in inspect(TaskRecord).column_attrs if not attribute.deferred)


@dataclass(frozen=True)
class OverdueStep:
    task: Row[Any]  # the task row's LISTED columns
    age: int  # working days overdue, at least 1


def age_of(calendar: WorkingCalendar, today: date, due_at: datetime) -> int:
    return max(calendar.working_days_through(due_at.astimezone(SHANGHAI).date(), today), 1)


def _latest_due_day_aged(calendar: WorkingCalendar, today: date, age: int) -> date:
    """The latest due day whose step is at least `age` (≥ 2) working days overdue today."""
    day = today - timedelta(days=1)  # stepping over calendar days to find a working-day boundary
    while calendar.working_days_through(day, today) < age:
        day -= timedelta(days=1)
    return day


def _start_of_day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, SHANGHAI)


def overdue_steps(session: Session, scope: Scope, calendar: WorkingCalendar, now: datetime, *,
                  agency: str | None = None, process_key: str | None = None, bucket: str | None = None,
                  limit: int = 500) -> list[OverdueStep]:
    """Most overdue first. Unknown bucket keys raise ValueError."""
    today = now.astimezone(SHANGHAI).date()
    due_before, due_from = None, None
    if bucket:
        if bucket not in AGE_BUCKETS:
            raise ValueError(f"age bucket: one of {', '.join(AGE_BUCKETS)}")
        fewest, most = AGE_BUCKETS[bucket]
        if fewest > 1:
            due_before = _start_of_day_after(_latest_due_day_aged(calendar, today, fewest))
        if most is not None:
            due_from = _start_of_day_after(_latest_due_day_aged(calendar, today, most + 1))
    query = open_tasks_query(now=now, within=visible(scope), agency=agency, process_key=process_key,
                             overdue=True, due_from=due_from, due_before=due_before, limit=limit)
    tasks = session.execute(query.with_only_columns(*LISTED)).all()
    ages: dict[date, int] = {}  # by due day: hundreds of steps fall due on a few days
    steps = []
    for task in tasks:
        if task.due_at is not None:
            due_day = task.due_at.astimezone(SHANGHAI).date()
            if due_day not in ages:
                ages[due_day] = age_of(calendar, today, task.due_at)
            steps.append(OverdueStep(task, ages[due_day]))
    return steps


def filter_agencies(session: Session, scope: Scope) -> list[Agency]:
    """The agencies the user oversees (every agency for administrators and owners), by code."""
    agency_ids = agency_ids_in(session, scope)
    query = select(Agency).order_by(Agency.code)
    if agency_ids is not None:
        query = query.where(Agency.id.in_(agency_ids))
    return list(session.scalars(query))
