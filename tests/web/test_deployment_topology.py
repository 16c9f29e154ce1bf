"""The deployed topology without a container runtime (issue 13 item 2): PostgreSQL, gunicorn serving the app with
two workers (no scheduler in them: the web only enqueues), and a separate worker process (`inspectflow worker`:
the scheduled duties and the background jobs).

A procedure is driven through HTTP until many timers are due; the worker is killed with SIGKILL while its sweep
is firing them (INSPECTFLOW_SWEEP_BATCH=1: one commit per instance, so a kill lands between commits or inside
one); a second worker is started and finishes. Every due timer fired exactly once — none twice, none lost — and
a background job asked for through the pages ran in the worker, not in gunicorn.

Everything is a real process on a database of its own (TEST_DATABASE_URL's name + `_topology`); the clock is
pinned only by INSPECTFLOW_CLOCK: the web at the planning moment, the workers after the deadlines. Polling a
condition with a short interval is the only waiting. Skipped without TEST_DATABASE_URL (CI sets it); marked
`topology` so a quick run can leave it out (`-m "not topology"`).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy.engine import make_url

from engine.platform.db import normalise_url
from tests.conftest import ROOT
from tests.web.pages import DEMO_PASSWORD
from tests.web.test_cli_subprocess import AFTER_NATIONAL_DAY, COMMAND, URGENT_INSPECTION, Running, free_port

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = [pytest.mark.topology,
              pytest.mark.skipif(not POSTGRES_URL, reason="the deployed topology runs on PostgreSQL only: set "
                                                          "TEST_DATABASE_URL (CI does)")]

WEB_MOMENT = "2026-09-30T10:00:00+08:00"  # the urgent inspections are recorded on this day ...
WORKER_MOMENT = AFTER_NATIONAL_DAY  # ... and their 1-working-day limits have all lapsed by this one
INSTANCES = 24


@pytest.fixture(scope="module")
def database() -> str:
    """A database of this module's own, emptied (its schema dropped) for the run."""
    url = make_url(normalise_url(POSTGRES_URL or ""))
    name = f"{url.database}_topology"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    own = url.set(database=name)
    with psycopg.connect(own.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return own.render_as_string(hide_password=False)


def environ(database: str, clock: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "topology-test", "INSPECTFLOW_CLOCK": clock,
            **extra}


def cli(database: str, *args: str) -> str:
    done = subprocess.run([*COMMAND, *args], env=environ(database, WEB_MOMENT), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stdout, done.stderr)
    return done.stdout


def start(command: list[str], env: dict[str, str]) -> Running:
    return Running(subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1))


def worker(database: str) -> Running:
    return start([*COMMAND, "worker"], environ(database, WORKER_MOMENT, INSPECTFLOW_SWEEP_BATCH="1",
                                                  INSPECTFLOW_SWEEP_INTERVAL_S="0.5",
                                                  INSPECTFLOW_NOTIFY_INTERVAL_S="3600"))


def poll(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.01)


class Db:
    """Reads the database directly, as an operator's psql would."""

    def __init__(self, url: str):
        self.connection = psycopg.connect(make_url(url).set(drivername="postgresql")
                                          .render_as_string(hide_password=False), autocommit=True)

    def rows(self, query: str, *params) -> list[tuple]:
        return self.connection.execute(query, params).fetchall()

    def value(self, query: str, *params):
        return self.rows(query, *params)[0][0]

    def due(self) -> int:
        return self.value("SELECT count(*) FROM deadline WHERE due_at <= %s::timestamptz", WORKER_MOMENT)


@pytest.fixture(scope="module")
def db(database) -> Iterator[Db]:
    cli(database, "db", "upgrade")
    cli(database, "load-demo")
    opened = Db(database)
    yield opened
    opened.connection.close()


def answers(url: str, server: Running) -> bool:
    assert server.process.poll() is None, server.stop()
    try:
        with urllib.request.urlopen(url, timeout=10):
            return True
    except OSError:  # not listening yet, or a worker still starting
        return False


