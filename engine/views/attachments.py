"""Who may fetch an attachment, and a case's attachments for its pages (read-only).

An attachment is served only to those who may see its case (R22's records and the enterprises' evidence are
the case's, not public):
- staff and every logged-in role: when they may see the instance it was attached in
  (engine.identity.access.may_see_instance — agency, joint inspection, jurisdiction, see-all roles);
- on the portal: the holder of the case's 校验码, for attachments of the case's own instances or complaint
  (engine.domain.enterprise_case).
Anyone else is told there is no such file (404), so ids say nothing about other cases.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.enterprise_case import EnterpriseCase, case_instance_ids
from engine.identity import access
from engine.models import Attachment


def readable_by(session: Session, user: access.Person, attachment_id: int) -> Attachment | None:
    row = session.get(Attachment, attachment_id)
    if row is None or row.instance_id is None:
        return row if row is not None and access.scope_of(session, user).everything else None
    return row if access.may_see_instance(session, access.scope_of(session, user), row.instance_id) else None


def readable_in_case(session: Session, case: EnterpriseCase, attachment_id: int) -> Attachment | None:
    row = session.get(Attachment, attachment_id)
    if row is None:
        return None
    own_complaint = case.complaint is not None and row.complaint_id == case.complaint.id
    return row if own_complaint or row.instance_id in case_instance_ids(session, case) else None


def case_attachments(session: Session, instance_ids: set[int]) -> list[Attachment]:
    """The attachments of these instances, in the order they came."""
    if not instance_ids:
        return []
    return list(session.scalars(select(Attachment).where(Attachment.instance_id.in_(instance_ids))
                                .order_by(Attachment.uploaded_at, Attachment.id)))
