"""The calendar's database side: imported official schedules, and the WorkingCalendar built from them.

`import_schedule` stores a year's official holidays and make-up working days (`inspectflow calendar
import FILE`), resolves the uncovered-year alert and returns the years it covered; the caller then asks
the runtime to recompute the provisional due dates (see `engine.runtime.timers.recompute_provisional`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar, parse_override_csv
from engine.models import CalendarOverride, CalendarYear, Deadline
from engine.platform import alerts
from engine.platform.clock import SHANGHAI

UNCOVERED_YEAR_ALERT = "calendar_year_uncovered"


def load_calendar(session: Session) -> WorkingCalendar:
    overrides = {row.day: row.kind for row in session.execute(select(CalendarOverride.day, CalendarOverride.kind))}
    years = session.scalars(select(CalendarYear.year)).all()
    return WorkingCalendar(overrides=overrides, imported_years=years)


@dataclass(frozen=True)
class ImportResult:
    years: list[int]
    days: int


def import_schedule(session: Session, text: str, *, source: str, actor: str, now: datetime) -> ImportResult:
    """Replace the overrides of every year the file covers with the file's rows; those years become covered.

    A file lists the official exceptions of whole years: the holidays on weekdays and the make-up working
    days on weekends. Days it does not list follow the weekend rule.
    """
    rows = parse_override_csv(text)
    years = sorted({day.year for day, _kind in rows})
    for year in years:
        session.execute(
            delete(CalendarOverride).where(CalendarOverride.day >= date(year, 1, 1),
                                           CalendarOverride.day <= date(year, 12, 31))
        )
        session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    session.execute(insert(CalendarOverride), [
        dict(day=day, kind=kind, source=source, imported_by=actor, imported_at=now) for day, kind in rows
    ])
    session.execute(insert(CalendarYear), [
        dict(year=year, source=source, imported_by=actor, imported_at=now) for year in years
    ])
    for year in years:
        alerts.resolve(session, kind=UNCOVERED_YEAR_ALERT, subject=str(year), actor=actor, now=now)
    return ImportResult(years=years, days=len(rows))


def status(session: Session, calendar: WorkingCalendar, today: date) -> dict:
    """What an administrator needs to see: which years are official, which are estimated and in use."""
    imported = {
        row.year: {"source": row.source, "imported_by": row.imported_by, "imported_at": row.imported_at.isoformat()}
        for row in session.scalars(select(CalendarYear))
    }
    override_counts = Counter(day.year for day in session.scalars(select(CalendarOverride.day)))
    provisional = session.scalar(select(func.count()).select_from(Deadline).where(Deadline.provisional.is_(True)))
    years = sorted(set(range(today.year - 1, today.year + 3)) | set(imported))
    return {
        "today": today.isoformat(),
        "years": [
            {
                "year": year,
                "covered": calendar.covers(year),
                "source": "imported" if year in imported else ("package" if calendar.covers(year) else "estimate"),
                "overrides": override_counts.get(year, 0),
                **({"import": imported[year]} if year in imported else {}),
            }
            for year in years
        ],
        "provisional_deadlines": int(provisional or 0),
    }


def watch_coverage(session: Session, calendar: WorkingCalendar, now: datetime, horizon_days: int = 60) -> list[int]:
    """Raise the uncovered-year alert ahead of time: in the weeks before a year the calendar only estimates,
    an administrator should import its official schedule before deadlines start falling into it."""
    today = now.astimezone(SHANGHAI).date()
    # A horizon in calendar days, not a deadline: how far ahead to look for years without official data.
    years = set(calendar.uncovered_years_between(today, today + timedelta(days=horizon_days)))
    open_uncovered_year_alerts(session, calendar, years, now)
    return sorted(years)


def open_uncovered_year_alerts(session: Session, calendar: WorkingCalendar, years: set[int], now: datetime) -> None:
    for year in sorted(years):
        if not calendar.covers(year):
            alerts.raise_alert(
                session,
                kind=UNCOVERED_YEAR_ALERT,
                subject=str(year),
                message=(  # the engine's own wording stays Chinese, like the rules' (README: "The pages")
                    f"{year} 年的法定节假日安排尚未导入：涉及该年的期限按周末和法定假日估算，标记为暂定。"
                ),
                details={"year": year},
                now=now,
            )

