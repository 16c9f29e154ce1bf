"""Bare ISO 8601 literals in timer expressions.

SpiffWorkflow evaluates a timer's text as Python and hands the result to its ISO 8601 parser, so a
modeler who types `PT1H`, `P5D`, `R3/PT10M` or `2026-10-08T09:00:00+08:00` without quotes gets a
NameError or SyntaxError (or, worse, `2026-10-18` evaluates to the number 1998). We accept such literals
as their text. Recognition is strict: a regular expression for the shape, then SpiffWorkflow's own
parser must accept it, so what we pass through is exactly what the timer code will understand.
Anything else is an expression and goes through the restricted compiler.

`looks_like_iso_literal` catches near misses (`P1X`, `PT1H30`, `2026-13-01`) so they are refused with a
clear reason instead of running as a variable name.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

IsoKind = Literal["date", "duration", "cycle"]
TIMER_KINDS: dict[str, IsoKind] = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = (
    rf"P(?=\d)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
_DURATION_OR_TIME_ONLY = rf"PT(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?"
_DATE_TIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
_ANY_DURATION = rf"(?:{_DURATION}|{_DURATION_OR_TIME_ONLY})"

_DURATION_RE = re.compile(rf"{_ANY_DURATION}\Z")
_DATE_RE = re.compile(rf"{_DATE_TIME}\Z")
_CYCLE_RE = re.compile(
    rf"R\d*/(?:{_ANY_DURATION}|{_DATE_TIME}/{_ANY_DURATION}|{_ANY_DURATION}/{_DATE_TIME})\Z"
)
# ISO 8601 allows a fraction only on the smallest unit given; SpiffWorkflow's parser silently drops an
# earlier fractional component ("P1.5DT1H" would be one hour), so such text is not a literal.
_EARLY_FRACTION = re.compile(r"[.,]\d+[YMWDHS](?=.*[YMWDHS])")
_ISO_ATTEMPT = re.compile(r"(?:R\d*/|P\d|PT\d|\d{4}-\d{1,2})", re.IGNORECASE)


def iso_literal_kind(text: str | None) -> IsoKind | None:
    """'date', 'duration' or 'cycle' if `text` is a bare ISO 8601 literal our timers accept, else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        if _DURATION_RE.match(text):
            if _EARLY_FRACTION.search(text):
                return None
            TimerEventDefinition.parse_iso_duration(text)
            return "duration"
        if _DATE_RE.match(text):
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            return "date"
        if _CYCLE_RE.match(text):
            if any(_EARLY_FRACTION.search(part) for part in text.split("/") if part.startswith("P")):
                return None
            TimerEventDefinition.parse_iso_recurring_interval(text)
            return "cycle"
    except Exception:
        return None
    return None


def is_iso_literal(text: str | None) -> bool:
    """True if `text` is a bare ISO 8601 duration, date-time or repeating interval (see module doc)."""
    return iso_literal_kind(text) is not None


def looks_like_iso_literal(text: str | None) -> bool:
    """True if `text` seems meant as an ISO 8601 literal, whether or not it is a valid one."""
    return isinstance(text, str) and _ISO_ATTEMPT.match(text.strip()) is not None
