"""Fixtures shared by every test package.

Storage tests run once on SQLite and, when TEST_DATABASE_URL is set, once more on PostgreSQL. Each test starts
from a database built once per session (per pytest-xdist worker): the migrated schema, or — for a test that
requests the `demo` fixture — the demo county as `inspectflow load-demo` leaves it at the `clock` fixture's
moment. SQLite copies a template file per test; PostgreSQL keeps one database per worker, emptied after each
test and refilled from a snapshot for demo tests (`PostgresDatabase`). Every test commits for real, so the app
runs exactly as shipped, with its own engine, threads and connections.

Time is a FrozenClock the test moves by hand; nothing sleeps. Passwords are hashed with a cheap scrypt cost
(INSPECTFLOW_SCRYPT_N, read by engine.identity.accounts; CLI subprocesses inherit it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import make_url

from engine.models import Base
from engine.platform.clock import FrozenClock
from migrations import create_postgres_database, upgrade

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
TEST_NOW = "2026-09-30T10:00:00+08:00"  # the `clock` fixture's moment, and the demo templates'
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, … under pytest-xdist

os.environ.setdefault("INSPECTFLOW_SCRYPT_N", "16")  # production's 2**14 costs ~90 ms a login
# The apps' instance folder (a checkout's compiled catalogs), wherever pytest runs from; inherited by the
# xdist workers and CLI subprocesses. Each test's database and attached files have their own paths.
os.environ.setdefault("INSPECTFLOW_INSTANCE", str(ROOT / "tests" / "artifacts" / "instance"))

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # here, or in pytest-xdist's controller before it starts the workers
        from engine.platform.instance import instance_dir
        from web.i18n import translation_directory

        translation_directory(instance_dir())  # once, before the workers' apps all look for the compiled catalog


# Whole procedures through the pages, the command line as processes, the API fuzz, every diagram's paths, the
# benchmarks' smoke runs, and what starts processes or a browser: the full suite runs them, the README's fast
# subset (`-m "not slow"`) not.
SLOW_PATHS = ("tests/acceptance", "tests/processes", "tests/web/test_cli_subprocess.py", "tests/web/api/test_fuzz.py",
              "tests/bench")
SLOW_MARKERS = {"browser", "install", "topology"}


def pytest_collection_modifyitems(config, items) -> None:
    browser_tests = ROOT / "tests" / "browser"
    slow_paths = [ROOT / path for path in SLOW_PATHS]
    sqlite_runs_of_server_tests = []
    for item in items:
        if browser_tests in item.path.parents:
            item.add_marker(pytest.mark.browser)  # so that `-m "not browser"` leaves them out (README)
        if SLOW_MARKERS & {mark.name for mark in item.iter_markers()} or any(
                path == item.path or path in item.path.parents for path in slow_paths):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("postgresql_only") and _backend(item) == "sqlite":
            sqlite_runs_of_server_tests.append(item)
    # A server's behaviour (races between sessions, sockets) has no SQLite run: deselected when PostgreSQL runs,
    # else skipped saying what it needs.
    if POSTGRES_URL:
        config.hook.pytest_deselected(items=sqlite_runs_of_server_tests)
        items[:] = [item for item in items if item not in sqlite_runs_of_server_tests]
    else:
        for item in sqlite_runs_of_server_tests:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL"))


def _backend(item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("database_url") if callspec else None


def make_app(database_url: str, clock: FrozenClock, attachments: Path | None = None):
    """The app as a test gets it (web.create_app, the shipped factory), on `database_url` at `clock`, keeping
    attached files in `attachments` (a test's own directory)."""
    from web import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test", **_per_test(database_url, clock, attachments)})


def _per_test(database_url: str, clock: FrozenClock, attachments: Path | None) -> dict:
    """The settings a test's app has of its own: its database, its clock, where its attached files go."""
    stored = {"ATTACHMENT_DIR": str(attachments)} if attachments is not None else {}
    return {"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, **stored}


def load_demo(database_url: str) -> None:
    """`inspectflow load-demo` into a migrated database, at the `clock` fixture's moment."""
    app = make_app(database_url, FrozenClock(TEST_NOW))
    try:
        result = app.test_cli_runner().invoke(args=["load-demo"])
        assert result.exit_code == 0, result.output
    finally:
        app.extensions["inspectflow"].engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    load_demo(f"sqlite:///{path}")
    # Everything into the file itself: the copies are of the file alone, without its write-ahead log.
    with sqlite3.connect(path) as connection:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0, "the demo template is still open elsewhere"
    return path


class PostgresDatabase:
    """This worker's PostgreSQL database, `<db>_<worker>` after TEST_DATABASE_URL's database and the xdist worker,
    created when missing (through the maintenance database `postgres`; the database named in TEST_DATABASE_URL
    itself is never touched and need not exist) and migrated from nothing once per session.

    After each test every table is emptied with DELETE and every sequence restarted: no DDL, so none of the new
    files TRUNCATE makes nor the checkpoint DROP DATABASE forces, on every test. The demo county is loaded once into the
    schema `demo_snapshot` (a copy of each table's rows and each sequence's position) and copied back with
    INSERT … SELECT for each test that asks for it. Tests commit for real, on as many connections and threads
    as they like (the sweeper's advisory lock and SKIP LOCKED included)."""

    SNAPSHOT = "demo_snapshot"

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.name = f"{self.url.database}_{WORKER}"
        create_postgres_database(self.database_url)
        own = self.url.set(drivername="postgresql", database=self.name)
        self.connection = psycopg.connect(own.render_as_string(hide_password=False), autocommit=True)
        # Commits need not wait for the disk: a crash of the test server loses nothing a test needs (the database's
        # setting holds for the sessions opened after it; this one sets it for itself).
        self.connection.execute(f'ALTER DATABASE "{self.name}" SET synchronous_commit = off; '
                                "SET synchronous_commit = off")
        # Emptied and migrated from nothing for this run. The database itself stays for the next run: dropping
        # one forces a checkpoint of the whole server, seconds on a busy one.
        self.connection.execute(f'DROP SCHEMA IF EXISTS "{self.SNAPSHOT}" CASCADE; DROP SCHEMA public CASCADE; '
                                "CREATE SCHEMA public")
        upgrade(self.database_url)
        # This connection only empties and refills whole tables: without the foreign keys' triggers (this session
        # only) emptying after a demo test took 40-90 ms and refilling 30-140 ms, now 3 and 20-25 ms.
        self.connection.execute("SET session_replication_role = replica")
        present = {row[0] for row in self.connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        self.tables = [table.name for table in Base.metadata.sorted_tables if table.name in present]  # parents first
        self.sequences = [row[0] for row in self.connection.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
        self.restore_demo: str | None = None

    @property
    def database_url(self) -> str:
        return self.url.set(database=self.name).render_as_string(hide_password=False)

    def empty(self) -> None:
        statements = [f'DELETE FROM "{table}"' for table in reversed(self.tables)]
        statements += [f"SELECT setval('\"{sequence}\"', 1, false)" for sequence in self.sequences]
        self.connection.execute("; ".join(statements))

    def load_demo(self) -> None:
        if self.restore_demo is None:
            self._snapshot_demo()
        assert self.restore_demo is not None
        self.connection.execute(self.restore_demo)

    def _snapshot_demo(self) -> None:
        load_demo(self.database_url)
        snapshot = self.SNAPSHOT
        statements = [f'DROP SCHEMA IF EXISTS "{snapshot}" CASCADE', f'CREATE SCHEMA "{snapshot}"']
        statements += [f'CREATE TABLE "{snapshot}"."{table}" AS TABLE "{table}"' for table in self.tables]
        self.connection.execute("; ".join(statements))
        positions = [self.connection.execute(f'SELECT last_value, is_called FROM "{sequence}"').fetchone()
                     for sequence in self.sequences]
        restore = [f'INSERT INTO "{table}" SELECT * FROM "{snapshot}"."{table}"' for table in self.tables]
        restore += [f"SELECT setval('\"{sequence}\"', {value}, {called})"
                    for sequence, (value, called) in zip(self.sequences, positions, strict=True)]
        self.restore_demo = "; ".join(restore)
        self.empty()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    database = PostgresDatabase(POSTGRES_URL)
    yield database
    database.connection.close()


@pytest.fixture
def demo() -> None:
    """The demo county (`inspectflow load-demo`) in the test's database: a test or fixture that requests this
    gets its database copied from the demo template instead of the empty one (see `database_url`)."""


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    yield from database_for(request, tmp_path)


def database_for(request, tmp_path) -> Iterator[str]:
    """The test's database on the backend `request.param` names, emptied afterwards."""
    with_demo = "demo" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_demo_template" if with_demo else "sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    database = request.getfixturevalue("postgres_database")
    if with_demo:
        database.load_demo()
    yield database.database_url
    database.empty()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TEST_NOW)


class ReusedApp:
    """One Flask app per test process, handed to each test with services of its own.

    Building an app (its ~170 URL rules compiled by werkzeug) and compiling the templates a test renders (Jinja
    caches them on the app's environment) cost more than most tests themselves. What a test may change or leave
    behind is made anew for each: the services (database engine and pool, runtime with its workflow caches,
    attachment store, clock — web.services.build_services, as create_app makes them) and the job worker bound to
    them, and the configuration, restored to what create_app left before this test's database, clock and
    attachment directory are put in. Tests that need an app configured otherwise build their own."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.settings: dict = {}

    def for_test(self, database_url: str, clock: FrozenClock, attachments: Path) -> Flask:
        if self.app is None:
            self.app = make_app(database_url, clock, attachments)
            self.settings = dict(self.app.config)
            return self.app
        from web import jobs
        from web.services import build_services

        app = self.app
        app.config.clear()
        app.config.update(self.settings)
        app.config.update(_per_test(database_url, clock, attachments))
        app.extensions["inspectflow"] = build_services(app)
        jobs.init_app(app)
        return app


@pytest.fixture(scope="session")
def reused_app() -> ReusedApp:
    return ReusedApp()


@pytest.fixture
def app(reused_app, database_url, clock, tmp_path):
    app = reused_app.for_test(database_url, clock, tmp_path / "attachments")
    yield app
    app.extensions["inspectflow"].engine.dispose()


@pytest.fixture
def svc(app):
    return app.extensions["inspectflow"]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
