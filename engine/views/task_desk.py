"""What a task page offers around its form (issue 12 items 2 and 10): whether the viewer may comment, whom an agency
head may assign the task to (指派) and whom its holder may hand it to (转办). The commands in
engine.commands.task_desk check the same rules when the form is sent. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from engine.identity import access
from engine.identity.access import Person
from engine.models import TaskRecord, User


@dataclass(frozen=True)
class Desk:
    may_comment: bool
    assign_to: list[User]  # empty: the viewer does not assign this task
    delegate_to: list[User]  # empty: the viewer does not hand this task on


def _same_seat(person: Person) -> ColumnElement[bool]:
    """Colleagues: the same agency for staff and heads, the same jurisdiction for the county office and
    supervisors."""
    if person.role in access.AGENCY_ROLES:
        return User.role.in_(access.AGENCY_ROLES) & (User.agency == person.agency)
    return User.role.in_(access.JURISDICTION_ROLES) & (User.jurisdiction == person.jurisdiction)


def colleagues(session: Session, person: Person, task: TaskRecord) -> list[User]:
    """The person's active colleagues (themselves excluded) who may work the task (its agency or jurisdiction, its
    lane), by name: whom the task may be handed to."""
    if person.role not in access.WORKING_ROLES or not (person.agency or person.jurisdiction):
        return []
    people = session.scalars(select(User).where(User.active.is_(True), _same_seat(person),
                                                User.username != person.username).order_by(User.username))
    return [user for user in people if access.may_work(session, access.scope_of(session, user), task.id)]


def desk_of(session: Session, person: Person, task: TaskRecord) -> Desk:
    """For a viewer who may work the task (the task page's check)."""
    if task.state != "open":
        return Desk(False, [], [])
    heads_own = person.role == "agency_head" and task.agency == person.agency
    holds = task.assignee in (None, person.username)
    return Desk(person.role in access.WORKING_ROLES, colleagues(session, person, task) if heads_own else [],
                colleagues(session, person, task) if holds else [])


def commentable(session: Session, person: Person, instance_id: int) -> list[TaskRecord]:
    """The instance's open tasks the person may comment on (engine.commands.task_desk.comment's rule), oldest first:
    what the supervisors' instance page offers to comment on."""
    if person.role not in access.WORKING_ROLES:
        return []
    scope = access.scope_of(session, person)
    seen: ColumnElement[bool] = access.visible(scope)
    if access.has_copy(session, scope, instance_id):  # a copy (抄送) opens every step of its case to comment on
        seen = true()
    return list(session.scalars(select(TaskRecord).where(
        TaskRecord.instance_id == instance_id, TaskRecord.state == "open", seen)
        .order_by(TaskRecord.created_at)))
