"""Annual enforcement statistics (R27: published by 31 January for the previous year).

For a jurisdiction and year, one row per agency: inspections by kind (routine / triggered), on-site vs
non-onsite, joint inspections and the joint rate against the year's target (R19), the non-onsite share
(R20), cap breaches (enterprises visited on site above their credit class's cap, R15/R17), overdue steps,
policy refusals and overrides, complaints with their outcomes (R26) and the enterprises' ratings (R24).
`to_csv` renders the same rows for download. Reads only.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.policy import policy_of
from engine.models import (
    Agency,
    Complaint,
    EnterpriseCreditClass,
    Inspection,
    InspectionRating,
    Jurisdiction,
    PolicyDecision,
    TaskRecord,
)
from engine.models.inspection import NOT_GOING_AHEAD
from engine.platform.clock import SHANGHAI

# The years statistics are asked for: wide enough for any record, narrow enough that a date stays a date.
STATISTICS_YEARS = range(2000, 2101)


@dataclass
class AgencyYear:
    agency_code: str
    agency_name: str
    inspections: int = 0
    routine: int = 0
    triggered: int = 0
    onsite: int = 0
    non_onsite: int = 0
    joint: int = 0
    joint_rate: float | None = None
    non_onsite_share: float | None = None
    cap_breaches: int = 0
    overdue_steps: int = 0
    refusals: int = 0
    overrides: int = 0
    complaints: int = 0
    complaints_substantiated: int = 0
    complaint_outcomes: dict[str, int] = field(default_factory=dict)
    ratings: int = 0
    rating_average: float | None = None


CSV_COLUMNS = list(AgencyYear.__dataclass_fields__)
# The parts `annual_statistics` reads one after another; `progress(phase)` is told as each begins.
PHASES = ("inspections", "overdue_steps", "decisions", "complaints", "ratings")


def annual_statistics(session: Session, *, jurisdiction_code: str, year: int, now: datetime,
                      progress: Callable[[str], None] | None = None) -> dict:
    tell = progress or (lambda phase: None)
    if year not in STATISTICS_YEARS:
        raise ValueError(f"year {year} is outside {STATISTICS_YEARS[0]}–{STATISTICS_YEARS[-1]}")
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if jurisdiction is None:
        raise ValueError(f"no jurisdiction with code {jurisdiction_code!r}")
    policy = policy_of(jurisdiction.policy)
    agencies = list(session.scalars(select(Agency).where(Agency.jurisdiction_id == jurisdiction.id)
                                    .order_by(Agency.code)))
    rows = {agency.id: AgencyYear(agency.code, agency.name) for agency in agencies}
    first, last = date(year, 1, 1), date(year, 12, 31)

    tell("inspections")
    inspections = session.execute(
        select(Inspection.id, Inspection.agency_id, Inspection.enterprise_id, Inspection.trigger, Inspection.mode,
               Inspection.joint_group_id)
        .where(Inspection.agency_id.in_(rows), Inspection.status.not_in(NOT_GOING_AHEAD),
               Inspection.planned_start >= first, Inspection.planned_start <= last)
    ).all()
    classes = dict(session.execute(select(EnterpriseCreditClass.enterprise_id, EnterpriseCreditClass.credit_class)
                                   .where(EnterpriseCreditClass.year == year)).all())
    routine_onsite: Counter[tuple[int, int]] = Counter()
    inspection_agency = {}
    for inspection_id, agency_id, enterprise_id, trigger, mode, joint_group_id in inspections:
        row = rows[agency_id]
        inspection_agency[inspection_id] = agency_id
        row.inspections += 1
        row.routine += trigger == "routine"
        row.triggered += trigger == "triggered"
        row.onsite += mode == "onsite"
        row.non_onsite += mode == "non_onsite"
        row.joint += joint_group_id is not None
        if trigger == "routine" and mode == "onsite":
            routine_onsite[(agency_id, enterprise_id)] += 1
    for (agency_id, enterprise_id), visits in routine_onsite.items():
        cap = policy.cap_for(classes.get(enterprise_id))
        if cap is not None and visits > cap:
            rows[agency_id].cap_breaches += 1

    tell("overdue_steps")
    _overdue_steps(session, agencies, rows, year, now)
    tell("decisions")
    _decisions(session, rows, year)
    tell("complaints")
    _complaints(session, rows, inspection_agency, year)
    tell("ratings")
    _ratings(session, rows, inspection_agency)
    for row in rows.values():
        if row.inspections:
            row.joint_rate = round(row.joint / row.inspections, 4)
            row.non_onsite_share = round(row.non_onsite / row.inspections, 4)
    totals = _totals(list(rows.values()))
    return {"jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name}, "year": year,
            "joint_rate_target": policy.joint_rate_target(year), "agencies": [asdict(r) for r in rows.values()],
            "totals": totals, "generated_at": now.isoformat()}


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (datetime.combine(date(year, 1, 1), time.min, SHANGHAI),
            datetime.combine(date(year + 1, 1, 1), time.min, SHANGHAI))


def _overdue_steps(session: Session, agencies: list[Agency], rows: dict, year: int, now: datetime) -> None:
    """Tasks of the year finished after their due moment, or still open past it. A task names its agency
    by code or name (the instance's `agency` data)."""
    by_label = {label: agency.id for agency in agencies for label in (agency.code, agency.name)}
    start, end = _year_bounds(year)
    tasks = session.execute(select(TaskRecord.agency, TaskRecord.state, TaskRecord.due_at, TaskRecord.completed_at)
                            .where(TaskRecord.agency.in_(by_label), TaskRecord.due_at.is_not(None),
                                   TaskRecord.created_at >= start, TaskRecord.created_at < end)).all()
    for agency_label, state, due_at, completed_at in tasks:
        assert agency_label is not None and due_at is not None  # filtered in the query
        finished_late = state == "completed" and completed_at is not None and completed_at > due_at
        if finished_late or (state == "open" and due_at < now):
            rows[by_label[agency_label]].overdue_steps += 1


def _decisions(session: Session, rows: dict, year: int) -> None:
    start, end = _year_bounds(year)
    for agency_id, outcome in session.execute(
        select(PolicyDecision.agency_id, PolicyDecision.outcome)
        .where(PolicyDecision.agency_id.in_(rows), PolicyDecision.at >= start, PolicyDecision.at < end)
    ):
        if outcome == "refused":
            rows[agency_id].refusals += 1
        elif outcome == "overridden":
            rows[agency_id].overrides += 1


def _complaints(session: Session, rows: dict, inspection_agency: dict, year: int) -> None:
    start, end = _year_bounds(year)
    outcomes: dict[int, Counter] = defaultdict(Counter)
    for inspection_id, substantiated, complaint_outcomes in session.execute(
        select(Complaint.inspection_id, Complaint.substantiated, Complaint.outcomes)
        .where(Complaint.inspection_id.in_(inspection_agency), Complaint.received_at >= start,
               Complaint.received_at < end)
    ):
        agency_id = inspection_agency[inspection_id]
        rows[agency_id].complaints += 1
        rows[agency_id].complaints_substantiated += bool(substantiated)
        outcomes[agency_id].update(complaint_outcomes or [])
    for agency_id, counter in outcomes.items():
        rows[agency_id].complaint_outcomes = dict(sorted(counter.items()))


def _ratings(session: Session, rows: dict, inspection_agency: dict) -> None:
    scores: dict[int, list[int]] = defaultdict(list)
    for inspection_id, score in session.execute(
        select(InspectionRating.inspection_id, InspectionRating.score)
        .where(InspectionRating.inspection_id.in_(inspection_agency))
    ):
        scores[inspection_agency[inspection_id]].append(score)
    for agency_id, values in scores.items():
        rows[agency_id].ratings = len(values)
        rows[agency_id].rating_average = round(sum(values) / len(values), 2)


def _totals(rows: list[AgencyYear]) -> dict:
    counted = ("inspections", "routine", "triggered", "onsite", "non_onsite", "joint", "cap_breaches",
               "overdue_steps", "refusals", "overrides", "complaints", "complaints_substantiated", "ratings")
    totals = {name: sum(getattr(row, name) for row in rows) for name in counted}
    totals["joint_rate"] = round(totals["joint"] / totals["inspections"], 4) if totals["inspections"] else None
    totals["non_onsite_share"] = (round(totals["non_onsite"] / totals["inspections"], 4)
                                  if totals["inspections"] else None)
    return totals


def to_csv(statistics: dict, headers: Mapping[str, str] | None = None) -> str:
    """The agency rows as CSV (UTF-8 with a BOM so that spreadsheet programs show the Chinese names). The header
    row is the column codes unless `headers` words them (the pages pass the visitor's language)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([(headers or {}).get(column, column) for column in CSV_COLUMNS])
    for row in statistics["agencies"]:
        writer.writerow([
            ";".join(f"{k}={v}" for k, v in row[column].items()) if column == "complaint_outcomes"
            else ("" if row[column] is None else row[column])
            for column in CSV_COLUMNS
        ])
    return buffer.getvalue()


def table_lines(statistics: dict) -> list[str]:
    """A plain-text table for the terminal."""
    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    header = (f"{'单位':<16}{'检查':>6}{'例行':>6}{'触发':>6}{'非现场':>7}{'联合率':>8}"
              f"{'超频':>6}{'逾期':>6}{'投诉':>6}{'评价':>6}")
    lines = [f"{statistics['jurisdiction']['name']} {statistics['year']} 年涉企行政检查统计"
             f"（联合检查率目标 {share(statistics['joint_rate_target'])}）", header]
    for row in [*statistics["agencies"], {"agency_name": "合计", **statistics["totals"], "rating_average": None}]:
        lines.append(f"{row['agency_name'][:14]:<16}{row['inspections']:>6}{row['routine']:>6}{row['triggered']:>6}"
                     f"{row['non_onsite']:>7}{share(row['joint_rate']):>8}{row['cap_breaches']:>6}"
                     f"{row['overdue_steps']:>6}{row['complaints']:>6}"
                     f"{'-' if row.get('rating_average') is None else row['rating_average']:>6}")
    return lines
