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

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .limits import tree_size

# Characters of JSON one task's data may take (text counted by its length).
MAX_TASK_DATA_CHARS = 2_000_000
# The JSON encoder refuses nesting beyond 254 levels, and the saved workflow wraps task data in a few.
MAX_DATA_DEPTH = 100
_INT64 = range(-(2**63), 2**64)  # the encoder writes signed and unsigned 64-bit integers
_SCALARS = frozenset({str, int, float, bool, type(None), datetime, timedelta})
_PLAIN = frozenset({str, bool, type(None)})
_KEYS = frozenset({str, int, float, bool, type(None)})
_SMALL = 8


def size_problem(value: Any, what: str) -> str | None:
    """Why `value` is too large to save, or None."""
    if tree_size(value, MAX_TASK_DATA_CHARS, text_chars=1) > MAX_TASK_DATA_CHARS:
        return (f"{what} would take more than {MAX_TASK_DATA_CHARS:,} characters to save "
                "(the limit for one task's data)")
    return None


def _shown(path: str) -> str:
    return path if len(path) <= 120 else path[:117] + "..."


def _scalar_problem(value: Any, path: str) -> str | None:
    path = _shown(path)
    kind = type(value)
    if kind not in _SCALARS:
        return (f"'{path}' is a {kind.__name__}, which task data cannot hold "
                "(only text, numbers, true/false, null, lists and objects)")
    if kind is int and value not in _INT64:
        return f"'{path}' is an integer beyond 64 bits"
    if kind is float and not math.isfinite(value):
        return f"'{path}' is not a finite number (NaN and Infinity are not JSON)"
    return None


def data_problem(data: Mapping[str, Any]) -> str | None:
    """Why `data` (one task's data) cannot be saved, or None."""
    too_big = size_problem(data, "the task data")
    if too_big:
        return too_big
    pending: list[tuple[Any, str, int]] = [(value, str(name), 1) for name, value in data.items()]
    while pending:
        value, path, depth = pending.pop()
        kind = type(value)
        if kind is dict or kind is list or kind is tuple:
            if depth >= MAX_DATA_DEPTH:
                return f"'{_shown(path)}' is nested deeper than {MAX_DATA_DEPTH} levels"
            if kind is dict:
                for key, item in value.items():
                    if type(key) not in _KEYS:
                        kind_name = type(key).__name__
                        return f"'{_shown(path)}' has a key that is a {kind_name} (keys must be text or numbers)"
                    pending.append((item, f"{path}.{key}", depth + 1))
            elif len(value) <= _SMALL or not set(map(type, value)) <= _PLAIN:
                pending.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
        else:
            problem = _scalar_problem(value, path)
            if problem:
                return problem
    return None
