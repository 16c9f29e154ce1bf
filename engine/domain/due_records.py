"""One source for deadlines (issue 11 defect 7): the policy's figures feed the diagrams' timers, and the timers'
due moments feed the records people read.

- `figures_for` gives the runtime the working-day figures of the policy in force for an instance's jurisdiction;
  the runtime stamps them into the start data as `deadline_days`, and every timer of the shipped diagrams counts
  with them (processes/bpmn/README.md, "Deadlines and escalation").
- `copy_due_moments` is told of every timer that starts waiting or moves (a provisional date recomputed after a
  calendar import) and writes its due moment to the record that promises it: the complaint's acceptance and reply
  deadlines (the portal's tracking page, R26), the penalty's revisit deadline (R25), the quiet-period override's
  filing deadline (R11). So the page shows exactly the moment the timer fires at.

Runs inside the step's transaction; writes only the due fields (the records' status and acts are the steps' own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.policy import deadline_figures, default_policy, policy_of
from engine.models import Complaint, Jurisdiction, Penalty, QuietPeriodOverride
from engine.runtime.mirror import WaitingTimer


def figures_for(session: Session, jurisdiction_id: int | None) -> dict[str, int]:
    """The figures of the policy in force for the jurisdiction (the defaults when the instance has none)."""
    jurisdiction = session.get(Jurisdiction, jurisdiction_id) if jurisdiction_id is not None else None
    return deadline_figures(policy_of(jurisdiction.policy) if jurisdiction is not None else default_policy())


def _complaint_field(name: str) -> Callable[[Session, dict, datetime], None]:
    def write(session: Session, data: dict, due: datetime) -> None:
        complaint_id = data.get("complaint_id")
        complaint = session.get(Complaint, complaint_id) if isinstance(complaint_id, int) else None
        if complaint is not None:
            setattr(complaint, name, due)
    return write


def _penalty_revisit(session: Session, data: dict, due: datetime) -> None:
    number = data.get("penalty_decision_no")
    penalty = session.scalar(select(Penalty).where(Penalty.decision_number == number)) \
        if isinstance(number, str) else None
    if penalty is not None:
        penalty.revisit_due_at = due


def _override_filing(session: Session, data: dict, due: datetime) -> None:
    override_id = data.get("override_id")
    override = session.get(QuietPeriodOverride, override_id) if isinstance(override_id, int) else None
    if override is not None:
        override.filing_due_at = due


# (process id, timer element id) → the record field that shows the timer's due moment.
DUE_FIELDS: dict[tuple[str, str], Callable[[Session, dict, datetime], None]] = {
    ("complaint_correction", "Timer_accept_deadline"): _complaint_field("accept_due_at"),
    ("complaint_correction", "Timer_reply_deadline"): _complaint_field("reply_due_at"),
    ("penalty_revisit", "Timer_revisit_deadline"): _penalty_revisit,
    ("quiet_period_override", "Timer_filing_deadline"): _override_filing,
}


def copy_due_moments(session: Session, workflow, timers: Iterable[WaitingTimer]) -> None:
    """Runtime.due_listeners: the records follow the timers that started waiting or moved."""
    for timer in timers:
        task = workflow.get_task_from_id(UUID(timer.id))
        if task is None:
            continue
        write = DUE_FIELDS.get((task.workflow.spec.name, timer.element_id))
        if write is not None:
            write(session, task.data, timer.due_at)
