"""What task data may hold after diagram code ran: JSON values, within a size cap.

Task data is written out as JSON whenever an instance is saved (engine.runtime.serialization). A script
can leave values that are not JSON — a set, a function or a generator nested in a list, a tuple as a key,
an integer beyond 64 bits, a date — which would fail the save, or values that are small in memory but
enormous once written out (`[s] * 10**6` of a long text, a list nested in itself sixty times over), which
would exhaust the process. `data_problem` names the first such value; the size is measured first, with a
walk that stops soon after `MAX_TASK_DATA_CHARS`, so checking never costs more than the cap allows.
Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.platform.json_values import json_problem

from .limits import tree_size

# Characters of JSON one task's data may take (text counted by its length).
MAX_TASK_DATA_CHARS = 2_000_000
# The JSON encoder refuses nesting beyond 254 levels, and the saved workflow wraps task data in a few.
MAX_DATA_DEPTH = 100


def size_problem(value: Any, what: str) -> str | None:
    """Why `value` is too large to save, or None."""
    if tree_size(value, MAX_TASK_DATA_CHARS, text_chars=1) > MAX_TASK_DATA_CHARS:
        return (f"{what} would take more than {MAX_TASK_DATA_CHARS:,} characters to save "
                "(the limit for one task's data)")
    return None


def _shown(path: str) -> str:
    return path if len(path) <= 120 else path[:117] + "..."


def data_problem(data: Mapping[str, Any]) -> str | None:
    """Why `data` (one task's data) cannot be saved, or None."""
    too_big = size_problem(data, "the task data")
    if too_big:
        return too_big
    found = json_problem(dict(data), max_depth=MAX_DATA_DEPTH, temporal=True)
    return f"'{_shown(found[0])}' {found[1]}" if found else None
