"""Reminders (提醒, issue 12 item 7): the notification centre's rows, each user's channels, and one delivery row
per notification and outside channel.

"Never twice": a notification is unique per (user, `dedupe_key`) — the key names the kind, the task or instance
and the day or audit event it is about — so a second scan, or a second runner, inserts nothing. A delivery row is
unique per (notification, channel) and is marked `sent_at` once; it is never sent again after that
(engine.background.notify_delivery).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

NOTIFICATION_KINDS = ("new_task", "due_tomorrow", "overdue", "case_moved", "case_copied")
CHANNELS = ("email", "webhook")


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("username", "dedupe_key"),
                      Index("ix_notification_username_read_at", "username", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # one of NOTIFICATION_KINDS
    dedupe_key: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    text: Mapped[str] = mapped_column(Text)  # Chinese, as it is sent by every channel
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationChannels(Base):
    """A user's outside channels; the in-app centre is always on. No row: no outside channel."""

    __tablename__ = "notification_channels"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NotificationDelivery(Base):
    """One notification sent to one outside channel: made with the notification (for the channels on at that
    moment), tried by the notify pass until sent or out of attempts."""

    __tablename__ = "notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),
                      Index("ix_notification_delivery_sent_at_attempts", "sent_at", "attempts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"))
    channel: Mapped[str] = mapped_column(String(10))  # one of CHANNELS
    target: Mapped[str] = mapped_column(String(500))  # the address or URL when it was made
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationScan(Base):
    """Where the last notify pass stopped: one row (id 1). Tasks created since `scanned_at` and audit rows after
    `audit_id` are new to the next pass."""

    __tablename__ = "notification_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
