"""Observability (web.metrics, web.request_log): /metrics after starting and completing tasks through the API
and firing a timer with the sweep, its figures against the inbox's; who may scrape it; the JSON log lines of
requests and fired timers. Counters are per process, so the tests compare before and after."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from engine.models import User
from tests.web.api.test_tasks import start
from web import create_app, metrics, request_log

DONE = {"ready": True, "items": ["消防"]}
Samples = dict[tuple[str, frozenset], float]


def scrape(client, **kwargs) -> Samples:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def inbox_count(api, **query: str) -> dict[str, int]:
    """Open steps by agency as the county supervisor's inbox lists them."""
    counts: dict[str, int] = {}
    for task in api.get("/api/v1/tasks", as_user="boss", query_string={"limit": 500, **query}).get_json():
        counts[task["agency"]] = counts.get(task["agency"], 0) + 1
    return counts


def by_agency(samples: Samples, name: str) -> dict[str, int]:
    return {dict(labels)["agency"]: int(count) for (metric, labels), count in samples.items()
            if metric == name and count}


def test_metrics_follow_starts_completions_timers_and_the_inbox(api, clock, runner):
    api.deploy("approval_chain.bpmn", "timer_escalation.bpmn")
    client = api.client
    before = scrape(client)

    chain = start(api, "approval_chain", "A1")
    done = api.post(f"/api/v1/tasks/{chain['open_tasks'][0]['id']}/complete", as_user="clerk", json={"data": DONE})
    assert done.status_code == 200
    late = start(api, "timer_escalation", "A1", inspection_date="2026-09-30")
    start(api, "approval_chain", "A2")
    now = scrape(client)
    assert moved(before, now, "inspectflow_process_starts_total", process="approval_chain") == 2
    assert moved(before, now, "inspectflow_process_starts_total", process="timer_escalation") == 1
    assert moved(before, now, "inspectflow_task_completions_total", process="approval_chain") == 1
    assert moved(before, now, "inspectflow_request_duration_seconds_count", method="POST",
                 endpoint="api.complete_task", status="200") == 1
    assert by_agency(now, "inspectflow_open_tasks") == inbox_count(api) == {"A1": 2, "A2": 1}
    assert by_agency(now, "inspectflow_overdue_tasks") == {}
    assert value(now, "inspectflow_sweep_lag_seconds") == 0
    assert value(now, "inspectflow_job_queue_depth", status="queued") == 0
    assert ("inspectflow_job_queue_depth", frozenset({("status", "running")})) in now

    clock.advance(timedelta(days=30))  # past the timer's due moment; no sweep has run yet
    lagging = scrape(client)
    (overdue,) = api.get("/api/v1/overdue", as_user="boss").get_json()
    assert overdue["instance_id"] == late["id"]
    due = datetime.fromisoformat(overdue["due_at"])
    assert value(lagging, "inspectflow_sweep_lag_seconds") == pytest.approx((clock.now() - due).total_seconds())
    assert by_agency(lagging, "inspectflow_overdue_tasks") == inbox_count(api, overdue="true") == {"A1": 1}

    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0 and "1 fired" in result.output
    swept = scrape(client)
    assert moved(lagging, swept, "inspectflow_timers_fired_total", process="timer_escalation") == 1
    assert value(swept, "inspectflow_sweep_lag_seconds") == 0
    assert by_agency(swept, "inspectflow_open_tasks") == inbox_count(api)
    assert by_agency(swept, "inspectflow_overdue_tasks") == inbox_count(api, overdue="true")


def test_only_configured_networks_or_the_token_may_scrape(app, database_url):
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics").status_code == 200  # loopback
    assert client.get("/metrics", environ_base=outside).status_code == 403
    # Through a proxy the app was not told to trust, the loopback address is the proxy's, not the caller's.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cret"}).status_code == 403

    app.config["METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cre"}).status_code == 403

    intranet = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "METRICS_NETWORKS": ["10.0.0.0/8"]})
    try:
        client = intranet.test_client()
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics").status_code == 403  # loopback is no longer among them
    finally:
        intranet.extensions["inspectflow"].engine.dispose()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the app's log handler writes (the one web.request_log installs), for one test."""
    handler = request_log.configure("json", "INFO")
    written = io.StringIO()
    handler.setStream(written)
    yield written
    handler.setStream(sys.stderr)


