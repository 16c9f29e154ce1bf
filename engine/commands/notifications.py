"""A user's own reminders: marking them read and choosing their channels (issue 12 item 7).

Only the notification's own user marks it: another user's, whatever the caller's role, is NotificationNotFound like
one that does not exist, so that no caller learns which ids are someone else's. Only the user sets their
channels. Each change is audited in the unit of work that makes it. The webhook URL is checked against SSRF here
(engine.platform.outbound), with the deployment's `allow_private`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.models import Notification, NotificationChannels
from engine.platform import audit
from engine.platform.db import affected_rows
from engine.platform.outbound import Unsafe, check_email, check_webhook_url


class NotificationNotFound(LookupError):
    """No such notification of the caller's (none with the id, or someone else's)."""


class ChannelsInvalid(ValueError):
    """`errors`: field name → reason code ("email_invalid", "email_missing", "url_scheme", "url_private" …)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {reason}" for name, reason in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Channels:
    email: str | None
    email_on: bool
    webhook_url: str | None
    webhook_on: bool


def _own(work: Work, actor: Actor, notification_id: int) -> Notification:
    notification = work.session.get(Notification, notification_id)
    if notification is None or notification.username != actor.username:
        raise NotificationNotFound(notification_id)
    return notification


def mark_read(work: Work, actor: Actor, notification_id: int) -> Notification:
    notification = _own(work, actor, notification_id)
    if notification.read_at is None:
        notification.read_at = work.now()
        audit.record(work.session, at=work.now(), actor=actor.username, action="notification.read",
                     instance_id=notification.instance_id, task_id=notification.task_id,
                     after={"notification_id": notification.id})
        work.session.flush()
    return notification


def mark_all_read(work: Work, actor: Actor) -> int:
    """How many of the actor's unread notifications were marked."""
    marked = affected_rows(work.session.execute(
        update(Notification).where(Notification.username == actor.username, Notification.read_at.is_(None))
        .values(read_at=work.now())))
    if marked:
        audit.record(work.session, at=work.now(), actor=actor.username, action="notification.read_all",
                     after={"count": marked})
    return marked


def set_channels(work: Work, actor: Actor, wanted: Channels, *, allow_private: bool) -> NotificationChannels:
    """Save the actor's channels; ChannelsInvalid names each refused field. A channel switched on needs its
    address; an address is kept (checked) while its channel is off."""
    errors: dict[str, str] = {}
    email = webhook_url = None
    try:
        email = check_email(wanted.email) if wanted.email else None
    except Unsafe as refused:
        errors["email"] = refused.reason
    try:
        webhook_url = check_webhook_url(wanted.webhook_url, allow_private=allow_private) if wanted.webhook_url \
            else None
    except Unsafe as refused:
        errors["webhook_url"] = refused.reason
    if wanted.email_on and not wanted.email and "email" not in errors:
        errors["email"] = "email_missing"
    if wanted.webhook_on and not wanted.webhook_url and "webhook_url" not in errors:
        errors["webhook_url"] = "url_missing"
    if errors:
        raise ChannelsInvalid(errors)
    row = work.session.get(NotificationChannels, actor.username)
    if row is None:
        row = NotificationChannels(username=actor.username, email_on=False, webhook_on=False)
        work.session.add(row)
    before = {"email": row.email, "email_on": row.email_on, "webhook_url": row.webhook_url,
              "webhook_on": row.webhook_on}
    row.email, row.email_on = email, wanted.email_on
    row.webhook_url, row.webhook_on = webhook_url, wanted.webhook_on
    row.updated_at = work.now()
    audit.record(work.session, at=work.now(), actor=actor.username, action="notification.channels",
                 before=before, after={"email": email, "email_on": wanted.email_on, "webhook_url": webhook_url,
                                       "webhook_on": wanted.webhook_on})
    work.session.flush()
    return row
