"""All persistent records. Import from here so that Alembic and the tests see every table."""

from engine.models.alert import Alert
from engine.models.audit import AuditEntry
from engine.models.base import Base, UTCDateTime
from engine.models.calendar import CalendarOverride, CalendarYear
from engine.models.process import Deadline, Diagram, ProcessInstance, ProcessVersion, TaskRecord
from engine.models.user import User

__all__ = [
    "Alert",
    "AuditEntry",
    "Base",
    "CalendarOverride",
    "CalendarYear",
    "Deadline",
    "Diagram",
    "ProcessInstance",
    "ProcessVersion",
    "TaskRecord",
    "User",
    "UTCDateTime",
]
