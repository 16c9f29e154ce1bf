"""The benchmarks still run against the code as it is (issue 13: they "run in CI or print their figures"): each
is started as a reader of the README starts it, on a small load, and must end well and print its JSON line.
No figure is asserted — speed is read from the printed figures, never from a test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import make_url

from tests.conftest import POSTGRES_URL, ROOT


def run_benchmark(*args: str, **environ: str) -> dict:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, **environ}, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def own_postgres_url(suffix: str) -> str:
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def test_the_sweep_benchmark_fires_its_timers(tmp_path):
    figures = run_benchmark("bench/sweep.py", "--database-url", f"sqlite:///{tmp_path / 'sweep.db'}", "-n", "20",
                            "-r", "1")
    assert (figures["backend"], figures["due"], len(figures["seconds"])) == ("sqlite", 20, 1)


@pytest.mark.skipif(not POSTGRES_URL, reason="bench/http.py serves the app on PostgreSQL: set TEST_DATABASE_URL")
def test_the_http_benchmark_completes_tasks_through_gunicorn_without_errors():
    figures = run_benchmark("bench/http.py", "--seconds", "1", "--clients", "1", "--workers", "1",
                            BENCH_HTTP_DATABASE_URL=own_postgres_url("bench_http"))
    (round_,) = figures["rounds"]
    assert round_["errors"] == [] and round_["completions_per_s"] > 0, round_
