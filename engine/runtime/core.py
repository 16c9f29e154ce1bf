"""`Runtime`: the long-lived part of the engine a process holds once (caches, codec, script engine).

Everything here is safe to share between threads: caches lock internally, the script engine keeps no
per-workflow state, and the calendar is replaced wholesale, never mutated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.loader import LoadedDiagram, load_diagram
from engine.bpmn.scripting import RestrictedScriptEngine
from engine.calendar import WorkingCalendar
from engine.calendar.store import load_calendar
from engine.models import Diagram, ProcessVersion
from engine.runtime.cache import LruCache
from engine.runtime.errors import ProcessNotFound
from engine.runtime.serialization import WorkflowCodec
from engine.runtime.stages import ChoiceSource, StageCheck, StepContext

MAX_DIAGRAM_WORKING_DAYS = 1000  # about four years: far beyond any deadline the procedures set
DEADLINE_DAYS = "deadline_days"  # the start data key holding the policy's working-day figures

# The working-day figures of the policy in force for an instance's jurisdiction (None: none placed), stamped into
# its start data as `deadline_days` so its timers count with the policy, not with figures drawn in the diagram.
DeadlineFigures = Callable[[Session, int | None], Mapping[str, int]]
# Told of the timers that started waiting or moved at each save (session, workflow, timers), to copy due moments
# into the records people read: the domain registers these, the runtime knows no records.
DueListener = Callable[..., None]


@dataclass(frozen=True)
class VersionSpecs:
    version_id: int
    process_key: str
    version: int
    spec: object
    in_file: dict  # the diagram's other processes (embedded subprocesses, call targets in the same file)


class Runtime:
    def __init__(
        self,
        *,
        workflow_cache_size: int = 512,
        version_cache_size: int = 128,
        script_time_limit_s: float = 2.0,
        step_time_limit_s: float = 10.0,
        calendar_refresh_s: float = 30.0,
        stages: Mapping[str, StageCheck] | None = None,
        deadline_figures: DeadlineFigures | None = None,
        due_listeners: Sequence[DueListener] = (),
    ):
        self.stages: dict[str, StageCheck] = dict(stages or {})
        self.deadline_figures = deadline_figures
        self.due_listeners = tuple(due_listeners)
        self.codec = WorkflowCodec()
        # Form choices taken from the case (engine.bpmn.forms `choices_from`), registered by the domain.
        self.choice_sources: dict[str, ChoiceSource] = {}
        self.workflows: LruCache = LruCache(workflow_cache_size)
        self._versions: LruCache[VersionSpecs] = LruCache(version_cache_size)
        self.step_time_limit_s = step_time_limit_s
        self._calendar = WorkingCalendar()
        self._calendar_loaded = float("-inf")
        self._calendar_refresh_s = calendar_refresh_s
        self._calendar_lock = threading.Lock()
        self.script_engine = RestrictedScriptEngine(
            helpers={"working_days_after": self._working_days_after,
                     "is_working_day": lambda day: self._calendar.is_working_day_helper(day)},
            time_limit_s=script_time_limit_s,
        )

    def _working_days_after(self, day: object, n: object) -> str:
        # Counting walks the calendar year by year, building each year's table: bound it like any operation.
        if isinstance(n, int) and n > MAX_DIAGRAM_WORKING_DAYS:
            raise ValueError(f"working_days_after counts at most {MAX_DIAGRAM_WORKING_DAYS} working days, got {n}")
        return self._calendar.working_days_after(day, n)  # type: ignore[arg-type]

    # -- calendar ------------------------------------------------------------------------------------
    @property
    def calendar(self) -> WorkingCalendar:
        return self._calendar

    def refresh_calendar(self, session: Session, force: bool = False) -> WorkingCalendar:
        """Reload the imported schedules now and then, so that an import in another process is seen."""
        if force or time.monotonic() - self._calendar_loaded > self._calendar_refresh_s:
            with self._calendar_lock:
                self._calendar = load_calendar(session)
                self._calendar_loaded = time.monotonic()
        return self._calendar

    def step_context(self, session: Session, *, now: datetime, actor: str, instance_id: int | None,
                     business_key: str | None) -> StepContext:
        return StepContext(session=session, now=now, actor=actor, instance_id=instance_id,
                           business_key=business_key, calendar=self._calendar)

    # -- specs ---------------------------------------------------------------------------------------
    def version_specs(self, session: Session, version_id: int) -> VersionSpecs:
        cached = self._versions.get(version_id)
        if cached is not None:
            return cached
        row = session.execute(
            select(ProcessVersion.process_key, ProcessVersion.version, Diagram.xml, Diagram.source_name)
            .join(Diagram, Diagram.id == ProcessVersion.diagram_id)
            .where(ProcessVersion.id == version_id)
        ).one_or_none()
        if row is None:
            raise ProcessNotFound(f"process version {version_id} does not exist", version_id=version_id)
        diagram: LoadedDiagram = load_diagram(row.xml, row.source_name)
        specs = VersionSpecs(
            version_id=version_id,
            process_key=row.process_key,
            version=row.version,
            spec=diagram.specs[row.process_key],
            in_file={key: spec for key, spec in diagram.specs.items() if key != row.process_key},
        )
        self._versions.put(version_id, specs)
        return specs

    def workflow_specs(self, session: Session, version_id: int, spec_refs: dict[str, int]) -> tuple[object, dict]:
        """The top spec and every subprocess spec an instance needs, from the versions it is pinned to."""
        top = self.version_specs(session, version_id)
        subprocess_specs = dict(top.in_file)
        for key, ref_version_id in spec_refs.items():
            if ref_version_id == version_id:
                continue
            called = self.version_specs(session, ref_version_id)
            subprocess_specs.update(called.in_file)
            subprocess_specs[key] = called.spec
        return top.spec, subprocess_specs
