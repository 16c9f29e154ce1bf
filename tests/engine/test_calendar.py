"""engine.calendar: working days from chinese_calendar, the statutory estimate and overrides.

The expected dates are the official State Council schedules as chinese_calendar 1.11 records them:
2025 — Spring Festival Jan 28–Feb 4 off, Sun Jan 26 and Sat Feb 8 worked; National Day and Mid-Autumn
Oct 1–8 off, Sun Sep 28 and Sat Oct 11 worked. 2026 — New Year Jan 1–3 off, Sun Jan 4 worked; Spring
Festival Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked; Qingming Apr 4–6 off; National Day Oct 1–7
off, Sun Sep 20 and Sat Oct 10 worked.
"""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import holidays
import pytest

from engine.calendar import (
    WorkingCalendar,
    coerce_day,
    parse_override_csv,
    statutory_holidays,
    years_in,
)

CALENDAR = WorkingCalendar()


def test_first_working_day_after_national_day_2026():
    assert CALENDAR.add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)


def test_saturday_make_up_day_after_spring_festival_2026_counts():
    assert date(2026, 2, 27).weekday() == 4
    assert CALENDAR.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert CALENDAR.is_working_day(date(2026, 2, 28))
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CALENDAR.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_spring_festival_2026_days_off():
    for offset in range(9):
        assert not CALENDAR.is_working_day(date(2026, 2, 15) + timedelta(days=offset))
    assert CALENDAR.is_working_day(date(2026, 2, 24))


def test_qingming_2026_monday_off():
    assert not CALENDAR.is_working_day(date(2026, 4, 6))
    assert CALENDAR.add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)


def test_make_up_sunday_2025():
    assert date(2025, 1, 26).weekday() == 6
    assert CALENDAR.is_working_day(date(2025, 1, 26))
    assert CALENDAR.add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert CALENDAR.add_working_days(date(2025, 1, 26), 1) == date(2025, 1, 27)


def test_year_boundary_2025_to_2026():
    assert CALENDAR.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert CALENDAR.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)
    assert CALENDAR.working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 2
    assert not CALENDAR.span_is_estimated(date(2025, 12, 31), date(2026, 1, 5))


def test_period_reaching_into_2027_is_estimated():
    due = CALENDAR.add_working_days(date(2026, 12, 30), 3)
    assert due == date(2027, 1, 5)  # Dec 31; Jan 1 off (estimate); Jan 4, Jan 5
    assert CALENDAR.covers(2026)
    assert not CALENDAR.covers(2027)
    assert CALENDAR.span_is_estimated(date(2026, 12, 30), due)
    assert CALENDAR.is_estimated(due)
    assert not CALENDAR.is_estimated(date(2026, 12, 31))
    assert CALENDAR.uncovered_years_between(date(2026, 12, 30), due) == [2027]


def test_imported_2027_schedule_is_no_longer_estimated_and_wins():
    overrides = {
        date(2027, 1, 1): "holiday",
        date(2027, 1, 4): "holiday",
        date(2027, 1, 9): "workday",
    }
    imported = WorkingCalendar(overrides, imported_years=[2027])
    due = imported.add_working_days(date(2026, 12, 30), 3)
    assert due == date(2027, 1, 6)  # Dec 31; Jan 5, Jan 6
    assert imported.covers(2027)
    assert not imported.span_is_estimated(date(2026, 12, 30), due)
    assert imported.is_working_day(date(2027, 1, 9))
    assert imported.period_end(date(2026, 12, 30), 3).isoformat() == "2027-01-06T23:59:59.999999+08:00"


def test_overrides_alone_do_not_mark_a_year_covered():
    calendar = WorkingCalendar({date(2027, 1, 4): "holiday"})
    assert not calendar.covers(2027)
    assert not calendar.is_working_day(date(2027, 1, 4))


def test_estimate_2027_spring_festival_and_national_day():
    assert not CALENDAR.is_working_day(date(2027, 2, 5))  # Friday, lunar New Year's Eve
    assert not CALENDAR.is_working_day(date(2027, 2, 8))  # Monday, 3rd of the first lunar month
    assert CALENDAR.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 9)
    for day in (1, 2, 3):
        assert date(2027, 10, day) in statutory_holidays(2027)
    assert not CALENDAR.is_working_day(date(2027, 10, 1))  # Friday
    assert CALENDAR.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)


def test_estimate_has_the_thirteen_statutory_days_of_2027():
    assert statutory_holidays(2027) == {
        date(2027, 1, 1),
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
        date(2027, 4, 5),
        date(2027, 5, 1), date(2027, 5, 2),
        date(2027, 6, 9),
        date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
    }  # fmt: skip


