"""What task data (start data, a completion's data) may hold so that every database can store it and every
later step can read it back.

- `storable_problem` (any JSON document): finite numbers only (JSON has no NaN or Infinity, and PostgreSQL's
  json type refuses them), integers within 64 bits, text without NUL or unpaired surrogates (neither
  PostgreSQL nor UTF-8 holds them), nesting no deeper than `MAX_DEPTH`.
- `data_problem` (task data) adds what reaches a column: the values the task mirror copies (`agency`) no longer
  than their column, and record ids (`*_id`) within the range of an id column — PostgreSQL refuses to compare
  an INTEGER column with a larger number.

Values are walked iteratively, so a hostile document cannot exhaust the stack; a problem is named by its path
(`data.items[2].name`). `check_data` raises it as `InvalidTaskData`. Pure functions.
"""

from __future__ import annotations

import math
import re

from engine.models import TaskRecord
from engine.models.base import column_length
from engine.runtime.errors import InvalidTaskData

# Diagrams' forms are flat and start data nests a list of records at most; twenty levels leaves room for
# structured data while keeping every recursive consumer (serializer, deepcopy, audit) far from its limit.
MAX_DEPTH = 20
DATABASE_INTEGER_MAX = 2**31 - 1  # INTEGER, the type of every id column
_INT64 = range(-(2**63), 2**63)
# Start or task data the task mirror copies into a column of its own (engine.runtime.mirror).
MIRRORED_LENGTHS = {"agency": column_length(TaskRecord, "agency")}

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a database could not store this text (a NUL, an unpaired surrogate), or None."""
    found = _UNSTORABLE_TEXT.search(text)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "contains an unpaired surrogate (not UTF-8)"


def storable_problem(value: object, root: str = "data") -> tuple[str, str] | None:
    """The first (path, problem) that keeps `value` from being stored and read back as JSON, or None."""
    pending: list[tuple[object, str, int]] = [(value, root, 0)]
    while pending:
        current, path, depth = pending.pop()
        if isinstance(current, (dict, list)):
            if depth >= MAX_DEPTH:
                return path, f"is nested deeper than {MAX_DEPTH} levels"
            if isinstance(current, dict):
                for key, item in current.items():
                    if isinstance(key, str) and (problem := text_problem(key)):
                        return path, f"has a key that {problem}"
                    pending.append((item, f"{path}.{key}", depth + 1))
            else:
                pending.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(current))
        elif isinstance(current, float) and not math.isfinite(current):
            return path, "is not a finite number (NaN and Infinity are not JSON)"
        elif isinstance(current, int) and not isinstance(current, bool) and current not in _INT64:
            return path, "is an integer beyond 64 bits"
        elif isinstance(current, str) and (problem := text_problem(current)):
            return path, problem
    return None


def data_problem(data: object, root: str = "data") -> tuple[str, str] | None:
    """`storable_problem`, then the values of `data` that reach a column of their own."""
    found = storable_problem(data, root)
    if found is not None or not isinstance(data, dict):
        return found
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        limit = MIRRORED_LENGTHS.get(key)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            return f"{root}.{key}", f"is longer than {limit} characters"
        if (key.endswith("_id") and isinstance(value, int) and not isinstance(value, bool)
                and not 0 <= value <= DATABASE_INTEGER_MAX):
            return f"{root}.{key}", f"is not a record id (0 to {DATABASE_INTEGER_MAX})"
    return None


def check_data(data: object) -> None:
    """Raise `InvalidTaskData` naming the field when `data_problem` finds one."""
    found = data_problem(data)
    if found is not None:
        path, problem = found
        field = path.removeprefix("data.").split(".")[0].split("[")[0]
        raise InvalidTaskData(f"{path} {problem}", fields={field: f"{path} {problem}"})
