"""Working days (工作日) in mainland China: the only module in inspectflow that does working-day arithmetic.

It owns whether a day is a working day, counting n working days forward from an event, counting the
working days strictly between two days (notice periods), the end-of-day moment a period ends at, and
the format of the administrator's override file.

Where an answer comes from, first match wins:

1. the administrator's overrides (an imported official schedule, or corrections);
2. the `chinese_calendar` package, for the years it has data for (statutory holidays 法定节假日 and
   the make-up working days 调休 of each year's State Council notice);
3. otherwise an ESTIMATE: weekends off plus the statutory holiday days of the national holiday
   regulation (全国年节及纪念日放假办法, as revised in 2024, in force from 2025), with the lunar dates
   taken from the `holidays` package. Make-up working days are announced a few weeks before each year
   and cannot be guessed, so the estimate has none.

A year is *covered* when chinese_calendar knows it or an administrator imported its official
schedule. Answers about other years are estimates, and a due date computed across such a year is
provisional (`span_is_estimated`); callers must record that rather than answer silently.

No database and no clock: a `WorkingCalendar` is built from plain data and never changes after
construction. Per-year tables are built lazily and cached (package data once per process, the
overrides once per instance); concurrent use from several threads at worst builds a table twice.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta
from functools import cache

import chinese_calendar

# The package's lunisolar helper gives each festival's Gregorian date directly, so the estimate does
# not depend on holiday names (which follow the locale) nor on filtering out its substituted days.
from holidays.calendars.chinese import _ChineseLunisolar

from engine.platform.clock import SHANGHAI, parse_moment

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)

_LUNAR = _ChineseLunisolar()
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=offset) for offset in range(date(year, 12, 31).timetuple().tm_yday)]


@cache
def _official_knows(year: int) -> bool:
    """Whether chinese_calendar has the official schedule of `year` (it raises outside its range)."""
    if not MINYEAR <= year <= MAXYEAR:
        return False
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _official_off_days(year: int) -> frozenset[date]:
    return frozenset(day for day in _days_of(year) if not chinese_calendar.is_workday(day))


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The statutory holiday days of `year` under the regulation in force since 2025 (13 days).

    New Year's Day; Spring Festival (春节) = lunar New Year's Eve and the 1st–3rd of the first lunar
    month; Qingming (清明); Labour Day May 1–2; Dragon Boat (端午); Mid-Autumn (中秋); National Day
    Oct 1–3. No substitute or make-up days. Used for every year without an official schedule, also
    before 2004, where the regulation of the time differed (inspectflow handles no such dates).
    """
    lunar_new_year, _ = _LUNAR.lunar_new_year_date(year)
    dragon_boat, _ = _LUNAR.dragon_boat_date(year)
    mid_autumn, _ = _LUNAR.mid_autumn_date(year)
    qingming, _ = _LUNAR.qingming_date(year)
    if lunar_new_year is None or dragon_boat is None or mid_autumn is None:
        raise ValueError(
            f"cannot estimate the working days of {year}: the holidays package has no lunar dates for it"
        )
    days = {date(year, 1, 1), qingming, date(year, 5, 1), date(year, 5, 2), dragon_boat, mid_autumn}
    days.update(date(year, 10, day) for day in (1, 2, 3))
    days.update(lunar_new_year + timedelta(days=offset) for offset in (-1, 0, 1, 2))
    return frozenset(days)


@cache
def _estimated_off_days(year: int) -> frozenset[date]:
    holidays = statutory_holidays(year)
    return frozenset(day for day in _days_of(year) if day.weekday() >= 5 or day in holidays)


@dataclass(frozen=True)
class _YearTable:
    working: frozenset[date]
    ordered: tuple[date, ...]


def _require_date(value: object) -> date:
    # A datetime is a date subclass but never equals one, so it would silently count as a working day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def _require_count(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of working days must be a whole number >= 1, got {n!r}")
    return n


def _require_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"not a year: {year!r}")
    return year


