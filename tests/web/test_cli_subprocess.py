"""The `inspectflow` console script as an operator runs it: each command a process of its own (DESIGN.md, "Interfaces").

Nothing here builds the app in the test process, binds a clock or patches anything: the clock is pinned only by
INSPECTFLOW_CLOCK in each process's environment, and `sweep --at` moves it for one sweep, so what passes here is
what the shipped command line does — SpiffWorkflow's own timer checks included; `serve` and `scheduler` run as
long-lived processes. Each process costs about a second (the app's imports and mappers), so a test runs few and
the database is shared: `db upgrade` and `load-demo` run as processes once, on a fresh file; the other tests start
from the session's demo template (what `inspectflow load-demo` leaves at TEST_NOW, tests/conftest.py) with two
test diagrams deployed by `inspectflow deploy`, copied per test.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.platform.clock import SHANGHAI
from tests.conftest import FIXTURES, ROOT, TEST_NOW

CONSOLE_SCRIPT = Path(sys.executable).with_name("inspectflow")  # installed next to the venv's python
COMMAND = [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.exists() else [sys.executable, "-c",
                                                                 "from web.cli import main; main()"]
SHIPPED = sorted(map(str, (ROOT / "processes" / "bpmn").glob("*.bpmn")))
AFTER_NATIONAL_DAY = "2026-10-09T00:00:01+08:00"  # past the demo's 1-working-day limits across 国庆
URGENT_INSPECTION = {  # the start data code_retroactive.bpmn documents, for an urgent visit on the pinned day
    "agency": "SCJG", "enterprise": "91330100MA2KXY0016", "inspection_date": "2026-09-30",
    "urgent_type": "四不两直", "urgent_reason": "群众举报食品安全隐患，需立即核查",
}
NOTICE = {"notice_date": "2026-09-30", "method": "书面", "inspectors": 2}  # form_task.bpmn's form, filled in
TASK_KEYS = {"id", "instance_id", "element_id", "name", "candidate_group", "due_at"}


@dataclass
class Cli:
    """`inspectflow ARGS…` as a subprocess on one SQLite file, the clock pinned at `clock` unless told otherwise."""

    database: Path
    clock: str | None = TEST_NOW

    def environ(self, clock: str | None = None, **extra: str) -> dict[str, str]:
        environ = {**os.environ, "DATABASE_URL": f"sqlite:///{self.database}", "SECRET_KEY": "cli-test", **extra}
        environ.pop("INSPECTFLOW_CLOCK", None)
        if clock or self.clock:
            environ["INSPECTFLOW_CLOCK"] = clock or self.clock
        return environ

    def __call__(self, *args: str, expect: int = 0, clock: str | None = None,
                 stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([*COMMAND, *args], env=self.environ(clock), cwd=ROOT, capture_output=True, text=True,
                              input=stdin, timeout=60)
        assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str, expect: int = 0, clock: str | None = None):
        """The one JSON document `ARGS… --json` prints on stdout (an error's {"error": …} when expect=1)."""
        return json.loads(self(*args, "--json", expect=expect, clock=clock).stdout)

    def start(self, *args: str, clock: str | None = None, **extra: str) -> Running:
        return Running(subprocess.Popen([*COMMAND, *args], env=self.environ(clock, **extra), cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1))

    def copy_to(self, directory: Path) -> Cli:
        target = directory / "inspectflow.db"
        shutil.copy(self.database, target)
        return Cli(target, self.clock)


class Running:
    """A long-running command (`serve`, `scheduler`): its output lines gathered by a thread as they come."""

    def __init__(self, process: subprocess.Popen):
        self.process, self.lines, self._queue = process, [], queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, pattern: str, seconds: float = 20.0) -> str:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"exited {self.process.wait()} before printing {pattern!r}: {self.lines}")
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {seconds} s: {self.lines}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send `sig`, wait for the exit and gather the rest of the output; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        return status

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Built:
    cli: Cli
    deployed: list[dict]


