"""What the plan chose, for the lifecycle's later steps (approval, check, notice, site visit…): the window,
kind, mode, listed items with their published standards, the inspectors with their 执法证 numbers and the
assistants named in advance (辅助人员, who may not inspect on their own), read from
the instance's inspection record (`inspection_id`), so each step shows the plan rather than asking for it again
(issue 11: data typed once). Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.planning import MODES, TRIGGERS
from engine.models import Inspection


@dataclass(frozen=True)
class PlannedInspection:
    number: int
    start: date | None
    end: date | None
    kind: str  # 日常检查, or 触发式检查：<its trigger>
    mode: str
    items: list[tuple[str, str]]  # (code, name)
    inspectors: list[tuple[str, str | None]]  # (name, certificate number)
    standards: dict[str, str] = field(default_factory=dict)  # item code -> its published 检查标准 (R2)
    assistants: list[tuple[str, str]] = field(default_factory=list)  # (name, INSPECTOR_KINDS code)


def planned_inspection(session: Session, data: dict[str, Any]) -> PlannedInspection | None:
    """The plan of the instance whose task data is `data`; None when it names no inspection record."""
    inspection_id = data.get("inspection_id")
    inspection = session.get(Inspection, inspection_id) if isinstance(inspection_id, int) else None
    if inspection is None:
        return None
    kind = TRIGGERS.get(inspection.trigger_reason or "", "触发式检查") if inspection.trigger == "triggered" \
        else TRIGGERS["routine"]
    return PlannedInspection(
        inspection.id, inspection.planned_start, inspection.planned_end, kind,
        MODES.get(inspection.mode, inspection.mode),
        [(item.code, item.name) for item in sorted(inspection.items, key=lambda i: i.code)],
        [(p.name, p.certificate_number) for p in sorted(inspection.inspectors, key=lambda p: p.id)],
        {item.code: item.standard for item in inspection.items if item.standard},
        [(p.name, p.kind) for p in sorted(inspection.assistants, key=lambda p: p.id)])
