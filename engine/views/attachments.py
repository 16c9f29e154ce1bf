"""Who may fetch an attachment, and a case's attachments for its pages (read-only).

An attachment is served only to those who may see its case (R22's records and the enterprises' evidence are
the case's, not public):
- staff and every logged-in role: when they may see the instance it was attached in
  (engine.identity.access.may_see_instance — agency, joint inspection, jurisdiction, see-all roles);
- on the portal: the holder of the case's 校验码, for the files the portal attached to the case — its complaint's
  evidence and those of its steps in the 企业 lane (engine.domain.enterprise_case); what staff attach (the
  inspectors' photos, the office's material) stays inside the procedure, like the office's findings.
Anyone else is told there is no such file (404), so ids say nothing about other cases.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from engine.domain.enterprise_case import ENTERPRISE_LANE, EnterpriseCase, case_instance_ids
from engine.identity import access
from engine.models import Attachment, TaskRecord


def readable_by(session: Session, user: access.Person, attachment_id: int) -> Attachment | None:
    row = session.get(Attachment, attachment_id)
    if row is None or row.instance_id is None:
        return row if row is not None and access.scope_of(session, user).everything else None
    return row if access.may_see_instance(session, access.scope_of(session, user), row.instance_id) else None


def readable_in_case(session: Session, case: EnterpriseCase, attachment_id: int) -> Attachment | None:
    return next((row for row in portal_files(session, case) if row.id == attachment_id), None)


def portal_files(session: Session, case: EnterpriseCase) -> list[Attachment]:
    """The files the enterprise (or complainant) attached to its case on the portal, in the order they came."""
    instance_ids = case_instance_ids(session, case)
    own_steps = select(TaskRecord.id).where(TaskRecord.instance_id.in_(instance_ids),
                                            TaskRecord.lane == ENTERPRISE_LANE)
    complaint = (Attachment.complaint_id == case.complaint.id) if case.complaint is not None else false()
    return list(session.scalars(select(Attachment).where(or_(complaint, and_(
        Attachment.instance_id.in_(instance_ids), Attachment.task_id.in_(own_steps))))
        .order_by(Attachment.uploaded_at, Attachment.id)))


def case_attachments(session: Session, instance_ids: set[int]) -> list[Attachment]:
    """The attachments of these instances, in the order they came."""
    if not instance_ids:
        return []
    return list(session.scalars(select(Attachment).where(Attachment.instance_id.in_(instance_ids))
                                .order_by(Attachment.uploaded_at, Attachment.id)))