@pytest.fixture(scope="module")
def built(sqlite_demo_template, tmp_path_factory) -> Built:
    """The demo county with form_task.bpmn and timer_escalation.bpmn deployed at the command line."""
    cli = Cli(tmp_path_factory.mktemp("cli") / "inspectflow.db")
    shutil.copy(sqlite_demo_template, cli.database)
    deployed = cli.json("deploy", str(FIXTURES / "form_task.bpmn"), str(FIXTURES / "timer_escalation.bpmn"))
    return Built(cli, deployed)


@pytest.fixture
def cli(built, tmp_path) -> Cli:
    """This test's own copy of the module's database (each process closed it: no write-ahead log is left)."""
    assert not Path(f"{built.cli.database}-wal").exists()
    return built.cli.copy_to(tmp_path)


def sql(cli: Cli, query: str) -> list[tuple]:
    """Read the file directly, for what the command line has no listing of (audit rows, versions)."""
    with contextlib.closing(sqlite3.connect(cli.database)) as database:
        return database.execute(query).fetchall()


def by_instance(cli: Cli, instance_id: int, **kwargs) -> list[dict]:
    return cli.json("tasks", "--instance", str(instance_id), **kwargs)


def shanghai(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI)


# -- db upgrade, load-demo, deploy ---------------------------------------------------------------------------------

def test_db_upgrade_migrates_a_fresh_file_and_load_demo_prints_one_document_and_is_idempotent(tmp_path):
    cli = Cli(tmp_path / "fresh.db")
    upgraded = cli("db", "upgrade")
    assert upgraded.stdout == f"database at head: sqlite:///{cli.database}\n"
    loaded = cli("load-demo", "--json")
    demo = json.loads(loaded.stdout)  # the steps went to stderr: stdout holds the one document
    assert {d["process_key"] for d in demo["deployed"]} == {Path(p).stem for p in SHIPPED}
    assert {"admin", "owner", "staff", "head", "office", "supervisor"} <= set(demo["users_created"])
    assert demo["instances_started"] and "[1/" in loaded.stderr
    again = cli.json("load-demo")
    assert all(d["unchanged"] for d in again["deployed"]) and again["users_created"] == []


def test_deploy_prints_each_new_version_and_identical_bytes_make_none(built, cli):
    assert [(d["process_key"], d["version"], d["unchanged"], d["file"]) for d in built.deployed] == [
        ("form_task", 1, False, "form_task.bpmn"), ("timer_escalation", 1, False, "timer_escalation.bpmn")]
    assert all(isinstance(d["id"], int) for d in built.deployed)
    (same,) = cli.json("deploy", str(FIXTURES / "form_task.bpmn"))
    assert (same["id"], same["version"], same["unchanged"]) == (built.deployed[0]["id"], 1, True)


def test_a_refused_diagram_is_named_with_its_file_and_line_and_nothing_of_the_batch_is_deployed(cli, tmp_path):
    versions = sql(cli, "SELECT id FROM process_version ORDER BY id")
    truncated = tmp_path / "truncated.bpmn"
    truncated.write_bytes((FIXTURES / "approval_chain.bpmn").read_bytes()[:600])
    # A good diagram first, then the broken one: the batch is refused as a whole.
    refused = cli("deploy", str(FIXTURES / "approval_chain.bpmn"), str(truncated), expect=1)
    assert refused.stdout == ""
    assert refused.stderr.startswith(f"error: {truncated}: diagram refused: the XML is malformed")
    assert "line 9" in refused.stderr and len(refused.stderr.splitlines()) == 1

    unsafe = tmp_path / "unsafe.bpmn"
    unsafe.write_bytes((FIXTURES / "approval_chain.bpmn").read_bytes()
                       .replace(b"ready == True", b"().__class__.__base__.__subclasses__()"))
    error = cli.json("deploy", str(FIXTURES / "approval_chain.bpmn"), str(unsafe), expect=1)["error"]
    assert (error["code"], error["details"]["element_id"], error["details"]["file"]) == (
        "diagram_refused", "F3", str(unsafe))
    assert "__class__" in error["message"]

    # A file that is not there is an input error like the others: with --json, a JSON error on stdout.
    missing = cli.json("deploy", str(FIXTURES / "approval_chain.bpmn"), str(tmp_path / "missing.bpmn"),
                       expect=1)["error"]
    assert missing == {"code": "invalid_input", "message": f"{tmp_path / 'missing.bpmn'}: no such file",
                       "details": {"file": str(tmp_path / "missing.bpmn")}}
    assert sql(cli, "SELECT id FROM process_version ORDER BY id") == versions


