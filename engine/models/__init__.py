"""All persistent records. Import from here so that Alembic and the tests see every table."""

from engine.models.alert import Alert
from engine.models.api_token import ApiToken
from engine.models.attachment import Attachment
from engine.models.audit import AuditEntry
from engine.models.base import Base, UTCDateTime
from engine.models.behavior_code import BehaviorCode
from engine.models.calendar import CalendarOverride, CalendarYear
from engine.models.case_copy import CaseCopy, CaseCopyRead
from engine.models.complaint import Complaint, InspectionRating
from engine.models.document_template import DocumentTemplate
from engine.models.enterprise import Enterprise, EnterpriseCreditClass
from engine.models.inspection import (
    Inspection,
    JointInspectionGroup,
    inspection_assistant,
    inspection_inspector,
    inspection_item,
)
from engine.models.item_list import InspectionItem, InspectionItemList
from engine.models.job import BackgroundJob
from engine.models.login_failure import LoginFailure
from engine.models.login_session import LoginSession
from engine.models.notice import Notice, QuietPeriodOverride
from engine.models.notification import Notification, NotificationChannels, NotificationDelivery, NotificationScan
from engine.models.organisation import Agency, Inspector, Jurisdiction
from engine.models.penalty import Penalty, Revisit
from engine.models.plan import InspectionPlan
from engine.models.policy_log import PolicyDecision
from engine.models.portal_write import PortalWrite
from engine.models.process import Deadline, Diagram, ProcessInstance, ProcessVersion, TaskRecord
from engine.models.task_comment import TaskComment
from engine.models.user import User

__all__ = [
    "Agency",
    "Alert",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "BackgroundJob",
    "Base",
    "BehaviorCode",
    "CalendarOverride",
    "CalendarYear",
    "CaseCopy",
    "CaseCopyRead",
    "Complaint",
    "Deadline",
    "Diagram",
    "DocumentTemplate",
    "Enterprise",
    "EnterpriseCreditClass",
    "Inspection",
    "InspectionItem",
    "InspectionItemList",
    "InspectionPlan",
    "InspectionRating",
    "Inspector",
    "JointInspectionGroup",
    "Jurisdiction",
    "LoginFailure",
    "LoginSession",
    "Notice",
    "Notification",
    "NotificationChannels",
    "NotificationDelivery",
    "NotificationScan",
    "Penalty",
    "PolicyDecision",
    "PortalWrite",
    "ProcessInstance",
    "ProcessVersion",
    "QuietPeriodOverride",
    "Revisit",
    "TaskComment",
    "TaskRecord",
    "User",
    "UTCDateTime",
    "inspection_assistant",
    "inspection_inspector",
    "inspection_item",
]
