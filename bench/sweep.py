"""Sweep benchmark: how long one sweep takes to fire N due timers (issue 13: 1,000 due in under 1 s on PostgreSQL).

Run: `python bench/sweep.py` (PostgreSQL database `bench_sweep` on 127.0.0.1, created if missing and emptied), or
`python bench/sweep.py --database-url sqlite:////tmp/sweep.db`. Each repetition starts N fresh instances of
bench/timer_wait.bpmn, a user task whose boundary timer is due, with the clock before the due moment, then times
one sweep with the clock after it (one instance per timer; firing closes the task and opens an escalation task).
The workflow cache is cleared before each sweep: the scheduler process that sweeps did not start these instances.
Prints each repetition (wall time, and this process's CPU time, which a loaded machine disturbs less; the
database server's work is not in it) and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from engine.background.sweep import sweep  # noqa: E402
from engine.models import Deadline  # noqa: E402
from engine.platform.clock import FrozenClock, bind_library_clock  # noqa: E402
from engine.platform.db import make_engine, make_write_session_factory  # noqa: E402
from engine.runtime import Runtime, deploy, instances  # noqa: E402
from migrations import recreate_postgres_schema, upgrade  # noqa: E402

DIAGRAM = Path(__file__).resolve().parent / "timer_wait.bpmn"
PROCESS = "timer_wait"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_sweep"
STARTED = FrozenClock("2026-09-30T10:00:00+08:00")
DUE = "2026-09-30T12:00:00+08:00"
SWEPT = FrozenClock("2026-09-30T12:00:01+08:00")
STARTS_PER_TRANSACTION = 100


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        upgrade(url)
        return
    recreate_postgres_schema(url)


def start_waiting(runtime: Runtime, sessions, count: int) -> None:
    """`count` instances, each waiting on one timer due at DUE."""
    for first in range(0, count, STARTS_PER_TRANSACTION):
        with sessions.begin() as session:
            for _ in range(min(STARTS_PER_TRANSACTION, count - first)):
                instances.start_instance(runtime, session, STARTED, process_key=PROCESS, data={"due": DUE},
                                         actor="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("-n", "--due", type=int, default=1000, help="due timers per sweep (default 1,000)")
    parser.add_argument("-r", "--repetitions", type=int, default=5)
    parser.add_argument("--per-transaction", type=int, default=50,
                        help="instances per sweep transaction (INSPECTFLOW_SWEEP_BATCH; default 50)")
    args = parser.parse_args()

    bind_library_clock()
    fresh_database(args.database_url)
    engine = make_engine(args.database_url)
    sessions = make_write_session_factory(engine)
    runtime = Runtime()
    with sessions.begin() as session:
        deploy.deploy(runtime, session, STARTED, xml=DIAGRAM.read_bytes(), source_name=DIAGRAM.name, actor="bench")
    gc.freeze()  # as `inspectflow scheduler` does after start-up
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    for repetition in range(args.repetitions):
        start_waiting(runtime, sessions, args.due)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE deadline"))
        runtime.workflows.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        report = sweep(runtime, sessions, SWEPT, per_transaction=args.per_transaction)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert len(report.fired) == args.due and not report.failed, (len(report.fired), report.failed[:3])
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(Deadline)) == 0
        seconds.append(elapsed)
        cpu_seconds.append(cpu)
        print(f"repetition {repetition + 1}: {args.due} due fired in {elapsed:.3f} s "
              f"({args.due / elapsed:,.0f} timers/s; this process's CPU {cpu:.3f} s)", flush=True)
    engine.dispose()
    best, middle = min(seconds), median(seconds)
    print(f"{engine.dialect.name}: median {middle:.3f} s ({args.due / middle:,.0f} timers/s), best {best:.3f} s, "
          f"median CPU of this process {median(cpu_seconds):.3f} s", flush=True)
    print(json.dumps({"backend": engine.dialect.name, "due": args.due, "per_transaction": args.per_transaction,
                      "seconds": [round(s, 3) for s in seconds], "median_s": round(middle, 3),
                      "median_cpu_s": round(median(cpu_seconds), 3),
                      "timers_per_s": round(args.due / middle)}))


if __name__ == "__main__":
    main()