# -- start, tasks, complete ----------------------------------------------------------------------------------------

def test_start_tasks_and_complete_with_json_data(cli):
    started = cli.json("start", "form_task", "--data", json.dumps({"agency": "SCJG"}))
    assert isinstance(started["id"], int) and (started["process_key"], started["status"]) == ("form_task", "running")
    (opened,) = started["open_tasks"]

    (task,) = by_instance(cli, started["id"])
    assert TASK_KEYS <= set(task)
    assert (task["id"], task["instance_id"], task["element_id"], task["name"]) == (
        opened["id"], started["id"], "GiveNotice", "送达检查预告")
    assert task["created_at"] == "2026-09-30T02:00:00+00:00"  # the pinned clock, not the real one

    # The form refuses data that lacks its required fields, naming them; nothing is saved (it completes below).
    refused = cli("complete", task["id"], "--data", json.dumps({"method": "书面"}), expect=1)
    assert "告知日期" in refused.stderr and "检查人员数" in refused.stderr

    done = cli.json("complete", task["id"], "--data", json.dumps(NOTICE))
    assert (done["id"], done["instance_id"], done["instance_status"]) == (task["id"], started["id"], "running")
    assert [t["element_id"] for t in done["open_tasks"]] == ["Inspect"]  # inspectors >= 2

    # Twice: the second is told who completed it and when; an unknown task is named as such.
    twice = cli.json("complete", task["id"], "--data", json.dumps(NOTICE), expect=1)["error"]
    assert twice["code"] == "task_not_open" and "already completed by cli at 2026-09-30 10:00" in twice["message"]
    unknown = cli("complete", "00000000-0000-4000-8000-000000000000", "--data", "{}", expect=1)
    assert unknown.stderr == "error: task 00000000-0000-4000-8000-000000000000 does not exist\n"


def test_as_user_works_within_that_users_lane_and_plain_tasks_show_shanghai_time(cli):
    listing = cli("tasks").stdout.splitlines()
    (line,) = [line for line in listing if "  Task_retro_approval  " in line]
    assert "补办审批  [单位负责人]  due 2026-09-30T23:59:59.999999+08:00" in line  # stored in UTC, shown in Shanghai
    task_id = line.split()[0]
    data = json.dumps({"retro_approved": True, "retro_approval_date": "2026-09-30", "retro_opinion": "同意补办"})
    refused = cli.json("complete", task_id, "--as", "staff", "--data", data, expect=1)["error"]
    assert refused["code"] == "forbidden" and "lane" in refused["message"]
    done = cli.json("complete", task_id, "--as", "head", "--data", data)  # still open: the refusal saved nothing
    assert done["id"] == task_id and task_id not in {t["id"] for t in done["open_tasks"]}


# -- the clock: INSPECTFLOW_CLOCK and sweep --at -------------------------------------------------------------------

def test_pinned_clock_governs_spiffworkflows_own_timer_check_at_start(cli):
    """An approval due the working day after 2026-09-28 has lapsed by 2026-09-30 10:00 and the library's own
    check escalates at once; the same start pinned on 2026-09-29 waits. (By the real clock both would lapse.)"""
    data = json.dumps({"inspection_date": "2026-09-28"})
    lapsed = cli.json("start", "timer_escalation", "--data", data)
    assert [t["element_id"] for t in lapsed["open_tasks"]] == ["Escalate"]
    waiting = cli("start", "timer_escalation", "--data", data, clock="2026-09-29T12:00:00+08:00").stdout
    assert re.fullmatch(r"instance \d+ of timer_escalation v1: running, 1 open task\(s\)\n"
                        r"  [0-9a-f-]{36}  Approve  Approve the code\n", waiting)


