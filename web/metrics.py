"""Prometheus metrics at /metrics (prometheus_client).

Two kinds. Counters and the request histogram live in the process that counts them: starts, completions and
fired timers are counted from engine.platform.events (so only what committed), requests in an after_request
hook. Under gunicorn each worker counts its own; with PROMETHEUS_MULTIPROC_DIR set (before the process
starts: prometheus_client reads it on import) the workers write to files there and a scrape of any worker adds
them up. The figures read from the database (sweep lag, open and overdue steps by agency, job queue depth) are
computed at scrape time by a collector over engine.views.vitals: every process answers alike.

Who may scrape: the networks in METRICS_NETWORKS (loopback unless configured), or anyone who presents
METRICS_TOKEN as a bearer token. The figures name agencies, so the page is not public. A request that came
through a proxy (X-Forwarded-For) while no proxy is trusted (TRUSTED_PROXIES=0) is never taken for a
loopback caller: behind a proxy the address would be the proxy's own.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from engine.platform import events
from engine.views.vitals import vitals
from web.request_log import endpoint_label, request_seconds
from web.services import Services, services

bp = Blueprint("metrics", __name__)

PROCESS_STARTS = Counter("inspectflow_process_starts", "Process instances started, by process.", ["process"])
TASK_COMPLETIONS = Counter("inspectflow_task_completions", "User tasks completed, by process.", ["process"])
TIMERS_FIRED = Counter("inspectflow_timers_fired", "Timers fired by the deadline sweep, by process.", ["process"])
REQUEST_DURATION = Histogram("inspectflow_request_duration_seconds", "Time to answer a request, by route.",
                             ["method", "endpoint", "status"],
                             buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
NETWORKS = "inspectflow.metrics_networks"  # app.extensions: METRICS_NETWORKS, parsed
_COUNTERS = {"started": PROCESS_STARTS, "completed": TASK_COMPLETIONS, "fired": TIMERS_FIRED}


def init_app(app: Flask) -> None:
    app.extensions[NETWORKS] = [ipaddress.ip_network(network) for network in app.config["METRICS_NETWORKS"]]
    app.after_request(_observe_request)
    app.register_blueprint(bp)
    for kind in events.KINDS:
        events.listen(kind, _count)  # once per process: listen() ignores a listener it already has


def _count(happened: events.Event) -> None:
    _COUNTERS[happened.kind].labels(process=happened.process_key).inc()


def _observe_request(response: Response) -> Response:
    REQUEST_DURATION.labels(method=request.method, endpoint=endpoint_label(),
                            status=str(response.status_code)).observe(request_seconds())
    return response


class VitalsCollector(Collector):
    """The database's figures, read when scraped (engine.views.vitals)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def collect(self) -> Iterator[Metric]:
        with self.svc.sessions() as session:
            now = self.svc.clock().now()
            figures = vitals(session, now)
        yield GaugeMetricFamily("inspectflow_sweep_lag_seconds",
                                "Now minus the oldest due moment of a timer not fired yet (0 when none is due).",
                                value=figures.sweep_lag_s)
        for name, documentation, counts in (
                ("inspectflow_open_tasks", "Open user tasks, by agency.", figures.open_by_agency),
                ("inspectflow_overdue_tasks", "Open user tasks past their due moment, by agency.",
                 figures.overdue_by_agency)):
            family = GaugeMetricFamily(name, documentation, labels=["agency"])
            for agency, count in sorted(counts.items()):
                family.add_metric([agency], count)
            yield family
        jobs = GaugeMetricFamily("inspectflow_job_queue_depth", "Background jobs waiting or running, by status.",
                                 labels=["status"])
        for status, count in figures.jobs_by_status.items():
            jobs.add_metric([status], count)
        yield jobs


def counted() -> CollectorRegistry:
    """The counters and the histogram: this process's own, or with PROMETHEUS_MULTIPROC_DIR those of every
    process writing there, added up."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def exposition(svc: Services) -> bytes:
    read = CollectorRegistry(auto_describe=False)
    read.register(VitalsCollector(svc))
    return generate_latest(counted()) + generate_latest(read)


def _may_scrape() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers and not current_app.config["TRUSTED_PROXIES"]:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 caller
    return any(address in network for network in current_app.extensions[NETWORKS])


@bp.get("/metrics")
def metrics() -> Response:
    if not _may_scrape():
        abort(403)
    return Response(exposition(services()), content_type=CONTENT_TYPE_LATEST)