@pytest.mark.parametrize("year", [2025, 2026])
def test_estimated_statutory_days_are_official_days_off(year):
    estimate = statutory_holidays(year)
    assert len(estimate) == 13
    assert all(not chinese_calendar.is_workday(day) for day in estimate)


@pytest.mark.parametrize("year", [2035, 2036, 2037])
def test_estimate_matches_holidays_package_public_output(year):
    # Years for which holidays has no announced schedule, so China() lists exactly the statutory days.
    assert statutory_holidays(year) == set(holidays.China(years=year, observed=False))


def test_estimate_has_no_make_up_days():
    assert not CALENDAR.is_working_day(date(2027, 2, 13))  # a Saturday after Spring Festival


def test_working_days_between_across_national_day_week_2026():
    assert CALENDAR.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 1
    assert CALENDAR.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 5
    assert CALENDAR.working_days_between(date(2026, 10, 1), date(2026, 10, 8)) == 0
    assert CALENDAR.working_days_between(date(2026, 10, 8), date(2026, 10, 9)) == 0
    assert CALENDAR.working_days_between(date(2026, 10, 9), date(2026, 10, 8)) == 0


def test_notice_of_five_working_days_before_an_inspection():
    inspection = date(2026, 10, 12)
    assert CALENDAR.working_days_between(date(2026, 9, 28), inspection) >= 5
    assert CALENDAR.working_days_between(date(2026, 9, 29), inspection) < 5
    ordinary = date(2026, 3, 16)  # Monday: notice given by the Friday (or weekend) before last is enough
    assert CALENDAR.working_days_between(date(2026, 3, 5), ordinary) == 6
    assert CALENDAR.working_days_between(date(2026, 3, 6), ordinary) == 5
    assert CALENDAR.working_days_between(date(2026, 3, 8), ordinary) == 5
    assert CALENDAR.working_days_between(date(2026, 3, 9), ordinary) == 4


def test_counting_agrees_with_day_by_day_walk_across_a_year_end():
    start = date(2026, 9, 1)
    working = [
        day
        for day in (start + timedelta(days=offset) for offset in range(1, 400))
        if CALENDAR.is_working_day(day)
    ]
    for n in (1, 2, 17, 80, len(working)):
        assert CALENDAR.add_working_days(start, n) == working[n - 1]
    end = start + timedelta(days=399)
    assert CALENDAR.working_days_between(start, end) == len([d for d in working if d < end])


def test_overrides_win_over_chinese_calendar():
    calendar = WorkingCalendar({date(2026, 10, 8): "holiday", date(2026, 10, 4): "workday"})
    assert not calendar.is_working_day(date(2026, 10, 8))
    assert calendar.is_working_day(date(2026, 10, 4))
    assert calendar.add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 4)
    assert calendar.add_working_days(date(2026, 10, 5), 1) == date(2026, 10, 9)
    assert CALENDAR.add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)


def test_covers_the_package_range_only():
    assert CALENDAR.covers(2004)
    assert CALENDAR.covers(2026)
    assert not CALENDAR.covers(2003)
    assert not CALENDAR.covers(2027)
    assert CALENDAR.uncovered_years_between(date(2026, 6, 1), date(2029, 1, 1)) == [2027, 2028, 2029]


def test_end_of_day_and_period_end_are_shanghai_moments():
    end = CALENDAR.end_of_day(date(2026, 10, 8))
    assert end.utcoffset() == timedelta(hours=8)
    assert end.astimezone(UTC) == datetime(2026, 10, 8, 15, 59, 59, 999999, tzinfo=UTC)
    assert CALENDAR.period_end(date(2026, 10, 1), 1) == end


def test_working_days_after_returns_iso_string():
    assert CALENDAR.working_days_after(date(2026, 10, 1), 1) == "2026-10-08T23:59:59.999999+08:00"
    assert CALENDAR.working_days_after("2026-10-01", 1) == "2026-10-08T23:59:59.999999+08:00"
    assert CALENDAR.working_days_after(" 2026-02-27 ", 1) == "2026-02-28T23:59:59.999999+08:00"


def test_working_days_after_uses_the_shanghai_date_of_a_moment():
    late_utc = datetime(2026, 2, 27, 17, 0, tzinfo=UTC)  # already Sat Feb 28, 01:00 in Shanghai
    assert coerce_day(late_utc) == date(2026, 2, 28)
    assert CALENDAR.working_days_after(late_utc, 1) == "2026-03-02T23:59:59.999999+08:00"
    assert CALENDAR.working_days_after("2026-02-27T17:00:00Z", 1) == "2026-03-02T23:59:59.999999+08:00"
    assert CALENDAR.working_days_after("2026-02-27T23:30:00", 1) == "2026-02-28T23:59:59.999999+08:00"
    assert CALENDAR.working_days_after(datetime(2026, 2, 27, 23, 30), 1) == "2026-02-28T23:59:59.999999+08:00"


