"""The engine objects one app holds: database engine and sessions, the runtime, and the clock source."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.commands import Work
from engine.domain.case_choices import CHOICE_SOURCES
from engine.domain.complaint_process import COMPLAINT_STAGES
from engine.domain.due_records import copy_due_moments, figures_for
from engine.domain.stages import INSPECTION_STAGES
from engine.platform.attachment_store import AttachmentStore
from engine.platform.clock import Clock, clock_from_env
from engine.platform.db import make_engine, make_session_factory, make_write_session_factory
from engine.runtime import Runtime


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]  # reading
    write_sessions: sessionmaker[Session]  # units of work that write (see engine.platform.db)
    runtime: Runtime
    clock_factory: Callable[[], Clock]
    attachments: AttachmentStore  # where attached files' bytes live (web.config ATTACHMENT_DIR)

    def clock(self) -> Clock:
        return self.clock_factory()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit when the block succeeds, roll back when it raises."""
        with self.write_sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextlib.contextmanager
    def work(self) -> Iterator[Work]:
        """A transaction as the unit of work an engine command runs in (engine.commands)."""
        with self.transaction() as session:
            yield Work(session, self.clock(), self.runtime)


def build_services(app: Flask) -> Services:
    engine = make_engine(app.config["DATABASE_URL"])
    clock_factory = app.config.get("CLOCK_FACTORY") or clock_from_env
    runtime = Runtime(
        workflow_cache_size=app.config["WORKFLOW_CACHE_SIZE"],
        script_time_limit_s=app.config["SCRIPT_TIME_LIMIT_S"],
        stages={**INSPECTION_STAGES, **COMPLAINT_STAGES},
        deadline_figures=figures_for,
        due_listeners=(copy_due_moments,),
    )
    runtime.choice_sources.update(CHOICE_SOURCES)
    return Services(engine=engine, sessions=make_session_factory(engine),
                    write_sessions=make_write_session_factory(engine), runtime=runtime,
                    clock_factory=clock_factory,
                    attachments=AttachmentStore(app.config["ATTACHMENT_DIR"], app.config["ATTACHMENT_MAX_BYTES"]))


def services() -> Services:
    return current_app.extensions["inspectflow"]
