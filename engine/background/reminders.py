"""Which reminders are due to whom (提醒, issue 12 item 7), created once each.

Four kinds, all read from indexed rows, never from workflows:
- `new_task`: an open task created since the last pass, in a lane the user works and within their agency or
  jurisdiction (engine.identity.access `workable`), unclaimed or claimed by them;
- `due_tomorrow`: an open task of theirs (same rule) due on the next working day (the calendar's; a Friday's
  "tomorrow" is Monday), after today;
- `overdue`: an open task of theirs whose due moment passed since the last pass;
- `case_moved`: a step of an instance the user started was completed or its timer fired (audit rows since the
  last pass), by someone else;
- `case_copied`: a completed step copied its case to the user (抄送: its `case.copied` audit row is since the last
  pass and the copy reaches the user, engine.identity.access `copied_to`), unless they completed it themselves.
Each candidate carries a `dedupe_key` (kind, task or instance, and the due day or the audit row), unique per
user: creating is `INSERT … ON CONFLICT DO NOTHING`, so a second pass, or a second runner racing this one,
creates nothing twice. A notification's delivery rows are made with it, for the outside channels the user has
on at that moment. The caller owns the transaction; the watermark (NotificationScan) moves in the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.identity.access import WORKING_ROLES, copied_to, scope_of, workable
from engine.models import (
    AuditEntry,
    CaseCopy,
    Notification,
    NotificationChannels,
    NotificationDelivery,
    NotificationScan,
    ProcessInstance,
    ProcessVersion,
    TaskRecord,
    User,
)
from engine.platform.clock import SHANGHAI
from engine.platform.db import is_postgresql

FIRST_LOOKBACK = timedelta(days=1)  # what the very first pass treats as new
MOVING_ACTIONS = ("task.completed", "timer.fired")
SCAN_ROW = 1


@dataclass(frozen=True)
class Candidate:
    username: str
    kind: str
    dedupe_key: str
    text: str
    task_id: str | None = None
    instance_id: int | None = None


def _case(task: TaskRecord) -> str:
    return task.business_key or f"案件 #{task.instance_id}"


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _mine(user: User) -> ColumnElement[bool]:
    return or_(TaskRecord.assignee.is_(None), TaskRecord.assignee == user.username)


def task_candidates(session: Session, user: User, calendar: WorkingCalendar, now: datetime,
                    since: datetime) -> list[Candidate]:
    scope = scope_of(session, user)
    base = select(TaskRecord).where(TaskRecord.state == "open", workable(scope), _mine(user))
    found: list[Candidate] = []
    for task in session.scalars(base.where(TaskRecord.created_at >= since)):
        found.append(Candidate(user.username, "new_task", f"new_task:{task.id}",
                               f"新任务：「{task.name}」（{_case(task)}）已到您的岗位待办。", task.id,
                               task.instance_id))
    today = now.astimezone(SHANGHAI).date()
    tomorrow_ends = calendar.end_of_day(calendar.add_working_days(today, 1))
    due_soon = base.where(TaskRecord.due_at > calendar.end_of_day(today), TaskRecord.due_at <= tomorrow_ends)
    for task in session.scalars(due_soon):
        assert task.due_at is not None
        found.append(Candidate(user.username, "due_tomorrow", f"due_tomorrow:{task.id}:{task.due_at.isoformat()}",
                               f"即将到期：「{task.name}」（{_case(task)}）的办理期限是下一个工作日 "
                               f"{_local(task.due_at)}。", task.id, task.instance_id))
    for task in session.scalars(base.where(TaskRecord.due_at > since, TaskRecord.due_at <= now)):
        assert task.due_at is not None
        found.append(Candidate(user.username, "overdue", f"overdue:{task.id}:{task.due_at.isoformat()}",
                               f"已逾期：「{task.name}」（{_case(task)}）的办理期限 {_local(task.due_at)} 已过。",
                               task.id, task.instance_id))
    return found


def moved_candidates(session: Session, users: dict[str, User], moved: ColumnElement[bool]) -> list[Candidate]:
    """Steps of instances started by one of `users`, taken by someone else, in the audit rows `moved` selects."""
    rows = session.execute(
        select(AuditEntry, ProcessInstance, ProcessVersion.name)
        .join(ProcessInstance, ProcessInstance.id == AuditEntry.instance_id)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(moved, AuditEntry.action.in_(MOVING_ACTIONS), ProcessInstance.started_by.in_(list(users)),
               AuditEntry.actor != ProcessInstance.started_by)
        .order_by(AuditEntry.id))
    found = []
    for entry, instance, process_name in rows:
        case = f"{process_name}（{instance.business_key or f'#{instance.id}'}）"
        if entry.action == "task.completed":
            task = session.get(TaskRecord, entry.task_id) if entry.task_id else None
            step = task.name if task else (entry.before or {}).get("element_id", "")
            what = f"「{step}」已由 {entry.actor} 办结"
        else:  # a timer has no name a reader knows: say what it did
            what = "一个期限已到，流程已自动推进"
        found.append(Candidate(instance.started_by, "case_moved", f"case_moved:{instance.id}:{entry.id}",
                               f"您发起的{case}有新进展：{what}。", entry.task_id, instance.id))
    return found


def copy_candidates(session: Session, users: dict[str, User], moved: ColumnElement[bool]) -> list[Candidate]:
    """Copies (抄送) made by the `case.copied` audit rows `moved` selects, for each user they reach."""
    copying = select(AuditEntry.task_id).where(moved, AuditEntry.action == "case.copied")
    found = []
    for user in users.values():
        rows = session.execute(
            select(CaseCopy, ProcessInstance, ProcessVersion.name)
            .join(ProcessInstance, ProcessInstance.id == CaseCopy.instance_id)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(CaseCopy.task_id.in_(copying), copied_to(scope_of(session, user)),
                   CaseCopy.copied_by != user.username)
            .order_by(CaseCopy.id))
        for row, instance, process_name in rows:
            case = f"{process_name}（{instance.business_key or f'#{instance.id}'}）"
            found.append(Candidate(user.username, "case_copied", f"case_copied:{row.task_id}",
                                   f"抄送给您：{case}的「{row.step_name}」已由 {row.copied_by} 办结，请知悉。",
                                   None, instance.id))
    return found


def _insert(session: Session):
    return postgresql.insert(Notification) if is_postgresql(session) else sqlite.insert(Notification)


def create(session: Session, candidate: Candidate, now: datetime, *, email_enabled: bool) -> bool:
    """Insert the notification unless it exists; with its delivery rows. True when it was new."""
    statement = _insert(session).values(
        username=candidate.username, kind=candidate.kind, dedupe_key=candidate.dedupe_key, task_id=candidate.task_id,
        instance_id=candidate.instance_id, text=candidate.text, created_at=now,
    ).on_conflict_do_nothing(index_elements=["username", "dedupe_key"]).returning(Notification.id)
    notification_id = session.scalar(statement)
    if notification_id is None:
        return False
    channels = session.get(NotificationChannels, candidate.username)
    if channels is not None:
        if email_enabled and channels.email_on and channels.email:
            session.add(NotificationDelivery(notification_id=notification_id, channel="email", target=channels.email))
        if channels.webhook_on and channels.webhook_url:
            session.add(NotificationDelivery(notification_id=notification_id, channel="webhook",
                                             target=channels.webhook_url))
    return True


def generate(session: Session, calendar: WorkingCalendar, now: datetime, *, email_enabled: bool) -> int:
    """Create every reminder due as of `now` that does not exist yet; returns how many were created."""
    scan = session.get(NotificationScan, SCAN_ROW)
    newest_audit = session.scalar(select(func.max(AuditEntry.id))) or 0
    if scan is None:
        since = now - FIRST_LOOKBACK
        moved = AuditEntry.at >= since  # once: later passes go by id (audit ids grow with time)
    else:
        since = scan.scanned_at
        moved = and_(AuditEntry.id > scan.audit_id, AuditEntry.id <= newest_audit)
    users = {user.username: user for user in session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(WORKING_ROLES)))}
    candidates = [found for user in users.values() for found in task_candidates(session, user, calendar, now, since)]
    starters = {user.username: user for user in session.scalars(select(User).where(User.active.is_(True)))}
    candidates += moved_candidates(session, starters, moved)
    candidates += copy_candidates(session, users, moved)
    existing = set(session.execute(select(Notification.username, Notification.dedupe_key).where(
        Notification.dedupe_key.in_({c.dedupe_key for c in candidates})))) if candidates else set()
    created = sum(create(session, c, now, email_enabled=email_enabled) for c in candidates
                  if (c.username, c.dedupe_key) not in existing)
    if scan is None:
        session.add(NotificationScan(id=SCAN_ROW, audit_id=newest_audit, scanned_at=now))
    else:
        scan.audit_id, scan.scanned_at = max(scan.audit_id, newest_audit), max(scan.scanned_at, now)
    session.flush()
    return created
