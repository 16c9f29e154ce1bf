"""Injected time.

Every engine function that needs "now" takes a `Clock`. SpiffWorkflow's timer code calls
`datetime.now(timezone.utc)` directly; `running_with(clock)` — which the runtime wraps around every call into
the library — points that module at `clock` for the block (`bind_library_clock`), so a clock pinned by
INSPECTFLOW_CLOCK, `sweep --at` or a test governs the library's timer checks too, in the app, the CLI and the
scheduler alike, without anyone having to bind it by hand.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOCK_ENV = "INSPECTFLOW_CLOCK"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until told to move (tests, `sweep --at`, INSPECTFLOW_CLOCK)."""

    def __init__(self, moment: datetime | str):
        self._moment = to_utc(parse_moment(moment) if isinstance(moment, str) else moment)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime | str) -> None:
        self._moment = to_utc(parse_moment(moment) if isinstance(moment, str) else moment)

    def advance(self, delta: timedelta) -> None:
        self._moment += delta


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment; without an offset it is read as Asia/Shanghai time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 moment: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: inspectflow stores only timezone-aware moments")
    return moment.astimezone(UTC)


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    """The clock a command or the app runs with: pinned by INSPECTFLOW_CLOCK, else the system clock."""
    pinned = (environ if environ is not None else os.environ).get(CLOCK_ENV)
    return FrozenClock(pinned) if pinned else SystemClock()


_SYSTEM_CLOCK = SystemClock()
_current: contextvars.ContextVar[Clock] = contextvars.ContextVar("inspectflow_clock")


def current_clock() -> Clock:
    return _current.get(_SYSTEM_CLOCK)


@contextlib.contextmanager
def running_with(clock: Clock) -> Iterator[Clock]:
    """Make `clock` the one SpiffWorkflow's timer code sees for the duration of the block."""
    bind_library_clock()
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


class _LibraryDatetime(datetime):
    """`datetime` whose now() answers from the current injected clock."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        moment = _current.get(_SYSTEM_CLOCK).now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone(SHANGHAI).replace(tzinfo=None)


def bind_library_clock() -> None:
    """Idempotently route SpiffWorkflow's timer module through the injected clock.

    Outside a `running_with` block the library still sees the system clock, as before binding."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    if timer.datetime is not _LibraryDatetime:  # type: ignore[attr-defined]
        timer.datetime = _LibraryDatetime  # type: ignore[attr-defined, misc]