def api(base: str, token: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)


def logged_in(base: str, username: str):
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def token_from(path: str) -> str:
        with browser.open(f"{base}{path}", timeout=30) as page:
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
            assert match
            return match.group(1)

    form = {"csrf_token": token_from("/login"), "username": username, "password": DEMO_PASSWORD}
    browser.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30).close()
    return browser, token_from


def test_a_worker_killed_mid_sweep_is_replaced_and_every_timer_fires_exactly_once(database, db):
    token = cli(database, "users", "token", "staff").strip()
    port = free_port()
    web = start([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                 "--timeout", "120", "web.wsgi:app"], environ(database, WEB_MOMENT))
    workers: list[Running] = []
    try:
        base = f"http://127.0.0.1:{port}"
        poll(lambda: answers(f"{base}/portal", web), 90, "gunicorn answers")
        with ThreadPoolExecutor(4) as pool:  # both gunicorn workers take requests
            started = list(pool.map(lambda _: api(base, token, "/api/v1/process-instances",
                                                  {"process_key": "code_retroactive", "data": URGENT_INSPECTION})["id"],
                                    range(INSTANCES)))
        # A long action asked for on the pages: gunicorn only queues it.
        browser, token_from = logged_in(base, "supervisor")
        export = {"csrf_token": token_from("/supervise"), "year": "2026"}
        browser.open(f"{base}/jobs/statistics-export", data=urllib.parse.urlencode(export).encode(),
                     timeout=30).close()
        assert db.rows("SELECT status, claimed_by FROM background_job") == [("queued", None)]

        expected = {row[0]: row[1] for row in db.rows(
            "SELECT id, instance_id FROM deadline WHERE due_at <= %s::timestamptz", WORKER_MOMENT)}
        assert set(started) <= set(expected.values()) and db.value(
            "SELECT count(*) FROM audit_log WHERE action = 'timer.fired'") == 0  # nothing in gunicorn sweeps

        first = worker(database)
        workers.append(first)
        poll(lambda: db.value("SELECT count(*) FROM audit_log WHERE action = 'timer.fired'") > 0, 60,
             "the first worker began firing")
        first.process.send_signal(signal.SIGKILL)
        assert first.stop() == -signal.SIGKILL
        left = db.due()
        assert 0 < left < len(expected), f"the kill missed the sweep: {left} of {len(expected)} due rows left"

        second = worker(database)
        workers.append(second)
        poll(lambda: db.due() == 0, 60, "the second worker fired the rest")
        poll(lambda: db.value("SELECT status FROM background_job") in ("done", "failed"), 60,
             "the worker ran the queued export")
        assert second.stop(signal.SIGTERM) == 0
    finally:
        for running in [*workers, web]:
            if running.process.poll() is None:
                running.stop()
    assert "Traceback" not in web.output and "Traceback" not in second.output, web.output + second.output

    fired = db.rows("SELECT task_id, instance_id, count(*) FROM audit_log WHERE action = 'timer.fired' "
                    "GROUP BY task_id, instance_id")
    assert {task_id: instance_id for task_id, instance_id, _ in fired} == expected  # none lost
    assert all(count == 1 for *_, count in fired)  # none twice
    assert db.rows("SELECT id FROM deadline WHERE failed_at IS NOT NULL OR attempts > 0") == []
    supervised = dict(db.rows("SELECT instance_id, count(*) FROM task WHERE element_id = 'Task_supervise_no_code' "
                              "AND instance_id = ANY(%s) GROUP BY instance_id", started))
    assert supervised == {instance_id: 1 for instance_id in started}
    assert db.value("SELECT count(*) FROM task WHERE element_id = 'Task_retro_approval' AND state = 'open' "
                    "AND instance_id = ANY(%s)", started) == 0
    job = db.rows("SELECT status, claimed_by, result_name FROM background_job")
    assert [(status, name) for status, _, name in job] == [("done", "inspections-2026.csv")]
    assert f":{second.process.pid}:" in job[0][1]  # the worker process ran it, not a gunicorn worker
