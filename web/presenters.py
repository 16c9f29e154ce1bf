"""How the pages show engine values: deadlines in working days, moments in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime

from engine.calendar import WorkingCalendar
from engine.clock import SHANGHAI


def due_label(calendar: WorkingCalendar, now: datetime, due_at: datetime | None) -> str:
    """"还剩 N 个工作日" / "今天到期" / "逾期 N 个工作日" (calendar days do not count)."""
    if due_at is None:
        return ""
    today, due_day = now.astimezone(SHANGHAI).date(), due_at.astimezone(SHANGHAI).date()
    if due_at < now:
        return f"逾期 {max(calendar.working_days_through(due_day, today), 1)} 个工作日"
    if due_day == today:
        return "今天到期"
    return f"还剩 {calendar.working_days_through(today, due_day)} 个工作日"


def shanghai(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""
