"""A jurisdiction's inspection policy: every figure of DOMAIN.md as data an administrator edits.

Owns the policy document's shape, its defaults, its validation (errors name the field) and the two
presets. Stored as JSON in `jurisdiction.policy`; `from_json(to_json(p)) == p`. No storage, no clock.

The timing window (R10/R14) is one setting used two opposite ways:
- "blocked" (Yunhe 002(三), R10): the window is the 企业安静期; nothing enters it unless an exemption
  from R12 applies, and then the head approves and files within 3 WD (R11). B-class enterprises get a
  longer quiet period (002(六) says only "延长"): we start theirs on the 16th — the second half of the
  month — which lengthens it by five days while leaving half of every month for the one inspection a
  year a B-class enterprise may receive (R17).
- "allowed" (Kaifeng 003(一), R14): routine inspections happen only inside the window; outside it only
  with an R14 exemption or for an enterprise with an exempting sector tag.
"""

from __future__ import annotations

import json
from calendar import monthrange
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from engine.models.vocabulary import (
    ALLOWED_WINDOW_EXEMPTIONS,
    CREDIT_CLASSES,
    NOTICE_EXEMPTIONS,
    QUIET_PERIOD_EXEMPTIONS,
    SECTOR_TAGS,
    TRIGGER_KINDS,
)

WINDOW_MODES = ("blocked", "allowed")
WINDOW_APPLIES_TO = ("all", "routine")
SCHEMA_VERSION = 1


class PolicyError(ValueError):
    """A policy document is invalid; `field` is the dotted path of the offending field. The English message is for
    the API, the CLI and the logs; `code` and `params` let a page say it in the visitor's language
    (web.engine_messages.policy_problem)."""

    def __init__(self, field_path: str, message: str, code: str = "invalid", **params: object) -> None:
        super().__init__(f"policy field {field_path!r}: {message}")
        self.field = field_path
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TimingWindow:
    """Days of every month (first_day..last_day, None = the month's last day) that are blocked or allowed."""

    mode: str = "blocked"
    applies_to: str = "all"  # blocked quiet periods cover every inspection; Kaifeng's window routine ones
    first_day: int = 21  # 下旬 = the 21st to the last day of the month
    last_day: int | None = None
    first_day_by_credit_class: dict[str, int] = field(default_factory=lambda: {"B": 16})
    exemptions: tuple[str, ...] = tuple(QUIET_PERIOD_EXEMPTIONS)
    exempt_sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    """R8: advance notice of items, time and inspectors at least `working_days` WD before."""

    working_days: int = 5
    exemptions: tuple[str, ...] = tuple(NOTICE_EXEMPTIONS)


@dataclass(frozen=True)
class Alerts:
    """R16, R21 thresholds."""

    multi_head_agencies: int = 3  # 多头: this many agencies at one enterprise ...
    multi_head_window_days: int = 30  # ... within this many calendar days
    repeat_window_days: int = 30  # 重复: same agency, overlapping items, within this many calendar days
    triggered_reasonable_per_year: int = 4  # R16 reasonable frequency of triggered inspections


@dataclass(frozen=True)
class Deadlines:
    """Working-day periods (R7, R11, R13, R24–R26, 督办). The diagrams' timers read these figures (as
    `deadline_days`, stamped into an instance's data when it starts: `deadline_figures`), so a figure changed
    here moves the next instances' due moments, never a running one's. The defaults after R13 are DOMAIN.md's
    choices where the seeds give none."""

    retroactive_approval: int = 1  # R7
    quiet_override_filing: int = 3  # R11
    research_visit_filing: int = 3  # R13
    complaint_accept: int = 1  # R26
    complaint_reply: int = 15  # R26
    revisit: int = 10  # R25 罚后回访
    rectification: int = 10  # R25 企业整改, from the assignment (交办)
    inspection_rating: int = 5  # R24 企业评价, from the inspection record
    complaint_rating: int = 5  # R26 投诉人评价, from the reply
    supervision: int = 5  # 督办: from the deadline it supervises


@dataclass(frozen=True)
class Policy:
    window: TimingWindow = field(default_factory=TimingWindow)
    # R15/R17 on-site routine inspections per agency per enterprise per year; None = no cap (D may be raised).
    caps: dict[str, int | None] = field(default_factory=lambda: {"A": 0, "B": 1, "C": 2, "D": None})
    cap_without_class: int = 2  # R15 for an enterprise not yet graded
    trigger_kinds: tuple[str, ...] = tuple(TRIGGER_KINDS)
    notice: Notice = field(default_factory=Notice)
    alerts: Alerts = field(default_factory=Alerts)
    deadlines: Deadlines = field(default_factory=Deadlines)
    joint_rate_targets: dict[int, float] = field(default_factory=lambda: {2025: 0.6, 2026: 0.7, 2027: 0.8})

    def cap_for(self, credit_class: str | None) -> int | None:
        """The yearly cap for an enterprise of this class (R15, R17); None = uncapped."""
        return self.cap_without_class if credit_class is None else self.caps[credit_class]

    def window_first_day(self, credit_class: str | None) -> int:
        return self.window.first_day_by_credit_class.get(credit_class or "", self.window.first_day)

    def window_contains(self, day: date, credit_class: str | None = None) -> bool:
        """Whether `day` lies in the window (quiet period when blocked, routine days when allowed).

        Only days of the month: 下旬 is calendar days, no working-day arithmetic involved.
        """
        last = self.window.last_day or monthrange(day.year, day.month)[1]
        return self.window_first_day(credit_class) <= day.day <= last

    def joint_rate_target(self, year: int) -> float | None:
        """R19 target for `year`: the latest target set for that year or before (targets only rise)."""
        known = [y for y in self.joint_rate_targets if y <= year]
        return self.joint_rate_targets[max(known)] if known else None


