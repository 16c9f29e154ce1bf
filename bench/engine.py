"""Engine benchmark: in-memory SpiffWorkflow vs inspectflow's persisted runtime, and the deadline sweep.

Run: `python bench/engine.py` (set TEST_DATABASE_URL to include PostgreSQL). Prints figures as it goes;
the last line is one JSON object with the keys the README's performance section records. (a) and (b) run in
rounds, each setting once per round in turn: in-memory, then per backend the persisted runtime through 1, 2
and 4 concurrent worker processes (each with its own connection and runtime; their rates are summed). (c) is
the sweep (bench/sweep.py times it alone). (d) runs the hostile scripts of issue 10 while another thread ticks
every millisecond, and records how long they took to be stopped and the longest the other thread waited.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from engine.background.sweep import sweep  # noqa: E402
from engine.models import Deadline, ProcessInstance  # noqa: E402
from engine.platform.clock import FrozenClock, bind_library_clock  # noqa: E402
from engine.platform.db import make_engine, make_write_session_factory  # noqa: E402
from engine.runtime import Runtime, deploy, instances  # noqa: E402
from engine.runtime.deploy import latest_version  # noqa: E402
from migrations import recreate_postgres_schema, upgrade  # noqa: E402

DIAGRAM = Path(__file__).resolve().parent / "five_tasks.bpmn"
PROCESS = "five_tasks"
CLOCK = FrozenClock("2026-09-30T10:00:00+08:00")


# (a) and (b) alternate in short rounds; a ratio is the median of each round's b/a, so that a slow spell of
# the machine, which hits the neighbours alike, does not skew it. Rates are the medians of the rounds.
ROUNDS = 7
WORKERS = (1, 2, 4)  # concurrent persisted workers (processes, each with its own connection) per setting


def inmemory_per_s(seconds: float = 1.5) -> float:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec = parser.get_spec(PROCESS)
    engine = PythonScriptEngine()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        workflow = BpmnWorkflow(spec, script_engine=engine)
        workflow.do_engine_steps()
        for step in range(5):
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data["score"] = step
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed()
        done += 1
    return done / (time.perf_counter() - started)


def fresh_database(url: str | None) -> str:
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        upgrade(url)
    else:
        recreate_postgres_schema(url)
    return url


def deploy_five_tasks(url: str) -> None:
    engine = make_engine(url)
    with make_write_session_factory(engine).begin() as session:
        deploy.deploy(Runtime(), session, CLOCK, xml=DIAGRAM.read_bytes(), source_name=DIAGRAM.name, actor="bench")
    engine.dispose()


def persisted_per_s(url: str, seconds: float = 1.5, start: Any = None) -> float:
    """Instances per second through one worker: its own engine, connection and runtime, one transaction per
    step, as a worker of the app runs them. `start`, a barrier, lines up concurrent workers."""
    engine = make_engine(url)
    sessions = make_write_session_factory(engine)
    runtime = Runtime()
    session = sessions()
    with session.begin():  # connect before the clock starts
        session.execute(text("SELECT 1"))
    if start is not None:
        start.wait()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        with session.begin():
            instance = instances.start_instance(runtime, session, CLOCK, process_key=PROCESS, data={}, actor="bench")
        task_id = instance.open_tasks[0]["id"]
        for step in range(5):
            with session.begin():
                result = instances.complete_task(runtime, session, CLOCK, task_id=task_id, data={"score": step},
                                                 actor="bench")
            task_id = result.open_tasks[0]["id"] if result.open_tasks else None
        assert result.status == "completed"
        done += 1
    elapsed = time.perf_counter() - started
    session.close()
    engine.dispose()
    return done / elapsed


def _worker(url: str, start: Any, rates: Any) -> None:
    rates.put(persisted_per_s(url, start=start))


def concurrent_per_s(url: str, workers: int) -> float:
    """Instances per second of `workers` processes stepping at once (each as `persisted_per_s`), summed."""
    if workers == 1:
        return persisted_per_s(url)
    context = multiprocessing.get_context("fork")
    start, rates = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_worker, args=(url, start, rates)) for _ in range(workers)]
    for process in processes:
        process.start()
    total = sum(rates.get() for _ in processes)
    for process in processes:
        process.join()
        assert process.exitcode == 0, process.exitcode
    return total


def sweep_figures(url: str, open_deadlines: int = 100_000, due: int = 1_000) -> tuple[float, float]:
    """Sweep time with `open_deadlines` rows of which none / `due` are due."""
    engine = make_engine(url)
    sessions = make_write_session_factory(engine)
    runtime = Runtime()
    with sessions.begin() as session:
        deploy.deploy(runtime, session, CLOCK, xml=(Path(__file__).resolve().parent.parent / "tests" / "fixtures"
                                                   / "timer_escalation.bpmn").read_bytes(),
                      source_name="timer_escalation.bpmn", actor="bench")
    # The due ones are real instances whose boundary timer is due on 2026-10-08 (1 WD after Sep 30).
    for _ in range(due):
        with sessions.begin() as session:
            instances.start_instance(runtime, session, CLOCK, process_key="timer_escalation",
                                     data={"inspection_date": "2026-09-30"}, actor="bench")
    # The rest are far-future rows on placeholder instances: they must never be touched by these sweeps.
    with sessions.begin() as session:
        version_id = latest_version(session, "timer_escalation").id
        now = CLOCK.now()
        filler = open_deadlines - due
        session.execute(insert(ProcessInstance), [
            dict(process_version_id=version_id, process_key="timer_escalation", business_key=None, status="running",
                 serialized="{}", spec_refs={}, lock_version=1, started_by="bench", created_at=now, updated_at=now)
            for _ in range(filler)
        ])
        first_id = session.execute(text("SELECT max(id) FROM process_instance")).scalar_one() - filler + 1
        session.execute(insert(Deadline), [
            dict(id=str(uuid.uuid4()), instance_id=first_id + i, element_id="Late",
                 due_at=now + timedelta(days=400 + i % 300), provisional=False, created_at=now)
            for i in range(filler)
        ])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE deadline"))
    runtime.workflows.clear()  # a sweeping scheduler process starts with nothing cached

    not_yet = FrozenClock("2026-10-01T00:00:00+08:00")
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        report = sweep(runtime, sessions, not_yet)
        timings.append((time.perf_counter() - started) * 1000)
        assert report.fired == []
    none_due_ms = sorted(timings)[len(timings) // 2]

    started = time.perf_counter()
    report = sweep(runtime, sessions, FrozenClock("2026-10-09T00:00:01+08:00"))
    due_ms = (time.perf_counter() - started) * 1000
    assert len(report.fired) == due, (len(report.fired), report.failed[:3])
    engine.dispose()
    return none_due_ms, due_ms


HOSTILE_SCRIPTS = (
    "x = len(sum([[1]] * 100000, []))",
    "s = 'x' * 10**6\nt = s[:-1] + 'y'\nx = ([s] * 10**6).count(t)",
    "s = 'x' * 10**6\nx = [s] * 10**6",
    "d = (1,)\nfor i in range(60):\n    d = (d, d)\nx = {d}",
    "l = list(range(10**5))\nx = all(map(tuple, [l] * 10**6))",
)


def hostile_script_figures() -> tuple[float, float]:
    """(ms until every hostile script was stopped, longest ms another thread waited meanwhile)."""
    environment = Runtime().script_engine.environment
    done = threading.Event()
    gaps: list[float] = []

    def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    thread = threading.Thread(target=ticker)
    thread.start()
    started = time.perf_counter()
    for script in HOSTILE_SCRIPTS:
        try:
            environment.execute(script, {})
        except Exception:  # refused or stopped: what is measured is how soon
            pass
    elapsed = time.perf_counter() - started
    done.set()
    thread.join()
    return elapsed * 1000, max(gaps) * 1000


def main() -> None:
    bind_library_clock()
    gc.freeze()  # as `inspectflow serve` and `inspectflow scheduler` do after start-up
    figures: dict[str, float | None] = {}
    sqlite_url = fresh_database(None)
    postgres_url = os.environ.get("TEST_DATABASE_URL")
    if postgres_url:
        postgres_url = fresh_database(postgres_url)
    backends = {"sqlite": sqlite_url, **({"postgres": postgres_url} if postgres_url else {})}
    for url in backends.values():
        deploy_five_tasks(url)
    # Every setting runs once per round, in turn (a, then each backend with 1, 2 and 4 workers), so that a slow
    # spell of the machine hits them alike; PostgreSQL runs in the rounds too, not after them.
    inmemory: list[float] = []
    rates: dict[tuple[str, int], list[float]] = {(name, n): [] for name in backends for n in WORKERS}
    for _ in range(ROUNDS):
        inmemory.append(inmemory_per_s())
        for name, url in backends.items():
            for workers in WORKERS:
                rates[name, workers].append(concurrent_per_s(url, workers))
    figures["inmemory_per_s"] = round(median(inmemory), 1)
    print(f"(a) in-memory SpiffWorkflow: {figures['inmemory_per_s']} instances/s", flush=True)
    for name in ("sqlite", "postgres"):
        if name not in backends:
            figures[f"{name}_per_s"] = figures[f"ratio_{name}"] = None
            print("(b) PostgreSQL skipped: TEST_DATABASE_URL is not set", flush=True)
            continue
        single = rates[name, 1]
        figures[f"{name}_per_s"] = round(median(single), 1)
        figures[f"ratio_{name}"] = round(median(b / a for a, b in zip(inmemory, single, strict=True)), 3)
        label = "SQLite" if name == "sqlite" else "PostgreSQL"
        print(f"(b) persisted runtime, {label}: {figures[f'{name}_per_s']} instances/s "
              f"(ratio {figures[f'ratio_{name}']})", flush=True)
        for workers in WORKERS[1:]:
            figures[f"{name}_{workers}_workers_per_s"] = round(median(rates[name, workers]), 1)
            print(f"(b) {label}, {workers} concurrent workers: {figures[f'{name}_{workers}_workers_per_s']} "
                  "instances/s in all", flush=True)

    backend = "PostgreSQL" if postgres_url else "SQLite"
    sweep_url = fresh_database(postgres_url) if postgres_url else fresh_database(None)
    none_due, due = sweep_figures(sweep_url, open_deadlines=100_000)
    figures["sweep_none_due_ms"] = round(none_due, 2)
    figures["sweep_1000_due_ms"] = round(due, 1)
    print(f"(c) sweep over 100,000 open deadlines on {backend}: none due {figures['sweep_none_due_ms']} ms, "
          f"1,000 due {figures['sweep_1000_due_ms']} ms", flush=True)
    # The same 1,000 due among ten times fewer open rows: the time should not depend on what is open.
    sweep_url = fresh_database(postgres_url) if postgres_url else fresh_database(None)
    _, due_small = sweep_figures(sweep_url, open_deadlines=10_000)
    figures["sweep_1000_due_ms_at_10k_open"] = round(due_small, 1)
    print(f"(c) the same with 10,000 open: 1,000 due {figures['sweep_1000_due_ms_at_10k_open']} ms", flush=True)

    stopped_ms, stall_ms = hostile_script_figures()
    figures["hostile_scripts_ms"] = round(stopped_ms, 1)
    figures["hostile_longest_stall_ms"] = round(stall_ms, 1)
    print(f"(d) {len(HOSTILE_SCRIPTS)} hostile scripts stopped in {figures['hostile_scripts_ms']} ms; another thread "
          f"waited at most {figures['hostile_longest_stall_ms']} ms", flush=True)

    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