def test_is_working_day_helper_coerces_input():
    assert CALENDAR.is_working_day_helper("2026-02-28") is True
    assert CALENDAR.is_working_day_helper("2026-10-07") is False
    assert CALENDAR.is_working_day_helper(datetime(2026, 10, 7, 16, 30, tzinfo=UTC)) is True
    functions = CALENDAR.script_functions()
    assert functions["is_working_day"]("2026-10-08") is True
    assert functions["working_days_after"]("2026-10-01", 1) == "2026-10-08T23:59:59.999999+08:00"


@pytest.mark.parametrize("n", [0, -3])
def test_add_working_days_refuses_counts_below_one(n):
    with pytest.raises(ValueError, match=rf"whole number >= 1, got {n}"):
        CALENDAR.add_working_days(date(2026, 10, 1), n)
    with pytest.raises(ValueError, match=rf"got {n}"):
        CALENDAR.working_days_after("2026-10-01", n)


@pytest.mark.parametrize("n", ["5", 2.0, True])
def test_add_working_days_refuses_non_integers(n):
    with pytest.raises(ValueError, match="whole number"):
        CALENDAR.add_working_days(date(2026, 10, 1), n)


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "", "2026-02-30T10:00", None, 20261001])
def test_helpers_name_the_bad_value(bad):
    with pytest.raises(ValueError) as excinfo:
        CALENDAR.working_days_after(bad, 1)
    assert repr(bad) in str(excinfo.value)
    with pytest.raises(ValueError, match="not a date"):
        CALENDAR.is_working_day_helper(bad)


def test_core_methods_refuse_datetimes():
    with pytest.raises(TypeError, match="expected a date"):
        CALENDAR.is_working_day(datetime(2026, 10, 8, 9, 0))


def test_constructor_refuses_unknown_override_kind():
    with pytest.raises(ValueError, match="2026-10-08.*'day off'"):
        WorkingCalendar({date(2026, 10, 8): "day off"})


# -- parse_override_csv -------------------------------------------------------------------------------


def test_parse_override_csv_accepts_header_bom_blank_lines_and_whitespace():
    text = "\ufeffdate,kind\r\n\r\n 2027-01-01 , holiday \r\n2027-02-20,workday\r\n\r\n2028-01-01,HOLIDAY\n"
    rows = parse_override_csv(text)
    assert rows == [
        (date(2027, 1, 1), "holiday"),
        (date(2027, 2, 20), "workday"),
        (date(2028, 1, 1), "holiday"),
    ]
    assert years_in(rows) == {2027, 2028}
    calendar = WorkingCalendar(dict(rows), imported_years=years_in(rows))
    assert calendar.is_working_day(date(2027, 2, 20))


def test_parse_override_csv_without_header():
    assert parse_override_csv("2027-10-04,holiday") == [(date(2027, 10, 4), "holiday")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,kind\n2027-02-30,holiday\n", r"line 2: bad date '2027-02-30'"),
        ("2027/01/01,holiday\n", r"line 1: bad date '2027/01/01'"),
        ("2027-01-01,holiday\ndate,kind\n", r"line 2: bad date 'date'"),
        ("date,kind\n\n2027-01-01,vacation\n", r"line 3: unknown kind 'vacation'"),
        ("2027-01-01,holiday\n2027-01-02,holiday\n2027-01-01,workday\n", r"line 3: .*twice.*line 1"),
        ("2027-01-01\n", r"line 1: expected 2 fields"),
        ("2027-01-01,holiday,extra\n", r"line 1: expected 2 fields"),
        ("", r"empty file"),
        ("\ufeffdate,kind\n\n  \n", r"empty file"),
    ],
)
def test_parse_override_csv_refuses_bad_files(text, message):
    with pytest.raises(ValueError, match=message):
        parse_override_csv(text)


def test_working_days_through_counts_up_to_and_including_the_later_day():
    calendar = WorkingCalendar()
    # From 2026-09-30 to a due day of 2026-10-09: Oct 8 and 9 (the National Day week is off).
    assert calendar.working_days_through(date(2026, 9, 30), date(2026, 10, 9)) == 2
    # Seen on Sunday 10-11 for a due day of Friday 10-09: Saturday 10-10 is a make-up working day.
    assert calendar.working_days_through(date(2026, 10, 9), date(2026, 10, 11)) == 1
    assert calendar.working_days_through(date(2026, 10, 9), date(2026, 10, 9)) == 0
