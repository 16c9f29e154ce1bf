"""Fixtures shared by every test package.

Storage tests run once on SQLite and, when TEST_DATABASE_URL is set, once more on PostgreSQL. Each test
gets an empty, migrated database: SQLite copies a migrated template file; PostgreSQL is migrated once per
run and emptied (TRUNCATE) after every test. Time is a FrozenClock the test moves by hand; nothing sleeps.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.models import Base
from engine.platform.clock import FrozenClock, bind_library_clock
from engine.platform.db import make_engine
from migrations import recreate_postgres_schema, upgrade

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")

bind_library_clock()

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    recreate_postgres_schema(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    yield url
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock("2026-09-30T10:00:00+08:00")


@pytest.fixture
def app(database_url, clock):
    from web import create_app

    app = create_app({"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                      "SECRET_KEY": "test"})
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
