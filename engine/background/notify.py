"""One notify pass (提醒): create the reminders due as of a moment, then send what is pending
(engine.background.reminders, engine.background.notify_delivery). Run by the scheduler every minute and by
`inspectflow notify --at`.

Single runner: on PostgreSQL a session-level advisory lock (its own key, beside the deadline sweep's) lets one
pass work at a time and a second returns at once; on SQLite the creating transaction begins IMMEDIATE, so passes
queue and the second finds the watermark moved and every notification already there. Either way the unique key
per notification and the claimed delivery rows keep anything from being created or sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from engine.background import reminders
from engine.background.notify_delivery import DeliverySettings, deliver_pending
from engine.platform.clock import Clock
from engine.platform.db import single_runner
from engine.runtime.core import Runtime

NOTIFY_LOCK_KEY = 0x1F5EC7F2  # arbitrary, constant: shared by every inspectflow notify pass


@dataclass
class NotifyReport:
    at: datetime
    skipped_locked: bool = False
    created: int = 0
    sent: int = 0
    failed: int = 0

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "skipped_locked": self.skipped_locked, "created": self.created,
                "sent": self.sent, "failed": self.failed}


def notify_pass(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock,
                settings: DeliverySettings) -> NotifyReport:
    """`sessions` must be write sessions (engine.platform.db.make_write_session_factory)."""
    now = clock.now()
    report = NotifyReport(at=now)
    with single_runner(sessions.kw["bind"], NOTIFY_LOCK_KEY) as held:
        if not held:
            report.skipped_locked = True
            return report
        with sessions() as session:
            calendar = runtime.refresh_calendar(session)
            report.created = reminders.generate(session, calendar, now, email_enabled=settings.email_enabled)
            session.commit()
        report.sent, report.failed = deliver_pending(sessions, now, settings)
    return report
