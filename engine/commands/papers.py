"""An administrator's edit of a printable document's template (执法文书, issue 12 item 6): checked by
rendering the sample case before it is kept, audited like every other change."""

from __future__ import annotations

from engine.commands.actor import Actor
from engine.commands.administration import ADMINISTRATORS, _require
from engine.commands.work import Work
from engine.domain import paper_templates
from engine.domain.paper_fields import sample_fields
from engine.models import DocumentTemplate
from engine.platform import audit


def save_template(work: Work, actor: Actor, *, name: str, body: str) -> None:
    """Keep `body` as the template of `name` (TemplateProblem names what is wrong and keeps the old one)."""
    _require(actor, ADMINISTRATORS, "edit document templates")
    body = body.replace("\r\n", "\n")
    paper_templates.check(name, body, sample_fields(work.now()))
    before, override = paper_templates.current(work.session, name)
    if override is None:
        override = DocumentTemplate(name=name, body=body, updated_by=actor.username, updated_at=work.now())
        work.session.add(override)
    else:
        override.body, override.updated_by, override.updated_at = body, actor.username, work.now()
    audit.record(work.session, at=work.now(), actor=actor.username, action="document_template.save",
                 before={"name": name, "chars": len(before)}, after={"name": name, "chars": len(body)})


def restore_template(work: Work, actor: Actor, *, name: str) -> None:
    """Drop the administrator's version: the shipped template is in force again."""
    _require(actor, ADMINISTRATORS, "edit document templates")
    _body, override = paper_templates.current(work.session, name)
    if override is not None:
        work.session.delete(override)
        audit.record(work.session, at=work.now(), actor=actor.username, action="document_template.restore",
                     before={"name": name}, after=None)
