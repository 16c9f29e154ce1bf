"""What one run of diagram code may cost: the figures, the running script's deadline, and the cost walk.

A script is stopped near its time limit whatever it calls because of one invariant, which the guards
(`engine.bpmn.guards`, `safe_builtins`, `safe_methods`) keep: between two looks at the clock, restricted
code can set off at most one C-level operation, and that operation's cost was bounded before it ran.

- The clock: `deadline()` installs a per-thread `sys.settrace` hook while restricted code runs, which
  watches its frames opcode by opcode (line events alone miss `while True: pass`); every guard calls
  `check_time()` first, so a C loop that calls back into a guard (`all(map(f, ...))`) stops there too.
  The previous trace function is restored afterwards, so coverage and debuggers keep working. Signals are
  not used: they only work in the main thread. The hook also watches the process's peak memory: a script
  that raises it by more than `MAX_SCRIPT_MEMORY_MB` (growth the per-operation caps do not see, e.g. a
  loop that keeps copies) is stopped.
- The cost: a C-level walk (`==`, `in`, `hash` of a tuple, sorting, `str()`, a JSON encoder) meets a shared
  part every time it is referenced, so `[s] * 10**6` or `t = (t, t)` sixty times over costs what the
  whole unfolded tree does, not what it occupies in memory. `tree_size` counts that, in steps (an item,
  `TEXT_CHARS_PER_STEP` characters of text, `INT_BITS_PER_STEP` bits of an integer), and stops counting
  once past its limit, so measuring costs at most about as much as the limit allows the operation itself.
  `charge` refuses an operation above `MAX_OPERATION_STEPS` (roughly 30-60 ms of C on a slow core).

Concurrency: the deadline is per thread; everything else is stateless.
"""

from __future__ import annotations

import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import compress
from operator import is_
from types import FrameType
from typing import Any

from .errors import ScriptRefused, ScriptTimeout

# Results of + * extend join replace padding, str() and formatting; the length of range().
MAX_SEQUENCE_LENGTH = 1_000_000
# Integers made by * ** << int() from_bytes(); their arithmetic stays in the milliseconds.
MAX_INT_BITS = 100_000
# %-format and f-string widths and precisions.
MAX_FORMAT_WIDTH = 10_000
# One operation that walks, compares, hashes or sorts values.
MAX_OPERATION_STEPS = 1_000_000
TEXT_CHARS_PER_STEP = 64
INT_BITS_PER_STEP = 64
CONTAINER_STEPS = 16  # entering a container costs a C walk about as much as a dozen items
# Growth of the process's peak memory while one script runs.
MAX_SCRIPT_MEMORY_MB = 512

# Frames of restricted code carry this filename; SpiffWorkflow's error reporting looks for it to find
# the failing line, and the tracer uses it to know which frames to watch opcode by opcode.
SCRIPT_FILENAME = "<string>"

_running = threading.local()
_MEMORY_CHECK_EVERY_S = 0.01


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _expired(seconds: float) -> ScriptTimeout:
    return ScriptTimeout(f"the script ran longer than the limit of {seconds:g} s and was stopped")


def check_time() -> None:
    """Raise `ScriptTimeout` when the script running in this thread is past its deadline."""
    limit = getattr(_running, "limit", None)
    if limit is not None and time.monotonic() > limit:
        raise _expired(_running.seconds)


