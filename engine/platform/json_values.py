"""Whether a value can be stored as JSON and read back the same: the one walk behind the checks of request data
(engine.runtime.data_limits) and of what diagram code leaves in task data (engine.bpmn.task_data).

`json_problem` names the first value that cannot be: a type JSON has no word for (a set, a function …), a key
that is not text or a number, a non-finite number, an integer beyond 64 bits (PostgreSQL's BIGINT and the
encoder's limit), nesting beyond `max_depth`, and — with `text=True`, for data that reaches database columns —
text holding a NUL or an unpaired surrogate (neither PostgreSQL nor UTF-8 stores them). The walk is iterative, so a
hostile document cannot exhaust the stack. Pure functions.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

INT64 = range(-(2**63), 2**63)
_SCALARS = frozenset({str, int, float, bool, type(None)})
_TEMPORAL = frozenset({datetime, timedelta})  # the workflow encoder writes these; request data never has them
_KEYS = frozenset({str, int, float, bool, type(None)})
_PLAIN = frozenset({str, bool, type(None)})  # items that need no look one by one when text is not checked
_SMALL = 8
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a database could not store this text (a NUL, an unpaired surrogate), or None."""
    found = _UNSTORABLE_TEXT.search(text)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "contains an unpaired surrogate (not UTF-8)"


def _scalar_problem(value: Any, *, text: bool, temporal: bool) -> str | None:
    kind = type(value)
    if kind not in _SCALARS and not (temporal and kind in _TEMPORAL):
        return (f"is a {kind.__name__}, which task data cannot hold "
                "(only text, numbers, true/false, null, lists and objects)")
    if kind is int and value not in INT64:
        return "is an integer beyond 64 bits"
    if kind is float and not math.isfinite(value):
        return "is not a finite number (NaN and Infinity are not JSON)"
    if text and kind is str:
        return text_problem(value)
    return None


def _child(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def json_problem(value: Any, root: str = "", *, max_depth: int, text: bool = False,
                 temporal: bool = False) -> tuple[str, str] | None:
    """The first (path, problem) that keeps `value` from being stored as JSON, or None. Paths start at `root`
    (`data.items[2].name`; with an empty root, at the top-level keys)."""
    pending: list[tuple[Any, str, int]] = [(value, root, 0)]
    while pending:
        current, path, depth = pending.pop()
        kind = type(current)
        if kind is dict or kind is list or kind is tuple:
            if depth >= max_depth:
                return path, f"is nested deeper than {max_depth} levels"
            if kind is dict:
                for key, item in current.items():
                    if type(key) not in _KEYS:
                        return path, f"has a key that is a {type(key).__name__} (keys must be text or numbers)"
                    if text and type(key) is str and (problem := text_problem(key)):
                        return path, f"has a key that {problem}"
                    pending.append((item, _child(path, str(key)), depth + 1))
            elif text or len(current) <= _SMALL or not set(map(type, current)) <= _PLAIN:
                pending.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(current))
        elif problem := _scalar_problem(current, text=text, temporal=temporal):
            return path, problem
    return None
