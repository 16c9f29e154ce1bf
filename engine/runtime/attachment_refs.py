"""A task's file fields (engine.bpmn.forms, type `file`) hold what the workflow data keeps of each attachment
— {id, name, type, size, sha256} — never the bytes. Submitted data names attachments by id (a number, or a
summary with its id); `bind_attachments` replaces each by the summary of the stored row, and refuses an id
that is not an attachment of this same instance, so a client can neither forge a summary nor point a field
at another case's file. Read-only; one query, and only when a file field has a value.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FormSpec
from engine.models import Attachment
from engine.runtime.errors import InvalidTaskData


def bind_attachments(session: Session, form: FormSpec | None, instance_id: int, data: dict) -> dict:
    wanted = {f.name: _ids(data[f.name]) for f in (form.fields if form else ()) if f.type == "file"
              and data.get(f.name) not in (None, "", [])}
    if not wanted:
        return data
    every = {i for ids in wanted.values() for i in ids if i is not None}
    rows = {a.id: a for a in session.scalars(select(Attachment).where(
        Attachment.id.in_(every), Attachment.instance_id == instance_id))} if every else {}
    bad = {name: "names no attachment of this case" for name, ids in wanted.items()
           if any(i not in rows for i in ids)}
    if bad:
        raise InvalidTaskData(f"file fields name no attachment of this case: {', '.join(bad)}", fields=bad,
                              problems={name: {"code": "not_an_attachment", "params": {}} for name in bad})
    return {**data, **{name: [rows[i].summary for i in ids] for name, ids in wanted.items()}}  # type: ignore[index]


def _ids(value: object) -> list[int | None]:
    values = value if isinstance(value, list) else [value]
    return [_id(v) for v in values]


def _id(value: object) -> int | None:
    found = value.get("id") if isinstance(value, dict) else value
    if isinstance(found, bool) or not isinstance(found, int) or not 0 < found < 2**31:
        return None
    return found