def test_sweep_at_fires_what_is_due_then_prints_it_and_the_pinned_clock_governs_the_diagrams_timers(cli):
    started = cli.json("start", "code_retroactive", "--data", json.dumps(URGENT_INSPECTION),
                       "--business-key", f"enterprise:{URGENT_INSPECTION['enterprise']}", "--as", "operator")
    # As of the pinned moment the inspection happened today: the head has a working day to approve it. (By the
    # real clock, later, the limit has long passed and the library would escalate at the first step.)
    assert started["status"] == "running"
    assert [t["element_id"] for t in started["open_tasks"]] == ["Task_retro_approval"]
    (approval,) = by_instance(cli, started["id"])
    assert (approval["element_id"], approval["name"], approval["candidate_group"]) == (
        "Task_retro_approval", "补办审批", "单位负责人")
    due = datetime.fromisoformat(approval["due_at"])
    assert due.astimezone(SHANGHAI).date().isoformat() == "2026-10-08"  # 1 working day after, past 国庆

    # A minute before its limit the sweep fires the demo's lapsed limits, not this one.
    early_at = due - timedelta(minutes=1)
    early = cli.json("sweep", "--at", early_at.isoformat())
    assert early["at"] == early_at.isoformat() and early["failed"] == [] and early["fired"]
    for fired in early["fired"]:
        assert {"instance_id", "deadline_id", "element_id", "due_at"} <= set(fired)
        assert fired["instance_id"] != started["id"] and datetime.fromisoformat(fired["due_at"]) <= early_at

    # Past it, the plain output says what fired (due moments in Shanghai time) ...
    plain = cli("sweep", "--at", AFTER_NATIONAL_DAY).stdout.splitlines()
    assert re.fullmatch(rf"sweep as of {re.escape(AFTER_NATIONAL_DAY)}: [1-9]\d* fired, 0 failed", plain[0])
    assert int(plain[0].split(": ")[1].split()[0]) == len(plain) - 1
    assert f"  fired Timer_retro_deadline on instance {started['id']} (due {due.astimezone(SHANGHAI).isoformat()})" \
        in plain
    # ... and a sweep as of that moment again, pinned by INSPECTFLOW_CLOCK, finds nothing left to fire.
    assert cli.json("sweep", clock=AFTER_NATIONAL_DAY)["fired"] == []
    (supervision,) = by_instance(cli, started["id"])
    assert (supervision["element_id"], supervision["name"]) == ("Task_supervise_no_code", "无码入企督办")
    assert supervision["created_at"] == "2026-10-08T16:00:01+00:00"  # opened as of the sweep's moment

    # Bad --data is refused before anything changes: one line on stderr.
    plain_error = cli("complete", supervision["id"], "--data", "{broken", expect=1)
    assert plain_error.stdout == "" and plain_error.stderr.startswith("error: --data is not valid JSON")
    done = cli.json("complete", supervision["id"], "--as", "operator", "--data", json.dumps(
        {"supervision_action": "约谈", "supervision_opinion": "约谈单位负责人，限期说明未补办原因"}))
    assert (done["id"], done["instance_id"], done["instance_status"], done["open_tasks"]) == (
        supervision["id"], started["id"], "completed", [])


# -- calendar ------------------------------------------------------------------------------------------------------

