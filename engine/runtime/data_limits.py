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

from engine.models import TaskRecord
from engine.models.base import column_length
from engine.platform.json_values import json_problem
from engine.runtime.errors import InvalidTaskData

# Diagrams' forms are flat and start data nests a list of records at most; twenty levels leaves room for
# structured data while keeping every recursive consumer (serializer, deepcopy, audit) far from its limit.
MAX_DEPTH = 20
DATABASE_INTEGER_MAX = 2**31 - 1  # INTEGER, the type of every id column
# Start or task data the task mirror copies into a column of its own (engine.runtime.mirror).
MIRRORED_LENGTHS = {"agency": column_length(TaskRecord, "agency")}


def storable_problem(value: object, root: str = "data") -> tuple[str, str] | None:
    """The first (path, problem) that keeps `value` from being stored and read back as JSON, or None."""
    return json_problem(value, root, max_depth=MAX_DEPTH, text=True)


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
