"""HTTP benchmark of the JSON API (issue 13 item 5): the shipped app under gunicorn on PostgreSQL.

Run: `python bench/http.py` (options: --seconds per round, --clients 1,4,16, --workers, --root). It empties and
migrates its own database (BENCH_HTTP_DATABASE_URL, default the local server's `bench_http`, created when
missing), deploys bench/five_tasks.bpmn and one staff member with an API token per client, then starts
`gunicorn -c gunicorn.conf.py web.wsgi:app` from --root (default: this checkout; the scheduler never runs in
web.wsgi) with one worker per core on a free loopback port. Each client is a thread with one keep-alive
connection that, for a bounded time, starts an instance and works it to the end: before each of its five
completions it lists its inbox (GET /api/v1/tasks), then completes the task (POST …/complete). Prints
completions/s and p50/p95 latencies per concurrency; the last line is one JSON object (README, "Performance").
The clients share the machine's cores with the server: on 2 cores their own work is part of what is measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Run as a script, this file's directory comes first on sys.path, where its name hides the standard `http`.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_http"
PROCESS = "five_tasks"
AGENCY, COUNTY = "BENCH1", "990099"
WARM_UP_S = 2.0


def prepare_database(url: str, clients: int) -> list[str]:
    """Empty and migrate the benchmark's database, deploy the diagram, and give each client a token."""
    os.environ.setdefault("INSPECTFLOW_SCRYPT_N", "16")  # the users' passwords are never used
    from engine.identity import accounts, api_tokens
    from engine.models import Agency, Jurisdiction
    from engine.platform.clock import FrozenClock
    from engine.platform.db import make_engine, make_write_session_factory
    from engine.runtime import Runtime, deploy
    from migrations import recreate_postgres_schema

    recreate_postgres_schema(url)
    engine = make_engine(url)
    clock = FrozenClock(datetime.now(UTC).isoformat())
    tokens = []
    with make_write_session_factory(engine).begin() as session:
        county = Jurisdiction(code=COUNTY, name="基准县", level="county", policy={})
        session.add(county)
        session.add(Agency(code=AGENCY, name="基准县市场监督管理局", jurisdiction=county))
        session.flush()
        deploy.deploy(Runtime(), session, clock, xml=(HERE / "five_tasks.bpmn").read_bytes(),
                      source_name="five_tasks.bpmn", actor="bench")
        for number in range(clients):
            user = accounts.create_user(session, username=f"bench{number}", password="bench-password",
                                        role="staff", now=clock.now(), agency=AGENCY)
            tokens.append(api_tokens.issue_token(session, user, "bench", clock.now()).plain)
    engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path, url: str, port: int, workers: int) -> subprocess.Popen:
    # A production server (SECRET_KEY required): a throwaway key, the same for every worker process.
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
           "INSPECTFLOW_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "INSPECTFLOW_WEB_LOG_LEVEL": "warning",
           "PYTHONPATH": str(root), "INSPECTFLOW_ATTACHMENTS": str(root / "instance" / "bench-attachments")}
    # The server's log (a JSON line per request) goes to a file: a pipe nobody reads would fill and stall it.
    log = tempfile.NamedTemporaryFile(prefix="bench-http-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "web.wsgi:app"],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {Path(log.name).read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/ready")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not become ready within 60 s")


class Client(threading.Thread):
    """One user working instances to the end over one keep-alive connection until `stop_at`."""

    def __init__(self, port: int, token: str, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.port, self.stop_at = port, stop_at
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.latencies: dict[str, list[float]] = {"start": [], "list": [], "complete": []}
        self.errors: list[str] = []

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> object:
        payload = json.dumps(body).encode() if body is not None else None
        began = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        self.latencies[kind].append(time.perf_counter() - began)
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def run(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while time.monotonic() < self.stop_at:
                started = self.call("start", "POST", "/api/v1/process-instances",
                                    {"process_key": PROCESS, "data": {}})
                open_tasks = started["open_tasks"]  # type: ignore[index]
                step = 0
                while open_tasks and time.monotonic() < self.stop_at:
                    self.call("list", "GET", "/api/v1/tasks?limit=50")
                    done = self.call("complete", "POST", f"/api/v1/tasks/{open_tasks[0]['id']}/complete",
                                     {"data": {"score": step}})
                    open_tasks, step = done["open_tasks"], step + 1  # type: ignore[index]
        except Exception as error:  # reported with the round's figures
            self.errors.append(str(error))
        finally:
            self.connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run_round(port: int, tokens: list[str], seconds: float) -> dict:
    began = time.monotonic()
    clients = [Client(port, token, began + seconds) for token in tokens]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.monotonic() - began
    merged: dict[str, list[float]] = {kind: [] for kind in ("start", "list", "complete")}
    for client in clients:
        for kind, values in client.latencies.items():
            merged[kind] += values
    every = [value for values in merged.values() for value in values]
    return {
        "clients": len(tokens),
        "completions_per_s": round(len(merged["complete"]) / elapsed, 1),
        "requests_per_s": round(len(every) / elapsed, 1),
        "complete_p50_ms": round(percentile(merged["complete"], 0.50) * 1000, 1),
        "complete_p95_ms": round(percentile(merged["complete"], 0.95) * 1000, 1),
        "all_p50_ms": round(percentile(every, 0.50) * 1000, 1),
        "all_p95_ms": round(percentile(every, 0.95) * 1000, 1),
        "errors": [error for client in clients for error in client.errors][:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each round")
    parser.add_argument("--clients", default="1,4,16", help="concurrencies, comma-separated")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn processes")
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the checkout whose app is served")
    args = parser.parse_args()
    concurrencies = [int(value) for value in args.clients.split(",")]
    url = os.environ.get("BENCH_HTTP_DATABASE_URL", DEFAULT_URL)
    tokens = prepare_database(url, max(concurrencies))
    port = free_port()
    server = start_server(args.root.resolve(), url, port, args.workers)
    results = []
    try:
        run_round(port, tokens[:max(concurrencies)], WARM_UP_S)  # every worker's caches and pool warm
        for concurrency in concurrencies:
            result = run_round(port, tokens[:concurrency], args.seconds)
            results.append(result)
            print(f"{concurrency:>3} clients: {result['completions_per_s']:>6} completions/s "
                  f"({result['requests_per_s']} requests/s); complete p50 {result['complete_p50_ms']} ms, "
                  f"p95 {result['complete_p95_ms']} ms; all requests p50 {result['all_p50_ms']} ms, "
                  f"p95 {result['all_p95_ms']} ms" + (f"; errors: {result['errors']}" if result["errors"] else ""),
                  flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({"workers": args.workers, "seconds": args.seconds, "rounds": results}))


if __name__ == "__main__":
    main()