def logged(written: io.StringIO, logger: str) -> list[dict]:
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == logger]


def test_one_json_line_per_request_and_per_fired_timer(api, svc, clock, runner, log_lines):
    api.deploy("timer_escalation.bpmn")
    with svc.sessions() as session:
        boss_id = session.scalar(select(User.id).where(User.username == "boss"))

    response = api.client.post("/api/v1/process-instances", headers={
        "Authorization": f"Bearer {api.tokens['boss']}", "X-Request-ID": "req-42"},
        json={"process_key": "timer_escalation", "data": {"agency": "A1", "inspection_date": "2026-09-30"}})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "req-42"
    instance_id = response.get_json()["id"]
    shown = api.client.get(f"/api/v1/process-instances/{instance_id}", headers={
        "Authorization": f"Bearer {api.tokens['clerk']}", "X-Request-ID": "bad id"})
    assert len(shown.headers["X-Request-ID"]) == 32  # not a usable id: a fresh one instead

    started, read = logged(log_lines, "inspectflow.request")
    assert started | {"ts": None, "duration_ms": None} == {
        "ts": None, "level": "INFO", "logger": "inspectflow.request", "request_id": "req-42", "event": "request",
        "message": started["message"], "method": "POST", "path": "/api/v1/process-instances",
        "endpoint": "api.start_instance", "status": 201, "duration_ms": None, "user_id": boss_id,
        "instance_id": instance_id}  # the instance the request started, though its path names none
    assert started["duration_ms"] >= 0 and started["message"].startswith("POST /api/v1/process-instances 201")
    assert read["request_id"] == shown.headers["X-Request-ID"] and read["instance_id"] == instance_id
    assert read["path"] == f"/api/v1/process-instances/{instance_id}"
    assert read["endpoint"] == "api.get_instance" and read["status"] == 200

    clock.advance(timedelta(days=30))
    assert runner.invoke(args=["sweep"]).exit_code == 0
    (fired,) = logged(log_lines, "inspectflow.timer")
    assert fired["event"] == "timer.fired" and fired["process_key"] == "timer_escalation"
    assert fired["instance_id"] == instance_id and fired["element_id"] == "Late" and fired["task_id"]
    assert fired["fired_at"] == clock.now().isoformat()
    late_s = (clock.now() - datetime.fromisoformat(fired["due_at"])).total_seconds()
    assert fired["late_s"] == pytest.approx(late_s, abs=0.001)


def test_text_lines_for_a_terminal_and_nothing_else(log_lines):
    handler = request_log.configure("text", "INFO")
    request_log.request_log.info("GET / 200 1.0ms", extra={"status": 200})
    assert log_lines.getvalue().rstrip().endswith("INFO inspectflow.request: GET / 200 1.0ms")
    request_log.configure("json", "INFO")
    with pytest.raises(ValueError, match="INSPECTFLOW_LOG_FORMAT"):
        request_log.configure("xml", "INFO")
    assert handler is request_log.configure("json", "INFO")  # one handler, never doubled


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_process(tmp_path, monkeypatch):
    # Another process (a gunicorn worker) counts a fired timer into the shared directory and exits.
    counting = ("from datetime import UTC, datetime\n"
                "from engine.platform.events import Event\n"
                "from web import metrics\n"
                "metrics._count(Event('fired', 'elsewhere', 1, datetime.now(UTC)))\n")
    subprocess.run([sys.executable, "-c", counting], check=True, timeout=60,
                   env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    exposed = generate_latest(metrics.counted()).decode()
    assert 'inspectflow_timers_fired_total{process="elsewhere"} 1.0' in exposed