def timed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` looking at the script's clock before each call (it may be called item by item from a C
    loop, `map(function, ...)`, where no trace event happens)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        check_time()
        return function(*args, **kwargs)
    call.__name__ = call.__qualname__ = getattr(function, "__name__", "function")
    return call


@contextmanager
def deadline(seconds: float, memory_mb: float = MAX_SCRIPT_MEMORY_MB) -> Iterator[None]:
    """Stop restricted code running in this thread after `seconds` (`ScriptTimeout`), or when it raises
    the process's peak memory by more than `memory_mb` (`ScriptRefused`)."""
    limit = time.monotonic() + seconds
    memory_ceiling = _peak_memory_mb() + memory_mb
    next_memory_check = 0.0

    def watch_frame(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal next_memory_check
        now = time.monotonic()
        if now > limit:
            raise _expired(seconds)
        if now > next_memory_check:
            next_memory_check = now + _MEMORY_CHECK_EVERY_S
            if _peak_memory_mb() > memory_ceiling:
                raise ScriptRefused(f"the script used more than {memory_mb:g} MB of memory and was stopped")
        return watch_frame

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            # Trusted code (helpers, guards, the library) is never interrupted: an exception injected
            # into, say, a database call would leave it half done. Guards look at the clock themselves.
            return None
        if time.monotonic() > limit:
            raise _expired(seconds)
        frame.f_trace_opcodes = True
        return watch_frame

    previous = sys.gettrace()
    outer = getattr(_running, "limit", None), getattr(_running, "seconds", None)
    _running.limit, _running.seconds = limit, seconds
    sys.settrace(on_call)
    try:
        yield
    finally:
        sys.settrace(previous)
        _running.limit, _running.seconds = outer


# -- the cost walk ------------------------------------------------------------------------------------

_DICT_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
NESTED_TYPES = frozenset((list, tuple, set, frozenset, dict, *_DICT_VIEWS))
_is_str = partial(is_, str)
_is_int = partial(is_, int)
_SMALL = 8  # containers this small are walked item by item; bigger ones through C-level passes


def tree_size(value: Any, limit: int = MAX_OPERATION_STEPS, text_chars: int = TEXT_CHARS_PER_STEP) -> int:
    """The steps a walk of `value` takes when it meets every shared part each time it is referenced,
    counting `text_chars` characters of text as one step; counting stops soon after passing `limit`.

    Python iterates once per container, not per item: the items of a big container are classified by
    C-level passes (their types, the lengths of their texts, the bits of their integers), so at most
    about limit / CONTAINER_STEPS iterations are made. The script's
    trace hook is lifted meanwhile: while one is installed, CPython runs all Python code, ours included,
    about six times slower.
    """
    if type(value) not in NESTED_TYPES:
        return _tree_size(value, limit, text_chars)
    tracer = sys.gettrace()
    if tracer is None:
        return _tree_size(value, limit, text_chars)
    sys.settrace(None)
    try:
        return _tree_size(value, limit, text_chars)
    finally:
        sys.settrace(tracer)


def _tree_size(value: Any, limit: int, text_chars: int) -> int:
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str:
            total += 1 + len(item) // text_chars
        elif kind is int:
            total += 1 + item.bit_length() // INT_BITS_PER_STEP
        elif kind in NESTED_TYPES:
            items: Any = [*item.keys(), *item.values()] if kind is dict else item
            total += CONTAINER_STEPS + len(items)
            if total > limit:
                return total
            if len(items) <= _SMALL:
                for part in items:
                    part_kind = type(part)
                    if part_kind is str:
                        total += len(part) // text_chars
                    elif part_kind is int:
                        total += part.bit_length() // INT_BITS_PER_STEP
                    elif part is item:
                        return limit + 1  # it contains itself: a walk would never end
                    elif part_kind in NESTED_TYPES:
                        pending.append(part)
            else:
                types = list(map(type, items))
                kinds = set(types)
                if str in kinds:
                    total += sum(map(len, compress(items, map(_is_str, types)))) // text_chars
                if int in kinds:
                    total += sum(map(int.bit_length, compress(items, map(_is_int, types)))) // INT_BITS_PER_STEP
                if not kinds.isdisjoint(NESTED_TYPES):
                    pending.extend(compress(items, map(NESTED_TYPES.__contains__, types)))
        else:
            total += 1
        if total > limit:
            return total
    return total


def charge(steps: int, what: str) -> None:
    """Refuse an operation that would take more than `MAX_OPERATION_STEPS` steps."""
    if steps > MAX_OPERATION_STEPS:
        raise ScriptRefused(
            f"{what} would take more than {MAX_OPERATION_STEPS:,} steps (the limit for one operation); "
            "the values are too large"
        )


def charge_walk(value: Any, what: str, times: int = 1) -> None:
    """Refuse an operation that walks `value` `times` times when that passes the limit."""
    charge(tree_size(value, MAX_OPERATION_STEPS // max(times, 1)) * times, what)


def check_rendered_size(value: Any) -> Any:
    """Refuse a value whose text form (`str`, f-string, `%`) would pass the length limit; return it.

    The walk stops as soon as the estimate passes the limit, so it costs at most that many steps, even
    for a list holding the same long string a million times or a list that contains itself.
    """
    if isinstance(value, str):
        too_long(len(value), "text")
        return value
    if type(value) not in NESTED_TYPES:
        return value
    if tree_size(value, MAX_SEQUENCE_LENGTH, text_chars=1) > MAX_SEQUENCE_LENGTH:
        raise ScriptRefused(f"the value's text would be longer than the limit of {MAX_SEQUENCE_LENGTH:,}")
    return value


def too_long(length: int, what: str = "sequence") -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise ScriptRefused(f"the {what} would have {length:,} items; the limit is {MAX_SEQUENCE_LENGTH:,}")


def int_too_big(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptRefused(f"the number would have about {bits:,} bits; the limit is {MAX_INT_BITS:,}")
