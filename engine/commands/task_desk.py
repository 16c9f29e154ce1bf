"""Comment on, assign and delegate a task (issue 12 items 2 and 10): acts around a task that do not complete it.

- **comment**: whoever may work the task or supervises it (staff and heads of its agency or joint inspection,
  the county office and supervisors of its jurisdiction: engine.identity.access `visible`, working roles only),
  and whoever received a copy of its case (抄送);
  administrators and process owners read the case but do not take part in it.
- **assign** (指派): an agency head hands an open task of their own agency to a named colleague: an active
  account of the same agency whose role works the task's lane.
- **delegate** (转办): whoever holds the task (its assignee; anyone who may work it while nobody holds it) hands it
  to a colleague who may work it (same agency, or same jurisdiction for the county office and supervisors),
  with a reason.

Each writes one audit row (task.commented / task.assigned / task.delegated) in the same session as its change.
Text is capped and may not hold control characters (other than line breaks), so the timeline shows what was typed.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import update

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.identity import access
from engine.identity.access import NotPermitted
from engine.models import TaskComment, TaskRecord, User
from engine.models.task_comment import COMMENT_LENGTH
from engine.platform import audit
from engine.runtime import InvalidTaskData, TaskNotFound, TaskNotOpen
from engine.views.task_desk import colleagues

REASON_LENGTH = 200


def clean_text(value: object, *, field: str, limit: int) -> str:
    """The text trimmed, with Windows line breaks made plain; InvalidTaskData when empty, too long or holding
    control characters."""
    text = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidTaskData(f"{field} is required", fields={field: "required"},
                              problems={field: {"code": "required", "params": {}}})
    if len(text) > limit:
        raise InvalidTaskData(f"{field} is longer than {limit} characters", fields={field: f"at most {limit}"},
                              problems={field: {"code": "too_long", "params": {"limit": limit}}})
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") and char not in "\n\t" for char in text):
        raise InvalidTaskData(f"{field} holds control characters", fields={field: "control characters"},
                              problems={field: {"code": "control_characters", "params": {}}})
    return text


def _open_task(work: Work, scope: access.Scope, task_id: str, *, work_it: bool, copies: bool = False) -> TaskRecord:
    task = access.task_for(work.session, scope, task_id, work=work_it, copies=copies)
    if task is None:
        raise TaskNotFound(f"task {task_id} does not exist", task_id=task_id)
    if task.state != "open":
        raise TaskNotOpen(f"task '{task.name}' was already {task.state}", task_id=task_id, state=task.state,
                          completed_by=task.completed_by, reason="closed", name=task.name,
                          completed_at=task.completed_at.isoformat() if task.completed_at else None)
    return task


def comment(work: Work, actor: Actor, task_id: str, text: object) -> TaskComment:
    if actor.role not in access.WORKING_ROLES:
        raise NotPermitted("role", f"the role {actor.role} does not comment on tasks", role=actor.role)
    task = _open_task(work, access.scope_of(work.session, actor), task_id, work_it=False, copies=True)
    written = TaskComment(task_id=task.id, instance_id=task.instance_id, author=actor.username,
                          text=clean_text(text, field="text", limit=COMMENT_LENGTH), created_at=work.now())
    work.session.add(written)
    work.session.flush()
    audit.record(work.session, at=written.created_at, actor=actor.username, action="task.commented",
                 instance_id=task.instance_id, task_id=task.id,
                 after={"element_id": task.element_id, "comment_id": written.id, "text": written.text})
    return written


def _colleague(work: Work, actor: Actor, task: TaskRecord, username: object) -> User:
    """The colleague named; NotPermitted otherwise (an unknown name and an ineligible one are refused alike)."""
    for user in colleagues(work.session, actor, task):
        if user.username == username:
            return user
    raise NotPermitted("not_a_colleague", f"{str(username)[:80]!r} is no active colleague of yours who works this "
                       "task", username=str(username)[:80], task_id=task.id)


def _hand_over(work: Work, actor: Actor, task: TaskRecord, to: User, action: str, **recorded: str) -> TaskRecord:
    before = task.assignee
    work.session.execute(update(TaskRecord).where(TaskRecord.id == task.id).values(assignee=to.username))
    audit.record(work.session, at=work.now(), actor=actor.username, action=action, instance_id=task.instance_id,
                 task_id=task.id, before={"assignee": before},
                 after={"element_id": task.element_id, "assignee": to.username, **recorded})
    work.session.refresh(task)
    return task


def assign(work: Work, actor: Actor, task_id: str, username: object) -> TaskRecord:
    if actor.role != "agency_head":
        raise NotPermitted("role", "only an agency head assigns tasks", role=actor.role)
    task = _open_task(work, access.scope_of(work.session, actor), task_id, work_it=False)
    if task.agency != actor.agency:  # a joint inspection's other agencies assign their own
        raise NotPermitted("agency_not_yours", f"task {task_id} belongs to agency {task.agency}", task_id=task_id)
    return _hand_over(work, actor, task, _colleague(work, actor, task, username), "task.assigned")


def delegate(work: Work, actor: Actor, task_id: str, username: object, reason: object) -> TaskRecord:
    scope = access.scope_of(work.session, actor)
    task = _open_task(work, scope, task_id, work_it=True)
    if task.assignee not in (None, actor.username):
        raise NotPermitted("not_holder", f"task {task_id} is held by {task.assignee}", task_id=task_id,
                           assignee=task.assignee)
    why = clean_text(reason, field="reason", limit=REASON_LENGTH)
    return _hand_over(work, actor, task, _colleague(work, actor, task, username), "task.delegated", reason=why)
