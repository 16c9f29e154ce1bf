"""The diagrams inspectflow ships, one per procedure (processes/bpmn/README.md). Their editable source is a
checkout's `processes/bpmn/`; a built wheel carries copies as package data in `engine/data/bpmn/` (setup.py's
build step), so `inspectflow load-demo` and `inspectflow deploy --shipped` work from an installed package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "data" / "bpmn"
CHECKOUT = Path(__file__).resolve().parents[2] / "processes" / "bpmn"


def shipped_diagrams_dir() -> Path:
    return PACKAGED if PACKAGED.is_dir() else CHECKOUT


def shipped_diagrams() -> list[Path]:
    """The shipped .bpmn files, by name."""
    return sorted(shipped_diagrams_dir().glob("*.bpmn"))
