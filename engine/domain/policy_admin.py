"""Changing a jurisdiction's policy (windows, caps, thresholds, deadlines): validated as a whole by
engine.domain.policy.from_json (errors name the field), stored, and audited with before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.policy import Policy, from_json, policy_of, to_json
from engine.models import Jurisdiction
from engine.platform import audit


def jurisdiction_by_code(session: Session, code: str) -> Jurisdiction:
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if jurisdiction is None:
        raise LookupError(f"no jurisdiction with code {code!r}")
    return jurisdiction


def resolve_jurisdiction(session: Session, wanted: str | None) -> Jurisdiction:
    """A jurisdiction by code or name (a user's scope is stored either way); with none named, the only one
    there is. A name that matches nothing is an error, never silently another jurisdiction."""
    if wanted:
        found = session.scalar(select(Jurisdiction).where(
            (Jurisdiction.code == wanted) | (Jurisdiction.name == wanted)))
        if found is None:
            raise LookupError(f"no jurisdiction {wanted!r}")
        return found
    candidates = list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.code).limit(2)))
    if len(candidates) != 1:
        raise LookupError("name the jurisdiction: there is none or several")
    return candidates[0]


def jurisdiction_tree_of(session: Session, root: int) -> frozenset[int]:
    """The jurisdiction with id `root` and all below it."""
    found, frontier = {root}, {root}
    while frontier:  # a handful of levels (province → city → county)
        frontier = set(session.scalars(select(Jurisdiction.id).where(Jurisdiction.parent_id.in_(frontier)))) - found
        found |= frontier
    return frozenset(found)


def update_policy(session: Session, *, jurisdiction_code: str, document: dict[str, Any], actor: str,
                  now: datetime) -> Policy:
    """Replace the jurisdiction's policy; a PolicyError (naming the field) leaves the stored one untouched."""
    jurisdiction = jurisdiction_by_code(session, jurisdiction_code)
    policy = from_json(document)
    before = to_json(policy_of(jurisdiction.policy))
    jurisdiction.policy = to_json(policy)
    session.flush()
    audit.record(session, at=now, actor=actor, action="policy.updated",
                 before={"jurisdiction": jurisdiction.code, "policy": before},
                 after={"jurisdiction": jurisdiction.code, "policy": jurisdiction.policy})
    return policy
