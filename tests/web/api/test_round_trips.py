"""What one API request costs the database (issue 13 item 5): one transaction, one pooled connection and no ping
per request, and a bounded number of statements, so that a regression shows; a connection the server dropped
costs no request. Counts are behaviour (tests/round_trips.py), not timing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.identity import api_tokens
from engine.models import ApiToken, AuditEntry
from engine.platform.db import is_postgresql, make_engine
from tests.round_trips import counting
from tests.web.api.conftest import assert_error

NOTICE = {"notice_date": "2026-09-30", "method": "书面"}
# The statements of a completion: token, access check, task and instance, the instance's save, the task closed,
# the next one opened, the deadline of the closed one dropped, the audit row.
COMPLETION_STATEMENTS = 8


def started_task(api) -> str:
    api.deploy("inbox_task.bpmn")
    response = api.post("/api/v1/process-instances", as_user="boss",
                        json={"process_key": "inbox_task", "data": {"agency": "A1", "inspection_date": "2026-09-30"}})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["open_tasks"][0]["id"]


def last_used(api, username: str):
    with api.svc.sessions() as session:
        return session.scalar(select(ApiToken.last_used_at).where(
            ApiToken.token_hash == api_tokens.token_hash(api.tokens[username])))


def test_listing_tasks_is_one_transaction_of_two_statements(api):
    task_id = started_task(api)
    api.get("/api/v1/tasks", as_user="clerk")  # this minute's use of the token is noted
    with counting(api.svc.engine) as counts:
        response = api.get("/api/v1/tasks", as_user="clerk")
    assert response.status_code == 200 and [t["id"] for t in response.get_json()] == [task_id]
    assert (counts.transactions, counts.checkouts, counts.pings) == (1, 1, 0), counts.sql
    assert counts.statements <= 2, counts.sql  # the token with its user, the scoped list


def test_completing_a_task_is_one_transaction(api):
    task_id = started_task(api)
    api.get("/api/v1/tasks", as_user="clerk")
    with counting(api.svc.engine) as counts:
        response = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": NOTICE})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [t["element_id"] for t in response.get_json()["open_tasks"]] == ["Inspect"]
    assert (counts.transactions, counts.checkouts, counts.pings) == (1, 1, 0), counts.sql
    assert counts.statements <= COMPLETION_STATEMENTS, counts.sql


def test_a_refused_completion_writes_nothing_in_its_one_transaction(api):
    task_id = started_task(api)
    api.get("/api/v1/tasks", as_user="other")
    with counting(api.svc.engine) as counts:
        refused = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="other", json={"data": NOTICE})
    assert_error(refused, 403, "forbidden")
    assert (counts.transactions, counts.checkouts) == (1, 1)
    assert not [sql for sql in counts.sql if not sql.upper().startswith("SELECT")], counts.sql


def test_the_minutes_use_is_noted_in_the_requests_transaction_where_it_may_write(api, clock):
    task_id = started_task(api)
    clock.advance(timedelta(minutes=1))
    with counting(api.svc.engine) as counts:
        assert api.post(f"/api/v1/tasks/{task_id}/claim", as_user="clerk").status_code == 200
    assert counts.transactions == 1 and last_used(api, "clerk") == clock.now()
    clock.advance(timedelta(minutes=1))
    with counting(api.svc.engine) as counts:
        assert api.get("/api/v1/tasks", as_user="clerk").status_code == 200
    assert last_used(api, "clerk") == clock.now()
    # A GET on SQLite reads in a DEFERRED transaction, which must not start writing: the note follows it.
    assert counts.transactions == (1 if is_postgresql(api.svc.engine) else 2)


def test_a_refused_request_still_notes_the_minutes_use(api, clock):
    clock.advance(timedelta(minutes=1))
    assert_error(api.get("/api/v1/alerts", as_user="clerk"), 403, "forbidden")  # staff see no alerts
    assert last_used(api, "clerk") == clock.now()


def test_two_people_completing_one_task_through_the_api_one_wins(api):
    task_id = started_task(api)
    api.user("colleague", "staff", agency="A1")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def complete(username: str) -> None:
        client = api.client.application.test_client()
        headers = {"Authorization": f"Bearer {api.tokens[username]}"}
        barrier.wait()
        statuses.append(client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                                    json={"data": NOTICE}).status_code)

    threads = [threading.Thread(target=complete, args=(name,)) for name in ("clerk", "colleague")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    with api.svc.sessions() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "task.completed")).all()) == 1


def _drop_connections(request, api) -> None:
    """The server ends every connection of the app (as a restart would), without the app being told."""
    database = request.getfixturevalue("postgres_database")
    database.connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()")


@pytest.mark.postgresql_only  # SQLite has no server to drop a connection
def test_a_connection_the_server_dropped_costs_no_request(request, api):
    task_id = started_task(api)
    assert api.get("/api/v1/tasks", as_user="clerk").status_code == 200
    _drop_connections(request, api)
    response = api.get("/api/v1/tasks", as_user="clerk")
    assert response.status_code == 200 and [t["id"] for t in response.get_json()] == [task_id]
    _drop_connections(request, api)
    completed = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": NOTICE})
    assert completed.status_code == 200, completed.get_data(as_text=True)


@pytest.mark.postgresql_only  # SQLite connections are files, not sockets
def test_a_connection_idle_in_the_pool_is_pinged_before_it_is_handed_out(request, database_url):
    engine = make_engine(database_url, idle_ping_after_s=0)
    try:
        with engine.connect() as connection:
            first = connection.connection.driver_connection.info.backend_pid
        request.getfixturevalue("postgres_database").connection.execute("SELECT pg_terminate_backend(%s)", (first,))
        with engine.connect() as connection:
            assert connection.connection.driver_connection.info.backend_pid != first
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()
