"""Form choices a step takes from its case (engine.bpmn.forms `choices_from`), so what the plan chose is chosen
again, not typed again (issue 11): `plan_inspectors`, the inspectors of the instance's inspection record
(`inspection_id`) as "姓名（执法证号）" — the advance notice names only people the plan named (R8 tells the
enterprise who comes; R1 was checked on them). Read-only; registered on the Runtime by the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Inspection, Inspector
from engine.runtime.stages import ChoiceSource


def inspector_label(inspector: Inspector) -> str:
    return f"{inspector.name}（{inspector.certificate_number or '无执法证'}）"


def plan_inspectors(session: Session, data: Mapping[str, Any]) -> tuple[str, ...] | None:
    """None when the instance has no inspection record (a notice procedure started on its own)."""
    inspection_id = data.get("inspection_id")
    inspection = session.get(Inspection, inspection_id) if isinstance(inspection_id, int) else None
    if inspection is None or not inspection.inspectors:
        return None
    return tuple(inspector_label(p) for p in sorted(inspection.inspectors, key=lambda p: p.id))


CHOICE_SOURCES: dict[str, ChoiceSource] = {"plan_inspectors": plan_inspectors}
