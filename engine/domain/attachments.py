"""Attaching files to a case (附件): each upload checked and stored by the attachment store
(engine.platform.attachment_store) and recorded as an `Attachment` row bound to its instance (and complaint).
A refused file is an InvalidTaskData naming the field and what was refused (its detected type, the size
limit), so that forms show it beside the field. Flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import Attachment
from engine.platform.attachment_store import AttachmentRefused, AttachmentStore, safe_name
from engine.runtime.errors import InvalidTaskData

MAX_FILES_PER_FIELD = 10


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the request carried it: its name (only shown, never trusted) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Place:
    """Where the files are attached: the instance (and complaint, and step) whose case they belong to."""

    instance_id: int | None
    complaint_id: int | None = None
    task_id: str | None = None


def store_uploads(session: Session, store: AttachmentStore, place: Place, uploads: Mapping[str, Sequence[Upload]], *,
                  labels: Mapping[str, str], actor: str, now: datetime) -> dict[str, list[int]]:
    """Store every field's uploads; {field: the new attachments' ids}. InvalidTaskData (nothing kept) when any
    file is refused, naming each field whose file was."""
    problems: dict[str, dict] = {}
    fields: dict[str, str] = {}
    stored: dict[str, list[int]] = {}
    for field, files in uploads.items():
        label = labels.get(field, field)
        if len(files) > MAX_FILES_PER_FIELD:
            fields[field] = f"「{label}」: at most {MAX_FILES_PER_FIELD} files"
            problems[field] = {"code": "too_many_files", "params": {"limit": MAX_FILES_PER_FIELD, "label": label}}
            continue
        for upload in files:
            try:
                kept = store.put(upload.content)
            except AttachmentRefused as refused:
                fields[field] = f"「{label}」: {safe_name(upload.name)}: {refused}"
                problems[field] = {"code": refused.code,
                                   "params": {**refused.params, "file": safe_name(upload.name), "label": label}}
                break
            row = Attachment(sha256=kept.sha256, size=kept.size, media_type=kept.media_type,
                             name=safe_name(upload.name), field=field[:64], instance_id=place.instance_id,
                             complaint_id=place.complaint_id, task_id=place.task_id, uploaded_by=actor[:120],
                             uploaded_at=now)
            session.add(row)
            session.flush()
            stored.setdefault(field, []).append(row.id)
    if problems:
        raise InvalidTaskData(f"files refused: {'; '.join(fields.values())}", fields=fields, problems=problems)
    return stored
