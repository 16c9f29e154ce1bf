"""A case's code screen and printable documents, for those who may see the case (issue 12 item 6).

The case is a process instance: the lifecycle of an inspection (`Inspection.process_instance_id`), a penalty's
revisit procedure (its inspection) or a complaint's procedure. Who may see it is the inbox's rule
(engine.identity.access.may_see_instance): another agency's user gets NotPermitted, never the papers.

The enterprise gets the papers addressed to it — the 责令整改通知书 once a penalty ordered correction, the complaint's
答复书 once it was answered — for the case it opened on the portal with its 校验码 (engine.domain.enterprise_case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain import paper_templates
from engine.domain.behavior_code import CodeVerification, live_code_of, lookup
from engine.domain.enterprise_case import EnterpriseCase, complaint_case, inspection_case
from engine.domain.paper_fields import complaint_fields, inspection_fields
from engine.identity.access import NotPermitted, Scope, may_see_instance
from engine.models import Complaint, Inspection, Penalty


@dataclass(frozen=True)
class CasePapers:
    instance_id: int
    inspection: Inspection | None
    complaint: Complaint | None

    @property
    def documents(self) -> tuple[str, ...]:
        return ((paper_templates.INSPECTION_DOCUMENTS if self.inspection is not None else ())
                + (paper_templates.COMPLAINT_DOCUMENTS if self.complaint is not None else ()))


def has_papers(session: Session, instance_id: int) -> bool:
    """Whether the instance is an inspection's, a penalty's or a complaint's case (what the task page links)."""
    return any(session.scalar(select(model.id).where(model.process_instance_id == instance_id).limit(1)) is not None
               for model in (Inspection, Penalty, Complaint))


def case_papers(session: Session, scope: Scope, instance_id: int) -> CasePapers | None:
    """The records behind the case (None when the instance concerns neither), or NotPermitted."""
    if not may_see_instance(session, scope, instance_id):
        raise NotPermitted("outside_scope", "this case lies outside your agency or jurisdiction",
                           instance_id=instance_id)
    inspection = session.scalar(select(Inspection).where(Inspection.process_instance_id == instance_id))
    if inspection is None:
        penalty = session.scalar(select(Penalty).where(Penalty.process_instance_id == instance_id))
        inspection = penalty.inspection if penalty is not None else None
    complaint = session.scalar(select(Complaint).where(Complaint.process_instance_id == instance_id))
    if inspection is None and complaint is None:
        return None
    return CasePapers(instance_id, inspection, complaint)


def code_screen(session: Session, papers: CasePapers, now: datetime) -> CodeVerification | None:
    """亮码: the verification of the code that covers the case's inspection now (None: no code issued yet)."""
    if papers.inspection is None:
        return None
    code = live_code_of(session, papers.inspection)
    return lookup(session, code.code, now) if code is not None else None


def document_pdf(session: Session, papers: CasePapers, name: str, now: datetime) -> bytes:
    """The document as PDF (LookupError when the case has no such document)."""
    if name not in papers.documents:
        raise LookupError(f"case {papers.instance_id} has no document {name!r}")
    return render_pdf(session, name, _fields(session, papers, name, now))


def render_pdf(session: Session, name: str, fields: dict) -> bytes:
    from engine.platform.pdf import text_pdf  # fpdf2's imports (~0.25 s) only in a process that prints

    body, _override = paper_templates.current(session, name)
    return text_pdf(paper_templates.DOCUMENTS[name], paper_templates.render(body, fields))


def _fields(session: Session, papers: CasePapers, name: str, now: datetime) -> dict:
    if name in paper_templates.COMPLAINT_DOCUMENTS:
        assert papers.complaint is not None
        return complaint_fields(session, papers.complaint, now)
    assert papers.inspection is not None
    return inspection_fields(session, papers.inspection, now)


def enterprise_documents(session: Session, case: EnterpriseCase) -> list[tuple[str, Inspection | Complaint]]:
    """The documents addressed to the enterprise in its case, each with the record it is made from."""
    found: list[tuple[str, Inspection | Complaint]] = []
    for inspection in case.inspections:
        if session.scalar(select(Penalty.id).where(Penalty.inspection_id == inspection.id).limit(1)) is not None:
            found.append(("rectification", inspection))
            break
    if case.complaint is not None and case.complaint.reply:
        found.append(("complaint_reply", case.complaint))
    return found


def enterprise_document_pdf(session: Session, case: EnterpriseCase, name: str, now: datetime) -> bytes:
    """One of `enterprise_documents` as PDF (LookupError when the case has no such document)."""
    record = dict(enterprise_documents(session, case)).get(name)
    if record is None:
        raise LookupError(f"the enterprise's case {case.reference} has no document {name!r}")
    fields = complaint_fields(session, record, now) if isinstance(record, Complaint) else \
        inspection_fields(session, record, now)
    return render_pdf(session, name, fields)


def enterprise_documents_of(session: Session, *, code: str | None, number: str | None,
                            check: str | None) -> list[str]:
    """The names of `enterprise_documents` for a case key (none when the key does not open a case)."""
    case = inspection_case(session, code, check) if code else complaint_case(session, number or "", check)
    return [name for name, _record in enterprise_documents(session, case)] if case is not None else []