def yunhe_style() -> Policy:
    """Yunhe (002): the last third of the month is a quiet period (R10–R12), longer for B-class."""
    return Policy()


def kaifeng_style() -> Policy:
    """Kaifeng (003): routine inspections only in the last third of the month, with R14's exemptions."""
    return Policy(
        window=TimingWindow(
            mode="allowed",
            applies_to="routine",
            first_day=21,
            last_day=None,
            first_day_by_credit_class={},
            exemptions=tuple(ALLOWED_WINDOW_EXEMPTIONS),
            exempt_sectors=tuple(SECTOR_TAGS),
        )
    )


def default_policy() -> Policy:
    return yunhe_style()


def deadline_figures(policy: Policy) -> dict[str, int]:
    """The working-day figures a procedure's timers count with (`deadline_days` in its data): every deadline
    plus the notice period (R8)."""
    return {**asdict(policy.deadlines), "notice": policy.notice.working_days}


# -- JSON ---------------------------------------------------------------------------------------------


def policy_of(document: dict[str, Any] | None) -> Policy:
    """A jurisdiction's stored policy document ({} or None: the defaults)."""
    return from_json(document) if document else default_policy()


def to_json(policy: Policy) -> dict[str, Any]:
    """The document stored in jurisdiction.policy (JSON-safe: year keys become strings)."""
    document = asdict(policy)
    document["schema"] = SCHEMA_VERSION
    document["joint_rate_targets"] = {str(year): rate for year, rate in policy.joint_rate_targets.items()}
    for section in ("window", "notice"):
        for key, value in document[section].items():
            if isinstance(value, tuple):
                document[section][key] = list(value)
    document["trigger_kinds"] = list(policy.trigger_kinds)
    return document


def dumps(policy: Policy) -> str:
    return json.dumps(to_json(policy), ensure_ascii=False, sort_keys=True)


