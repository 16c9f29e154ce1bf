"""Sending reminders to the outside channels: e-mail over SMTP and a webhook that receives JSON (issue 12 item 7).

The webhook body is `{"msgtype": "text", "text": {"content": …}, "inspectflow": {…}}`: the text message both
钉钉 and 企业微信 group robots accept as it is, plus the notification's own fields for a county's own gateway.

Never twice: each delivery row is claimed in its own committed transaction before it is sent (`attempts` + 1,
compare-and-set on the attempts it was read with, so of two runners only one claims it) and marked `sent_at`
right after; a sent row is never selected again. A failure (refused connection, timeout, an HTTP error or a
robot's non-zero `errcode`, an SMTP error) is recorded in `last_error` and tried again by the next passes, up to
`max_attempts` in all. A row whose send began but whose outcome was never recorded (the process died) keeps
the `INTERRUPTED` mark and is not tried again: it may have gone out, and a reminder sent twice is the worse error.
The webhook URL is checked again right before each request (engine.platform.outbound) and redirects are not
followed, so a name that now resolves into the private network, or a redirect there, reaches nothing.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Notification, NotificationDelivery
from engine.platform.db import affected_rows
from engine.platform.outbound import Unsafe, check_webhook_url

INTERRUPTED = "interrupted: the send began and its outcome was never recorded"
MAX_ERROR_CHARS = 500
KIND_TITLES = {"new_task": "新任务", "due_tomorrow": "即将到期", "overdue": "已逾期", "case_moved": "案件进展",
               "case_copied": "抄送"}


@dataclass(frozen=True)
class DeliverySettings:
    """How reminders leave the server (web.config: INSPECTFLOW_SMTP_*, INSPECTFLOW_WEBHOOK_*). No SMTP host: no
    e-mail."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "inspectflow@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    webhook_allow_private: bool = False
    timeout_s: float = 10.0
    max_attempts: int = 3

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)


class DeliveryFailed(Exception):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx surfaces as an HTTPError: a failed delivery


_opener = urllib.request.build_opener(_NoRedirects)


def send_email(settings: DeliverySettings, to: str, notification: Notification) -> None:
    message = EmailMessage()
    message["Subject"] = f"【inspectflow 提醒】{KIND_TITLES.get(notification.kind, notification.kind)}"
    message["From"] = settings.smtp_from
    message["To"] = to
    message.set_content(notification.text)
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def webhook_body(notification: Notification) -> dict:
    return {"msgtype": "text", "text": {"content": notification.text},
            "inspectflow": {"id": notification.id, "kind": notification.kind, "task_id": notification.task_id,
                            "instance_id": notification.instance_id,
                            "created_at": notification.created_at.isoformat()}}


def send_webhook(settings: DeliverySettings, url: str, notification: Notification) -> None:
    try:
        url = check_webhook_url(url, allow_private=settings.webhook_allow_private)
    except Unsafe as refused:
        raise DeliveryFailed(f"webhook refused: {refused.reason}") from None
    request = urllib.request.Request(url, data=json.dumps(webhook_body(notification), ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with _opener.open(request, timeout=settings.timeout_s) as response:
        answer = response.read(65536)
    try:
        errcode = json.loads(answer).get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise DeliveryFailed(f"webhook answered errcode {errcode}: {answer[:200].decode(errors='replace')}")


def _send(settings: DeliverySettings, delivery: NotificationDelivery, notification: Notification) -> None:
    if delivery.channel == "email":
        if not settings.email_enabled:
            raise DeliveryFailed("e-mail is not configured on this server (INSPECTFLOW_SMTP_HOST)")
        send_email(settings, delivery.target, notification)
    else:
        send_webhook(settings, delivery.target, notification)


def _claim(sessions: sessionmaker[Session], delivery: NotificationDelivery, now: datetime) -> bool:
    with sessions() as session:
        claimed = affected_rows(session.execute(
            update(NotificationDelivery)
            .where(NotificationDelivery.id == delivery.id, NotificationDelivery.attempts == delivery.attempts,
                   NotificationDelivery.sent_at.is_(None))
            .values(attempts=delivery.attempts + 1, last_tried_at=now, last_error=INTERRUPTED)))
        session.commit()
    return bool(claimed)


def _record(sessions: sessionmaker[Session], delivery_id: int, now: datetime, error: str | None) -> None:
    values = {"last_error": None, "sent_at": now} if error is None else {"last_error": error[:MAX_ERROR_CHARS]}
    with sessions() as session:
        session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id).values(**values))
        session.commit()


def deliver_pending(sessions: sessionmaker[Session], now: datetime, settings: DeliverySettings, *,
                    batch: int = 200) -> tuple[int, int]:
    """Send what is pending, oldest first; (sent, failed) of this pass."""
    with sessions() as session:
        pending = session.execute(
            select(NotificationDelivery, Notification)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .where(NotificationDelivery.sent_at.is_(None), NotificationDelivery.attempts < settings.max_attempts,
                   NotificationDelivery.last_error.is_distinct_from(INTERRUPTED))
            .order_by(NotificationDelivery.id).limit(batch)).all()
    sent = failed = 0
    for delivery, notification in pending:
        if not _claim(sessions, delivery, now):
            continue  # another runner has it
        try:
            _send(settings, delivery, notification)
        except Exception as err:  # every way a send fails is recorded the same way, and tried again later
            _record(sessions, delivery.id, now, f"{err.__class__.__name__}: {err}")
            failed += 1
        else:
            _record(sessions, delivery.id, now, None)
            sent += 1
    return sent, failed