def coerce_day(value: object) -> date:
    """The Asia/Shanghai calendar day of a date, a datetime or an ISO 8601 date/datetime string.

    A naive datetime (or a string without an offset) is read as Asia/Shanghai time.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return coerce_day(parse_moment(text))
        except ValueError:
            raise ValueError(f"not a date or an ISO 8601 date/datetime: {value!r}") from None
    raise ValueError(f"not a date, a datetime or an ISO 8601 string: {value!r}")


class WorkingCalendar:
    """Chinese working days from overrides, then chinese_calendar, then the statutory estimate.

    In an imported year outside chinese_calendar's range, the days the import does not list fall back
    to the estimate: an official schedule always gives the statutory days off, so a complete import
    is unaffected, and an import that only lists corrections keeps them.
    """

    def __init__(
        self, overrides: Mapping[date, str] | None = None, imported_years: Iterable[int] = ()
    ) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}
        for day, kind in (overrides or {}).items():
            _require_date(day)
            if kind not in KINDS:
                raise ValueError(f"override for {day.isoformat()}: kind must be one of {KINDS}, got {kind!r}")
            self._overrides.setdefault(day.year, {})[day] = kind == WORKDAY
        self._imported = frozenset(_require_year(year) for year in imported_years)
        self._tables: dict[int, _YearTable] = {}

    # -- coverage ---------------------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """True when the official schedule of `year` is known (package data or an admin import)."""
        return year in self._imported or _official_knows(year)

    def is_estimated(self, d: date) -> bool:
        return not self.covers(_require_date(d).year)

    def uncovered_years_between(self, a: date, b: date) -> list[int]:
        """The years of the days in [a, b] whose official schedule is not known, in order."""
        first, last = sorted((_require_date(a).year, _require_date(b).year))
        return [year for year in range(first, last + 1) if not self.covers(year)]

    def span_is_estimated(self, a: date, b: date) -> bool:
        """Whether a due date computed across [a, b] rests on the estimate (and so is provisional)."""
        return bool(self.uncovered_years_between(a, b))

    # -- working days -----------------------------------------------------------------------------

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            off = _official_off_days(year) if _official_knows(year) else _estimated_off_days(year)
            overrides = self._overrides.get(year, {})
            working = [day for day in _days_of(year) if overrides.get(day, day not in off)]
            table = _YearTable(frozenset(working), tuple(working))
            self._tables[year] = table
        return table

    def is_working_day(self, d: date) -> bool:
        return _require_date(d) in self._table(d.year).working

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d; d itself is not counted (n >= 1)."""
        _require_date(d)
        remaining = _require_count(n)
        year = d.year
        ordered = self._table(year).ordered
        index = bisect_right(ordered, d)
        while remaining > len(ordered) - index:
            remaining -= len(ordered) - index
            year += 1
            ordered = self._table(year).ordered
            index = 0
        return ordered[index + remaining - 1]

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days strictly after a and strictly before b."""
        _require_date(a)
        _require_date(b)
        if b <= a:
            return 0
        count = 0
        for year in range(a.year, b.year + 1):
            ordered = self._table(year).ordered
            low = bisect_right(ordered, a) if year == a.year else 0
            high = bisect_left(ordered, b) if year == b.year else len(ordered)
            count += high - low
        return count

    def working_days_through(self, a: date, b: date) -> int:
        """Working days after a up to and including b (0 when b <= a): "还剩 N 个工作日" until a due day b seen
        on day a, or "逾期 N 个工作日" on day b for a due day a."""
        if b <= a:
            return 0
        return self.working_days_between(a, b) + (1 if self.is_working_day(b) else 0)

    # -- moments ----------------------------------------------------------------------------------

    @staticmethod
    def end_of_day(d: date) -> datetime:
        """23:59:59.999999 Asia/Shanghai on d (timezone-aware)."""
        return datetime.combine(_require_date(d), time.max, tzinfo=SHANGHAI)

    def period_end(self, d: date, n: int) -> datetime:
        """When a period of n working days counted from an event on day d ends."""
        return self.end_of_day(self.add_working_days(d, n))

    # -- diagram helpers (script tasks and gateway conditions pass strings) --------------------------

    def working_days_after(self, day: date | datetime | str, n: int) -> str:
        """The end of a period of n working days from `day`, as an ISO 8601 string with +08:00."""
        return self.period_end(coerce_day(day), _require_count(n)).isoformat()

    def is_working_day_helper(self, day: date | datetime | str) -> bool:
        return self.is_working_day(coerce_day(day))

    def script_functions(self) -> dict[str, Callable[..., object]]:
        """The helpers under the names BPMN expressions use."""
        return {"working_days_after": self.working_days_after, "is_working_day": self.is_working_day_helper}


# -- the administrator's import file -----------------------------------------------------------------


class ScheduleInvalid(ValueError):
    """An override file refused: the English message for the CLI and the logs, `code` and `params` (`line`...)
    for a page in the visitor's language (web.engine_messages.schedule_problem)."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def parse_override_csv(text: str) -> list[tuple[date, str]]:
    """Rows of an override file: `date,kind` per line, kind `holiday` or `workday`.

    An optional `date,kind` header, blank lines, surrounding whitespace and a byte-order mark are
    tolerated. Anything else is refused with a ValueError naming the line.
    """
    rows: list[tuple[date, str]] = []
    seen: dict[date, int] = {}
    header_allowed = True
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in next(csv.reader([line]))]
        if header_allowed and [field.lower() for field in fields] == ["date", "kind"]:
            header_allowed = False
            continue
        header_allowed = False
        if len(fields) != 2:
            raise ScheduleInvalid(f"line {number}: expected 2 fields 'date,kind', got {len(fields)}: {line.strip()!r}",
                                  "field_count", line=number, count=len(fields), text=line.strip())
        day_text, kind = fields[0], fields[1].lower()
        try:
            if not _ISO_DAY.fullmatch(day_text):
                raise ValueError
            day = date.fromisoformat(day_text)
        except ValueError:
            raise ScheduleInvalid(f"line {number}: bad date {day_text!r} (expected YYYY-MM-DD)", "bad_date",
                                  line=number, value=day_text) from None
        if kind not in KINDS:
            raise ScheduleInvalid(f"line {number}: unknown kind {fields[1]!r} (expected 'holiday' or 'workday')",
                                  "unknown_kind", line=number, value=fields[1])
        if day in seen:
            raise ScheduleInvalid(f"line {number}: {day_text} is listed twice (first on line {seen[day]})",
                                  "listed_twice", line=number, value=day_text, first=seen[day])
        seen[day] = number
        rows.append((day, kind))
    if not rows:
        raise ScheduleInvalid("empty file: no 'date,kind' rows", "empty")
    return rows


def years_in(rows: Iterable[tuple[date, str]]) -> set[int]:
    """The years an override file speaks about (those it marks as imported)."""
    return {day.year for day, _ in rows}
