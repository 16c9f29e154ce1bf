"""The unit of work a command runs in: one session (one transaction, committed by the caller), the clock and the
workflow runtime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.platform.clock import Clock
from engine.runtime import Runtime


@dataclass(frozen=True)
class Work:
    session: Session
    clock: Clock
    runtime: Runtime

    def now(self) -> datetime:
        return self.clock.now()
