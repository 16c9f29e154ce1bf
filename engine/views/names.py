"""The names the pages show for stored codes: a deployed process's name by its key, an agency's by its code, and the
jurisdictions an administrator chooses among. Read-only; the pages cache what they need per request.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Agency, Jurisdiction, ProcessVersion


def process_names(session: Session) -> dict[str, str]:
    """{process key: the name of its latest version}."""
    # Read oldest version first, so each later version's name replaces the one before it.
    versions = select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.version)
    return {key: name for key, name in session.execute(versions)}


def agency_names(session: Session) -> dict[str, str]:
    """{agency code: agency name}."""
    return {code: name for code, name in session.execute(select(Agency.code, Agency.name))}


class JurisdictionChoice(NamedTuple):
    code: str
    name: str


def jurisdiction_choices(session: Session) -> list[JurisdictionChoice]:
    """Every jurisdiction, by code: a handful per deployment."""
    return [JurisdictionChoice(code, name) for code, name in
            session.execute(select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code))]