def from_json(document: dict[str, Any] | str) -> Policy:
    """Build and validate a policy. Missing fields take the defaults; unknown or wrong fields are refused."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError("$", f"not JSON: {exc}", "not_json") from None
    data = _mapping(document, "$")
    data = dict(data)
    schema = data.pop("schema", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        raise PolicyError("schema", f"unsupported version {schema!r} (expected {SCHEMA_VERSION})", "unsupported_schema",
                          value=schema)
    _known(data, Policy, "")
    defaults = Policy()
    window = _window(data.get("window", {}))
    caps = _caps(data.get("caps", defaults.caps))
    cap_without_class = _count(data.get("cap_without_class", defaults.cap_without_class), "cap_without_class", 0)
    trigger_kinds = _codes(data.get("trigger_kinds", list(defaults.trigger_kinds)), "trigger_kinds", TRIGGER_KINDS)
    notice_data = dict(_mapping(data.get("notice", {}), "notice"))
    _known(notice_data, Notice, "notice.")
    notice = Notice(
        working_days=_count(notice_data.get("working_days", Notice.working_days), "notice.working_days", 0),
        exemptions=_codes(notice_data.get("exemptions", list(NOTICE_EXEMPTIONS)), "notice.exemptions",
                          NOTICE_EXEMPTIONS),
    )
    alerts = Alerts(**_counts(data.get("alerts", {}), Alerts, "alerts", minimum=1))
    deadlines = Deadlines(**_counts(data.get("deadlines", {}), Deadlines, "deadlines", minimum=1))
    targets = _targets(data.get("joint_rate_targets", {str(y): r for y, r in defaults.joint_rate_targets.items()}))
    return Policy(window=window, caps=caps, cap_without_class=cap_without_class, trigger_kinds=trigger_kinds,
                  notice=notice, alerts=alerts, deadlines=deadlines, joint_rate_targets=targets)


def _window(value: object) -> TimingWindow:
    data = dict(_mapping(value, "window"))
    _known(data, TimingWindow, "window.")
    mode = data.get("mode", "blocked")
    if mode not in WINDOW_MODES:
        raise PolicyError("window.mode", f"must be one of {WINDOW_MODES}, got {mode!r}", "not_one_of", value=mode)
    blocked = mode == "blocked"
    applies_to = data.get("applies_to", "all" if blocked else "routine")
    if applies_to not in WINDOW_APPLIES_TO:
        raise PolicyError("window.applies_to", f"must be one of {WINDOW_APPLIES_TO}, got {applies_to!r}", "not_one_of",
                          value=applies_to)
    first_day = _day(data.get("first_day", 21), "window.first_day")
    last_day = data.get("last_day")
    if last_day is not None:
        last_day = _day(last_day, "window.last_day")
        if last_day < first_day:
            raise PolicyError("window.last_day", f"{last_day} is before window.first_day {first_day}",
                              "before_first_day", value=last_day, first=first_day)
    by_class_default = {"B": 16} if blocked else {}
    by_class = {}
    for credit_class, day in _mapping(data.get("first_day_by_credit_class", by_class_default),
                                      "window.first_day_by_credit_class").items():
        path = f"window.first_day_by_credit_class.{credit_class}"
        if credit_class not in CREDIT_CLASSES:
            raise PolicyError(path, f"unknown credit class (expected one of {CREDIT_CLASSES})", "unknown_credit_class")
        by_class[credit_class] = _day(day, path)
        if last_day is not None and by_class[credit_class] > last_day:
            raise PolicyError(path, f"{by_class[credit_class]} is after window.last_day {last_day}", "after_last_day",
                              value=by_class[credit_class], last=last_day)
    vocabulary = QUIET_PERIOD_EXEMPTIONS if blocked else ALLOWED_WINDOW_EXEMPTIONS
    exemptions = _codes(data.get("exemptions", list(vocabulary)), "window.exemptions", vocabulary)
    sectors = _codes(data.get("exempt_sectors", [] if blocked else list(SECTOR_TAGS)), "window.exempt_sectors",
                     SECTOR_TAGS)
    return TimingWindow(mode=mode, applies_to=applies_to, first_day=first_day, last_day=last_day,
                        first_day_by_credit_class=by_class, exemptions=exemptions, exempt_sectors=sectors)


def _caps(value: object) -> dict[str, int | None]:
    data = _mapping(value, "caps")
    caps: dict[str, int | None] = {}
    for key in data:
        if key not in CREDIT_CLASSES:
            raise PolicyError(f"caps.{key}", f"unknown credit class (expected one of {CREDIT_CLASSES})",
                              "unknown_credit_class")
    for credit_class in CREDIT_CLASSES:
        if credit_class not in data:
            raise PolicyError(f"caps.{credit_class}", "missing (give a number, or null for no cap)", "missing")
        cap = data[credit_class]
        caps[credit_class] = None if cap is None else _count(cap, f"caps.{credit_class}", 0)
    return caps


def _targets(value: object) -> dict[int, float]:
    targets: dict[int, float] = {}
    for key, rate in _mapping(value, "joint_rate_targets").items():
        path = f"joint_rate_targets.{key}"
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise PolicyError(path, "the key must be a year", "not_a_year") from None
        if not 2000 <= year <= 2100:
            raise PolicyError(path, f"year {year} out of range", "year_out_of_range", year=year)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise PolicyError(path, f"must be a share between 0 and 1 (0.6 = 60%), got {rate!r}", "not_a_share",
                              value=rate)
        targets[year] = float(rate)
    return dict(sorted(targets.items()))


def _counts(value: object, kind: type, path: str, minimum: int) -> dict[str, int]:
    data = dict(_mapping(value, path))
    _known(data, kind, f"{path}.")
    return {key: _count(number, f"{path}.{key}", minimum) for key, number in data.items()}


def _mapping(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(path, f"must be an object, got {type(value).__name__}", "not_an_object")
    return value


def _known(data: dict[str, Any], kind: type, prefix: str) -> None:
    names = {f.name for f in fields(kind)}
    for key in data:
        if key not in names:
            raise PolicyError(f"{prefix}{key}", f"unknown field (known: {', '.join(sorted(names))})", "unknown_field")


def _count(value: object, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(path, f"must be a whole number, got {value!r}", "not_whole_number", value=value)
    if value < minimum:
        raise PolicyError(path, f"must be at least {minimum}, got {value}", "below_minimum", value=value,
                          minimum=minimum)
    return value


def _day(value: object, path: str) -> int:
    day = _count(value, path, 1)
    if day > 31:
        raise PolicyError(path, f"a day of the month is 1–31, got {day}", "not_a_day", value=day)
    return day


def _codes(value: object, path: str, vocabulary: dict[str, str]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyError(path, f"must be a list, got {type(value).__name__}", "not_a_list")
    for index, code in enumerate(value):
        if code not in vocabulary:
            raise PolicyError(f"{path}[{index}]", f"unknown code {code!r} (known: {', '.join(vocabulary)})",
                              "unknown_code", value=code)
    if len(set(value)) != len(value):
        raise PolicyError(path, "lists a code twice", "duplicate_code")
    return tuple(value)