def test_calendar_import_recomputes_provisional_due_dates_and_a_bad_file_loses_nothing(cli, tmp_path):
    # Pinned at the year's end, an approval due the working day after 2026-12-31 falls in 2027, which the
    # package does not know: its due date is an estimate, marked provisional.
    year_end = "2026-12-30T10:00:00+08:00"
    started = cli.json("start", "timer_escalation", "--data", json.dumps({"inspection_date": "2026-12-31"}),
                       clock=year_end)
    (approve,) = started["open_tasks"]
    assert shanghai(approve["due_at"]).date().isoformat() == "2027-01-04"
    status = cli.json("calendar", "status", clock=year_end)
    assert status["today"] == "2026-12-30" and status["provisional_deadlines"] == 1
    assert {y["year"]: y["source"] for y in status["years"]}[2027] == "estimate"

    # The official schedule says 2027-01-04 is a holiday (a made-up one, for the test): the due date moves on.
    good = tmp_path / "2027.csv"
    good.write_text("date,kind\n2027-01-01,holiday\n2027-01-04,holiday\n", encoding="utf-8")
    imported = cli.json("calendar", "import", str(good), clock=year_end)
    assert (imported["years"], imported["days"]) == ([2027], 2)
    (moved,) = imported["recomputed"]
    assert moved["instance_id"] == started["id"] and shanghai(moved["after"]).date().isoformat() == "2027-01-05"

    # Bad files: each refused naming the file and the problem, the schedule above kept as it was.
    bad_date = tmp_path / "dates.csv"
    bad_date.write_text("2027-01-01,holiday\n2027-02-30,holiday\n", encoding="utf-8")
    assert cli("calendar", "import", str(bad_date), expect=1).stderr == (
        f"error: {bad_date}: line 2: bad date '2027-02-30' (expected YYYY-MM-DD)\n")
    not_utf8 = tmp_path / "2028.csv"
    not_utf8.write_bytes("2028-01-01,假日\n".encode("gb18030"))
    error = cli.json("calendar", "import", str(not_utf8), expect=1)["error"]
    assert error == {"code": "invalid_input", "message": f"{not_utf8}: not UTF-8 text (byte 0xbc at offset 11)",
                     "details": {"file": str(not_utf8)}}

    after = cli.json("calendar", "status", clock=year_end)
    assert {y["year"]: (y["source"], y["overrides"]) for y in after["years"]}[2027] == ("imported", 2)
    assert after["provisional_deadlines"] == 0


# -- users ---------------------------------------------------------------------------------------------------------

def test_users_create_checks_agency_and_jurisdiction_and_is_audited(cli):
    created = cli.json("users", "create", "li.lei", "--role", "staff", "--agency", "SCJG",
                       "--password", "s3cret-pass")
    assert isinstance(created["id"], int) and (created["username"], created["role"], created["agency"]) == (
        "li.lei", "staff", "SCJG")
    # A login that could never see any work is refused, naming what is missing or unknown.
    no_agency = cli("users", "create", "han.mei", "--role", "staff", "--password", "s3cret-pass", expect=1)
    assert no_agency.stderr == "error: a staff login needs an agency (the agency it works for)\n"
    typo = cli.json("users", "create", "han.mei", "--role", "staff", "--agency", "SCGJ", "--password",
                    "s3cret-pass", expect=1)["error"]
    assert typo == {"code": "invalid_input", "message": "no agency 'SCGJ'", "details": {}}
    nowhere = cli("users", "create", "han.mei", "--role", "supervisor", "--jurisdiction", "999999",
                  "--password", "s3cret-pass", expect=1)
    assert nowhere.stderr == "error: no jurisdiction '999999'\n"
    # The password may come on stdin (the prompt and its confirmation), so it stays out of the process list.
    office = json.loads(cli("users", "create", "han.mei", "--role", "county_office", "--jurisdiction", "示范县",
                            "--json", stdin="s3cret-pass\ns3cret-pass\n").stdout)
    assert office["jurisdiction"] == "331125"  # a name is stored as the jurisdiction's code

    # Each creation is audited, under the operator's name and the pinned moment (read from the file: the
    # command line has no audit listing).
    audited = sql(cli, "SELECT actor, at, after FROM audit_log WHERE action = 'create_user' ORDER BY id")
    assert [json.loads(after)["username"] for _, _, after in audited] == ["li.lei", "han.mei"]
    assert {actor.split(":")[0] for actor, _, _ in audited} == {"cli"}
    assert {at[:19] for _, at, _ in audited} == {"2026-09-30 02:00:00"}


