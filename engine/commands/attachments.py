"""Attaching files (附件) as part of an act: a staff member completing a step with its file fields (the photos
of the 现场检查笔录, R22), the enterprise reporting its 整改 with evidence (R25) or filing a complaint with
evidence (R26) on the portal.

Each checks the actor's right first — the same right as the act itself (engine.commands.tasks.check_workable;
the portal's case and 校验码, engine.commands.portal) — then stores the files (engine.domain.attachments),
audits each attachment, and completes the step in the same unit of work: a refused file or a refused form
keeps nothing. Only fields the step's form declares as `file` take files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.commands import portal, tasks
from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.domain.attachments import Place, Upload, store_uploads
from engine.domain.enterprise_case import EnterpriseCase, open_steps
from engine.models import Attachment, Complaint, TaskRecord
from engine.platform import audit
from engine.platform.attachment_store import AttachmentStore
from engine.runtime import InvalidTaskData, TaskNotFound, instances
from engine.runtime.instances import StartedInstance

Uploads = Mapping[str, Sequence[Upload]]
EVIDENCE = "evidence"  # the field name a complaint's evidence is kept under


def complete_with_files(work: Work, actor: Actor, store: AttachmentStore, task_id: str, data: dict,
                        uploads: Uploads) -> StartedInstance:
    """A staff member completes a step, attaching the uploaded files to its file fields."""
    tasks.check_workable(work, actor, task_id)
    merged = _attached(work, actor, store, task_id, data, uploads)
    return tasks.complete_task(work, actor, task_id, merged)


def attach_to_task(work: Work, actor: Actor, store: AttachmentStore, task_id: str,
                   uploads: Uploads) -> dict[str, list[Attachment]]:
    """Files attached to a step's file fields ahead of its completion (the API's two-call upload): the step is
    then completed naming them by id. Nothing is attached when any file is refused."""
    tasks.check_workable(work, actor, task_id)
    if not any(uploads.values()):
        raise InvalidTaskData("no files were sent", fields={}, problems={})
    return {field: [work.session.get_one(Attachment, i) for i in ids]
            for field, ids in _stored(work, actor, store, task_id, uploads).items()}


def complete_step_with_files(work: Work, actor: Actor, store: AttachmentStore, case: EnterpriseCase, *,
                             address: str, task_id: str, data: dict, uploads: Uploads) -> StartedInstance:
    """The enterprise completes one of its case's steps (企业整改 …) with evidence files."""
    if task_id not in {t.id for t in open_steps(work.session, case)}:
        raise TaskNotFound(f"task {task_id} is not an open step of this case", task_id=task_id)
    merged = _attached(work, Actor(case.actor_name[:120], actor.role), store, task_id, data, uploads)
    return portal.complete_step(work, actor, case, address=address, task_id=task_id, data=merged)


def attach_to_complaint(work: Work, actor: Actor, store: AttachmentStore, complaint: Complaint,
                        files: Sequence[Upload], *, label: str = "证据材料") -> list[Attachment]:
    """Evidence filed with a complaint the actor has just filed (engine.commands.portal.file_complaint, in the
    same unit of work); bound to the complaint's procedure so that the staff handling it see it."""
    if not files:
        return []
    place = Place(complaint.process_instance_id, complaint_id=complaint.id)
    ids = store_uploads(work.session, store, place, {EVIDENCE: files}, labels={EVIDENCE: label},
                        actor=f"投诉人（{complaint.tracking_number}）", now=work.now())
    rows = [work.session.get_one(Attachment, i) for i in ids.get(EVIDENCE, [])]
    for row in rows:
        _audited(work, actor.username, row)
    return rows


def _attached(work: Work, actor: Actor, store: AttachmentStore, task_id: str, data: dict, uploads: Uploads) -> dict:
    """`data` with each file field's new attachments added to what it already names."""
    merged = dict(data)
    for field, new in _stored(work, actor, store, task_id, uploads).items():
        before = merged.get(field)
        kept = before if isinstance(before, list) else [] if before in (None, "") else [before]
        merged[field] = [*kept, *new]
    return merged


def _stored(work: Work, actor: Actor, store: AttachmentStore, task_id: str, uploads: Uploads) -> dict[str, list[int]]:
    """Store the uploads of the step's file fields, each audited; {field: the new attachments' ids}."""
    wanted = {field: files for field, files in uploads.items() if files}
    if not wanted:
        return {}
    record = work.session.get(TaskRecord, task_id)
    if record is None:
        raise TaskNotFound(f"task {task_id} does not exist", task_id=task_id)
    form, _ = instances.task_form(work.runtime, work.session, task_id)
    file_fields = {f.name: f.label for f in (form.fields if form else ()) if f.type == "file"}
    unknown = [field for field in wanted if field not in file_fields]
    if unknown:
        raise InvalidTaskData(f"no file field {', '.join(unknown)} on this step",
                              fields={f: "this step takes no files here" for f in unknown},
                              problems={f: {"code": "unknown_field", "params": {}} for f in unknown})
    ids = store_uploads(work.session, store, Place(record.instance_id, task_id=task_id), wanted,
                        labels=file_fields, actor=actor.username, now=work.now())
    for new in ids.values():
        for attachment_id in new:
            _audited(work, actor.username, work.session.get_one(Attachment, attachment_id))
    return ids


def _audited(work: Work, actor: str, row: Attachment) -> None:
    audit.record(work.session, at=work.now(), actor=actor, action="attachment.add", instance_id=row.instance_id,
                 task_id=row.task_id, after={**row.summary, "field": row.field, "complaint_id": row.complaint_id})
