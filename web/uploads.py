"""Files posted with a form (multipart): read into the engine's `Upload`s for the file fields a form declares.
The request's size is bounded by MAX_CONTENT_LENGTH (web.input_guard); each file's size and type are the
attachment store's to check (engine.platform.attachment_store)."""

from __future__ import annotations

from flask import request

from engine.domain.attachments import Upload


def files_named(name: str) -> list[Upload]:
    """The files posted under `name` (a file input left empty posts one nameless, empty part: skipped)."""
    return [Upload(part.filename or "", part.read()) for part in request.files.getlist(name)
            if part.filename or part.content_length]


def uploads_of(form_spec) -> dict[str, list[Upload]]:
    """{file field: its posted files} for the form's file fields that carry any."""
    found = {f.name: files_named(f.name) for f in (form_spec.fields if form_spec else ()) if f.type == "file"}
    return {name: files for name, files in found.items() if files}