# -- serve and scheduler -------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: Running, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.stop()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # gunicorn listens before its workers boot
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_serve_answers_http_for_a_login_and_token_made_at_the_command_line_as_of_the_pinned_clock(cli):
    cli("users", "create", "wang.fang", "--role", "supervisor", "--jurisdiction", "331125",
        "--password", "s3cret-pass")
    issued = cli("users", "token", "wang.fang")
    token = issued.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token) and "expires 2026-12-29T10:00:00+08:00" in issued.stderr
    (listed,) = cli.json("users", "tokens", "wang.fang", clock="2026-12-29T10:00:01+08:00")
    assert (listed["state"], listed["expires_at"]) == ("expired", "2026-12-29T02:00:00+00:00")
    assert token not in json.dumps(listed)
    tasks = cli.json("tasks")

    port = free_port()
    server = cli.start("serve", "--port", str(port), "--no-scheduler")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/portal", server)
        # The API as of the pinned moment: overdue are exactly the tasks due before 2026-09-30 10:00 (by the
        # real clock, later, every one due since would be overdue too); the token has not expired yet.
        request = urllib.request.Request(f"{base}/api/v1/overdue", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            overdue = json.load(response)
        expected = {t["id"] for t in tasks if t["due_at"] and shanghai(t["due_at"]) < shanghai(TEST_NOW)}
        assert expected and {t["id"] for t in overdue} == expected
        assert any(t["due_at"] and shanghai(t["due_at"]) > shanghai(TEST_NOW) for t in tasks)

        # The login created at the command line works on the pages.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(f"{base}/login", timeout=10) as page:
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
            assert match
        form = urllib.parse.urlencode({"csrf_token": match.group(1), "username": "wang.fang",
                                       "password": "s3cret-pass"}).encode()
        with browser.open(f"{base}/login", data=form, timeout=10) as landed:
            assert landed.status == 200 and "/login" not in landed.url
            assert "wang.fang" in landed.read().decode()
    finally:
        assert server.stop() in (0, -signal.SIGTERM)
    assert f"inspectflow on http://127.0.0.1:{port}/ (scheduler off)" in server.lines
    assert "Traceback" not in server.output


def test_scheduler_sweeps_at_start_as_of_the_pinned_clock_and_prints_what_fired(cli):
    # Pinned after the demo's 1-working-day limits: the scheduler's first sweep, as it starts, fires them.
    scheduler = cli.start("scheduler", clock=AFTER_NATIONAL_DAY, INSPECTFLOW_SWEEP_INTERVAL_S="60")
    try:
        header = scheduler.wait_for_line(r"^sweep as of ")
        fired = [scheduler.wait_for_line(r"^  fired ") for _ in range(int(header.split(": ")[1].split()[0]))]
    finally:
        assert scheduler.stop(signal.SIGINT) == 0  # Ctrl-C: a clean stop
    assert scheduler.lines[0] == "sweeping every 60 s, running background jobs; Ctrl-C stops"
    assert "Traceback" not in scheduler.output
    assert re.fullmatch(rf"sweep as of {re.escape(AFTER_NATIONAL_DAY)}: [1-9]\d* fired, 0 failed", header)
    assert any(line.startswith("  fired Timer_retro_deadline on instance ") for line in fired)
    opened = [t for t in cli.json("tasks") if t["created_at"] == "2026-10-08T16:00:01+00:00"]
    assert {t["element_id"] for t in opened} >= {"Task_supervise_no_code"}


def test_worker_sweeps_once_at_start_as_of_the_pinned_clock_and_stops_cleanly_on_sigterm(cli):
    # A deployment's one worker (compose's `worker`, the systemd unit): SIGTERM is how both stop it.
    worker = cli.start("worker", clock=AFTER_NATIONAL_DAY, INSPECTFLOW_SWEEP_INTERVAL_S="60")
    try:
        header = worker.wait_for_line(r"^sweep as of ")
    finally:
        assert worker.stop(signal.SIGTERM) == 0
    assert re.fullmatch(rf"sweep as of {re.escape(AFTER_NATIONAL_DAY)}: [1-9]\d* fired, 0 failed", header)
    assert "Traceback" not in worker.output
    assert cli.json("sweep", "--at", AFTER_NATIONAL_DAY)["fired"] == []  # the worker fired all that was due


def test_gunicorn_serves_the_wsgi_app_with_its_config_and_stops_on_sigterm(cli):
    port = free_port()
    server = Running(subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")], cwd=ROOT,
        env=cli.environ(INSPECTFLOW_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1))
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health", server)
        with urllib.request.urlopen(f"{base}/ready", timeout=10) as response:
            assert json.load(response)["status"] == "ready"
        with urllib.request.urlopen(f"{base}/login", timeout=10) as page:
            assert "登录" in page.read().decode()
    finally:
        assert server.stop(signal.SIGTERM) == 0
    assert len(re.findall(r"Booting worker with pid", server.output)) == 2 and "Traceback" not in server.output
