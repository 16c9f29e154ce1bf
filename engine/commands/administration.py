"""The administrators' and process owners' acts: edit a jurisdiction's policy, import a year's official holiday
schedule, deploy a diagram. Each checks the actor's role first; the CLI's operator (the system) may do all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.calendar import store as calendar_store
from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.domain.policy import Policy
from engine.domain.policy_admin import update_policy as store_policy
from engine.identity.access import NotPermitted
from engine.runtime import deploy as deploy_module
from engine.runtime import timers

ADMINISTRATORS = ("administrator",)
DIAGRAM_OWNERS = ("process_owner", "administrator")


def _require(actor: Actor, roles: tuple[str, ...], act: str) -> None:
    if not actor.is_system and actor.role not in roles:
        raise NotPermitted("role", f"only {' or '.join(roles)} may {act}", role=actor.role)


def update_policy(work: Work, actor: Actor, *, jurisdiction_code: str, document: dict) -> Policy:
    """Replace a jurisdiction's policy (administrators; PolicyError names a bad field and keeps the old one)."""
    _require(actor, ADMINISTRATORS, "edit policy")
    return store_policy(work.session, jurisdiction_code=jurisdiction_code, document=document, actor=actor.username,
                        now=work.now())


@dataclass(frozen=True)
class CalendarImport:
    result: calendar_store.ImportResult
    recomputed: list[dict]  # the provisional due dates computed again


def import_calendar(work: Work, actor: Actor, text: str, *, source: str) -> CalendarImport:
    """Import official schedules and recompute the provisional due dates, in one unit of work (ValueError names
    the bad line and changes nothing)."""
    _require(actor, ADMINISTRATORS, "import a holiday schedule")
    result = calendar_store.import_schedule(work.session, text, source=source, actor=actor.username, now=work.now())
    recomputed = timers.recompute_provisional(work.runtime, work.session, work.clock, actor=actor.username)
    return CalendarImport(result, recomputed)


def deploy_diagram(work: Work, actor: Actor, *, xml: bytes | str,
                   source_name: str) -> list[deploy_module.DeployedVersion]:
    """Check and deploy a diagram as new versions of its processes (process owners and administrators)."""
    _require(actor, DIAGRAM_OWNERS, "deploy diagrams")
    return deploy_module.deploy(work.runtime, work.session, work.clock, xml=xml, source_name=source_name,
                                actor=actor.username)
