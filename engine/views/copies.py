"""抄送 (the inbox's fourth tab, issue 12 item 4): the cases copied to the user — a group they work, within their
agency or jurisdiction (engine.identity.access.copied_to) — newest first, one line per step that sent it, each with
where its case stands now (engine.views.case_status) and whether the user has opened it since; and one copied case
as its read-only page shows it (`copied_case`). Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.identity.access import NotPermitted, Person, copied_to, scope_of
from engine.models import CaseCopy, CaseCopyRead, TaskRecord
from engine.runtime import Runtime, instances
from engine.views.case_sections import case_sections
from engine.views.case_status import CaseNow, cases_of
from engine.views.instances import InstanceSteps, instance_steps


@dataclass(frozen=True)
class CopiedCase:
    copy: CaseCopy  # the step that sent it, when and by whom (one of its groups' rows)
    case: CaseNow
    unread: bool  # not opened by the user since this copy was made


def _unread(username: str):
    read = and_(CaseCopyRead.instance_id == CaseCopy.instance_id, CaseCopyRead.username == username)
    return read, or_(CaseCopyRead.read_at.is_(None), CaseCopyRead.read_at < CaseCopy.copied_at)


def _received(session: Session, user: Person):
    """The copies that reached the user, but for those of their own steps (a step's sender knows it already)."""
    return and_(copied_to(scope_of(session, user)), CaseCopy.copied_by != user.username)


def copies_for(session: Session, user: Person, *, unread_only: bool = False, limit: int = 200) -> list[CopiedCase]:
    """The cases copied to the user, newest copy first; a step that copied to two of the user's groups is one line,
    and a copy stays read once opened (a later step's copy of the same case is unread)."""
    read, unread = _unread(user.username)
    query = (select(CaseCopy, unread).outerjoin(CaseCopyRead, read).where(_received(session, user))
             .order_by(CaseCopy.copied_at.desc(), CaseCopy.id.desc()))
    if unread_only:
        query = query.where(unread)
    found: dict[str, tuple[CaseCopy, bool]] = {}
    for row, is_unread in session.execute(query.limit(limit * 2)):
        found.setdefault(row.task_id, (row, bool(is_unread)))
    picked = list(found.values())[:limit]
    now_of = cases_of(session, {row.instance_id for row, _ in picked})
    return [CopiedCase(row, now_of[row.instance_id], is_unread) for row, is_unread in picked]


def unread_count(session: Session, user: Person) -> int:
    """How many steps' copies the user has not opened (the tab's badge)."""
    read, unread = _unread(user.username)
    return session.scalar(select(func.count(func.distinct(CaseCopy.task_id))).select_from(CaseCopy)
                          .outerjoin(CaseCopyRead, read).where(_received(session, user), unread)) or 0


def copies_of_case(session: Session, user: Person, instance_id: int) -> list[CaseCopy]:
    """The copies of one case that reached the user, one per step that sent it, newest first."""
    found: dict[str, CaseCopy] = {}
    for row in session.scalars(select(CaseCopy).where(CaseCopy.instance_id == instance_id,
                                                      copied_to(scope_of(session, user)))
                               .order_by(CaseCopy.copied_at.desc(), CaseCopy.id.desc())):
        found.setdefault(row.task_id, row)
    return list(found.values())


@dataclass(frozen=True)
class CopiedCaseView:
    case: CaseNow
    copies: list[CaseCopy]  # the steps that sent it to the user, newest first
    sections: list[tuple[str, Any]]  # engine.views.case_sections, as the newest sending step left the case
    steps: InstanceSteps


def copied_case(session: Session, runtime: Runtime, user: Person, instance_id: int,
                today: date) -> CopiedCaseView | None:
    """The copied case (None when there is no such instance), or NotPermitted when it was not copied to the user."""
    found = cases_of(session, {instance_id})
    if instance_id not in found:
        return None
    copies = copies_of_case(session, user, instance_id)
    if not copies:
        raise NotPermitted("not_copied", f"case {instance_id} was not copied to you", instance_id=instance_id)
    sender = session.get(TaskRecord, copies[0].task_id)
    sections = case_sections(session, runtime, sender, instances.completed_data(runtime, session, sender.id), today,
                             None) if sender is not None else []
    return CopiedCaseView(found[instance_id], copies, sections, instance_steps(session, scope_of(session, user),
                                                                              instance_id))
