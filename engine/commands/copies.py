"""Opening a case copied to oneself (抄送): the reader's mark, so the 抄送 tab shows it read until a later step
copies the case again. Only a user the case was copied to marks it (engine.identity.access.has_copy); the mark is
audited in the same unit of work (without the instance, so the case's own trail stays the case's).
"""

from __future__ import annotations

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.identity import access
from engine.identity.access import NotPermitted
from engine.models import CaseCopyRead
from engine.platform import audit


def mark_copy_read(work: Work, actor: Actor, instance_id: int) -> CaseCopyRead:
    if not access.has_copy(work.session, access.scope_of(work.session, actor), instance_id):
        raise NotPermitted("not_copied", f"case {instance_id} was not copied to you", instance_id=instance_id)
    now = work.now()
    row = work.session.get(CaseCopyRead, (actor.username, instance_id))
    if row is None:
        row = CaseCopyRead(username=actor.username, instance_id=instance_id, read_at=now)
        work.session.add(row)
    else:
        row.read_at = now
    audit.record(work.session, at=now, actor=actor.username, action="copy.read", after={"instance_id": instance_id})
    work.session.flush()
    return row
