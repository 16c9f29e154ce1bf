"""How the pages show engine values: deadlines in working days, moments in Asia/Shanghai.

Both follow the visitor's language (web.i18n): Chinese keeps the numeric `2026-09-30 10:00` form, English
names the month. The zone is Asia/Shanghai whatever the language or the server's settings.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from engine.calendar import WorkingCalendar
from engine.platform.clock import SHANGHAI
from web.i18n import current_language

MOMENT_PATTERNS = {"en": "d MMM yyyy, HH:mm"}
DAY_PATTERNS = {"en": "d MMM yyyy"}
MOMENT_PATTERN, DAY_PATTERN = "yyyy-MM-dd HH:mm", "yyyy-MM-dd"


def due_label(calendar: WorkingCalendar, now: datetime, due_at: datetime | None) -> str:
    """"还剩 N 个工作日" / "今天到期" / "逾期 N 个工作日" (calendar days do not count)."""
    if due_at is None:
        return ""
    today, due_day = now.astimezone(SHANGHAI).date(), due_at.astimezone(SHANGHAI).date()
    if due_at < now:
        late = max(calendar.working_days_through(due_day, today), 1)
        return ngettext("逾期 %(num)d 个工作日", "逾期 %(num)d 个工作日", late)
    if due_day == today:
        return _("今天到期")
    left = calendar.working_days_through(today, due_day)
    return ngettext("还剩 %(num)d 个工作日", "还剩 %(num)d 个工作日", left)


def shanghai(moment: datetime | str | None) -> str:
    """A moment (or the engine's ISO text of one) as date and minute in Asia/Shanghai."""
    return _format(moment, MOMENT_PATTERNS, MOMENT_PATTERN)


def shanghai_day(moment: datetime | str | None) -> str:
    """Only the Asia/Shanghai calendar day of a moment (a deadline's day)."""
    return _format(moment, DAY_PATTERNS, DAY_PATTERN)


def _format(moment: datetime | str | None, patterns: dict[str, str], default: str) -> str:
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    # Rebased here rather than by flask_babel, so the zone never depends on BABEL_DEFAULT_TIMEZONE.
    local = moment.astimezone(SHANGHAI)
    return format_datetime(local, patterns.get(current_language(), default), rebase=False)
