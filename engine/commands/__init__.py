"""The write side: one function per act a person or a timer performs (DESIGN.md, "Engine commands").

Every command takes a `Work` (the unit of work: one session, the clock, the runtime) and the `Actor` doing it,
and inside that one session checks that the actor may do this to this record (engine.identity.access), makes
the change, writes the records and the audit row. The caller — a page, the API, the CLI, the scheduler — owns
the commit (`Work` is handed out by a transaction that commits when the block succeeds). A refusal of the actor
is `NotPermitted` with a reason code and the record concerned, raised before anything is written.
"""

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.identity.access import NotPermitted

__all__ = ["Actor", "NotPermitted", "Work"]
