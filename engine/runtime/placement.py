"""Keeping the task rows' placement columns exact (issue 13): where a task without a known agency is placed.

A jurisdiction's lists (engine.identity.access `_placed_in`) read three columns of the task row instead of probing
the instance, inspection and complaint tables once per row: `instance_jurisdiction_id` (the instance's
jurisdiction, set at start and never changed), `inspection_enterprise_id` and `complaint_enterprise_id` (the
enterprise of the inspection, of the complaint, whose instance it is). The enterprises' own jurisdictions are read
when a list is queried, so an enterprise placed anew moves its tasks at once.

Two writers keep the columns equal to what they copy, whatever the order of events:
- a task row is inserted with them read from its instance's rows in the same statement
  (engine.platform.hotsql `insert_tasks`);
- an inspection or a complaint whose link (`process_instance_id`) or enterprise is written, added or deleted
  through the ORM places its instance's task rows anew at the end of that flush (`_place_after_flush`), in the
  flush's transaction. The links are set after the instance has started and written its first tasks
  (engine.domain.inspection_process, engine.domain.complaint_process), or during a step
  (engine.domain.stages): this is what makes those tasks visible to the enterprise's county.

A writer of those columns that bypasses the ORM (Core `update()`, raw SQL, a bulk load) calls `place_tasks` with
the instances it touched, in its transaction; none of the shipped code does. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from engine.models import Complaint, Inspection
from engine.platform.hotsql import hot_sql

_LINKED = (Inspection, Complaint)
_PLACING_ATTRIBUTES = ("process_instance_id", "enterprise_id", "enterprise")


def place_tasks(session: Session, instance_ids: Iterable[int]) -> None:
    """Place the task rows of these instances anew from their instance, inspection and complaint rows."""
    wanted = sorted(set(instance_ids))
    if wanted:
        hot_sql(session).place_tasks(wanted)


def _instances_replaced(record: Inspection | Complaint, *, new_or_deleted: bool) -> set[int]:
    """The instances whose placement the flush of this record may change: the one it links to now and any it
    linked to before, when the link or the enterprise changed (or the record came or went)."""
    state: InstanceState = inspect(record)
    histories = [state.attrs[name].history for name in _PLACING_ATTRIBUTES]
    if not new_or_deleted and not any(history.has_changes() for history in histories):
        return set()
    link = state.attrs.process_instance_id.history
    now_linked = state.dict.get("process_instance_id") if state.deleted or state.was_deleted \
        else record.process_instance_id  # loaded if the flush expired it
    return {value for value in (*link.added, *link.unchanged, *link.deleted, now_linked) if value is not None}


@event.listens_for(Session, "after_flush")
def _place_after_flush(session: Session, flush_context: UOWTransaction) -> None:
    # After the flush the rows are written (a new inspection's id and link included) while the attributes'
    # histories still tell what changed.
    instance_ids: set[int] = set()
    for records, new_or_deleted in ((session.new, True), (session.dirty, False), (session.deleted, True)):
        for record in records:
            if isinstance(record, _LINKED):
                instance_ids |= _instances_replaced(record, new_or_deleted=new_or_deleted)
    place_tasks(session, instance_ids)
