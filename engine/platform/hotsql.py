"""The statements of a workflow step, sent straight to the DB-API cursor.

A task completion is a handful of small statements; through SQLAlchemy each one costs about 50 µs of
statement bookkeeping against a few µs in the database, which made the ORM layer, not the disk, the
bottleneck (bench/engine.py measures it). This module owns those statements for the two backends we
support. It runs inside the session's own transaction (same connection), so atomicity and the caller's
commit are unchanged, and it writes values in exactly the representation SQLAlchemy's column types use
(UTC timestamps, JSON text on SQLite), so the models read the rows back as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.models.alert import OPEN_PREDICATE
from engine.platform import alerts

_INSTANCE_COLUMNS = ("id", "process_key", "process_version_id", "spec_refs", "business_key", "status", "lock_version")
_TASK_AND_INSTANCE_COLUMNS = ("id", "instance_id", "element_id", "name", "state", "assignee", "completed_by",
                              *_INSTANCE_COLUMNS[1:])
_SELECT_TASK_AND_INSTANCE = """
SELECT t.id, t.instance_id, t.element_id, t.name, t.state, t.assignee, t.completed_by,
       i.process_key, i.process_version_id, i.spec_refs, i.business_key, i.status, i.lock_version
FROM task t JOIN process_instance i ON i.id = t.instance_id
WHERE t.id = :id"""
_SELECT_INSTANCE = """
SELECT id, process_key, process_version_id, spec_refs, business_key, status, lock_version
FROM process_instance WHERE id = :id"""
_SELECT_INSTANCE_WITH_STATE = """
SELECT id, process_key, process_version_id, spec_refs, business_key, status, lock_version, serialized
FROM process_instance WHERE id = :id"""
_SELECT_SERIALIZED = "SELECT serialized, lock_version FROM process_instance WHERE id = :id"
# The batch statements (the sweep's): ANY_IDS is the dialect's "is one of the list :ids".
_SELECT_INSTANCES_WITH_STATE = """
SELECT id, process_key, process_version_id, spec_refs, business_key, status, lock_version, serialized
FROM process_instance WHERE id ANY_IDS ORDER BY id"""
_SELECT_OPEN_TASKS_OF = """
SELECT instance_id, id, element_id, name, process_key, lane, agency, due_at, due_provisional
FROM task WHERE instance_id ANY_IDS AND state = 'open'"""
_SELECT_DEADLINES_OF = "SELECT instance_id, id, element_id, due_at, provisional FROM deadline WHERE instance_id ANY_IDS"
_INSERT_INSTANCE = """
INSERT INTO process_instance (process_version_id, process_key, business_key, status, serialized, spec_refs,
                              jurisdiction_id, lock_version, started_by, created_at, updated_at, completed_at)
VALUES (:process_version_id, :process_key, :business_key, :status, :serialized, :spec_refs, :jurisdiction_id, 1,
        :started_by, :now, :now, :completed_at)
RETURNING id"""
_UPDATE_INSTANCE = """
UPDATE process_instance
SET serialized = :serialized, lock_version = :next_version, status = :status, updated_at = :now,
    completed_at = :completed_at
WHERE id = :id AND lock_version = :version"""
_SELECT_OPEN_TASKS = """
SELECT id, element_id, name, process_key, lane, agency, due_at, due_provisional
FROM task WHERE instance_id = :instance_id AND state = 'open'"""
_SELECT_DEADLINES = "SELECT id, element_id, due_at, provisional FROM deadline WHERE instance_id = :instance_id"
_CLOSE_TASK = "UPDATE task SET state = :state, completed_at = :at, completed_by = :by WHERE id = :id"
# Where a task is placed beyond its agency (engine.runtime.placement), read from the rows of its instance INSTANCE:
# its jurisdiction (set at start, never changed) and the enterprises of the inspection and of the complaint linked
# to it (at most one each: unique columns). Read in the same statement that writes, so a task row is placed as its
# instance is at that moment, whichever came first, the link or the task.
_PLACES = ("(SELECT jurisdiction_id FROM process_instance WHERE id = INSTANCE)",
           "(SELECT enterprise_id FROM inspection WHERE process_instance_id = INSTANCE)",
           "(SELECT enterprise_id FROM complaint WHERE process_instance_id = INSTANCE)")
_PLACE_COLUMNS = ("instance_jurisdiction_id", "inspection_enterprise_id", "complaint_enterprise_id")
_INSERT_TASK = """
INSERT INTO task (id, instance_id, process_key, element_id, name, lane, candidate_group, agency, business_key,
                  state, created_at, due_at, due_provisional, PLACE_COLUMNS)
VALUES (:id, :instance_id, :process_key, :element_id, :name, :lane, :lane, :agency, :business_key, 'open',
        :now, :due_at, :provisional, PLACES)""".replace("PLACE_COLUMNS", ", ".join(_PLACE_COLUMNS)).replace(
    "PLACES", ", ".join(_PLACES).replace("INSTANCE", ":instance_id"))
_PLACE_TASKS = "UPDATE task SET {} WHERE instance_id ANY_IDS".format(", ".join(
    f"{column} = {place.replace('INSTANCE', 'task.instance_id')}"
    for column, place in zip(_PLACE_COLUMNS, _PLACES, strict=True)))
_MOVE_TASK_DUE = "UPDATE task SET due_at = :due_at, due_provisional = :provisional WHERE id = :id"
# Its text names the old due moment: resolved, so that the next overdue scan raises it anew with the new one if
# the step is still overdue (an acknowledgement was of the old deadline).
_RESOLVE_MOVED_OVERDUE = f"""
UPDATE alert SET status = 'resolved', resolved_at = :now, resolved_by = 'scheduler', updated_at = :now
WHERE kind = '{alerts.OVERDUE_TASK}' AND subject = :subject AND {OPEN_PREDICATE.text}"""
_DELETE_DEADLINE = "DELETE FROM deadline WHERE id = :id"
_INSERT_DEADLINE = """
INSERT INTO deadline (id, instance_id, element_id, due_at, provisional, created_at)
VALUES (:id, :instance_id, :element_id, :due_at, :provisional, :now)"""
_MOVE_DEADLINE = """
UPDATE deadline SET due_at = :due_at, provisional = :provisional, failed_at = NULL, last_error = NULL
WHERE id = :id"""
_INSERT_AUDIT = """
INSERT INTO audit_log (at, actor, action, instance_id, task_id, before, after)
VALUES (:at, :actor, :action, :instance_id, :task_id, :before, :after)"""


@dataclass(frozen=True)
class _Dialect:
    placeholders: Callable[[str], str]
    moment: Callable[[datetime | None], Any]
    read_moment: Callable[[Any], datetime | None]
    document: Callable[[Any], Any]
    read_document: Callable[[Any], Any]
    flag: Callable[[bool], Any]
    any_ids: str  # replaces ANY_IDS in a statement: "is one of :ids"
    ids: Callable[[list], Any]  # the :ids parameter
    skip_locked: str  # row locks for the rest of the transaction, skipping rows another one holds


def _sqlite_moment(value: datetime | None) -> str | None:
    # The text SQLAlchemy's DateTime writes on SQLite, in UTC (engine.models.base.UTCDateTime).
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_read_moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _postgres_document(value: Any) -> Any:
    from psycopg.types.json import Json

    return None if value is None else Json(value)


def _pyformat(sql: str) -> str:
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


_DIALECTS = {
    "sqlite": _Dialect(
        placeholders=lambda sql: sql,
        moment=_sqlite_moment,
        read_moment=_sqlite_read_moment,
        document=_json_text,
        read_document=lambda value: None if value is None else orjson.loads(value),
        flag=int,
        any_ids="IN (SELECT value FROM json_each(:ids))",
        ids=_json_text,
        skip_locked="",  # one writer at a time: every write transaction begins IMMEDIATE
    ),
    "postgresql": _Dialect(
        placeholders=_pyformat,
        moment=lambda value: value,
        read_moment=lambda value: value,
        document=_postgres_document,
        read_document=lambda value: value,
        flag=bool,
        any_ids="= ANY(:ids)",
        ids=list,
        skip_locked=" FOR UPDATE SKIP LOCKED",
    ),
}


_SESSION_KEY = "inspectflow_hotsql"


def hot_sql(session: Session) -> HotSql:
    """The session's HotSql for its current transaction (made once, dropped when the transaction ends)."""
    sql = session.info.get(_SESSION_KEY)
    if sql is None:
        sql = session.info[_SESSION_KEY] = HotSql(session)
    return sql


@event.listens_for(Session, "after_transaction_end")
def _forget_cursor(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_SESSION_KEY, None)


class HotSql:
    """The step statements bound to one session's connection and dialect."""

    def __init__(self, session: Session):
        connection = session.connection()
        dialect_name = connection.dialect.name
        self._dialect = _DIALECTS[dialect_name]
        self._cursor = connection.connection.cursor()
        self._sql = _prepared(dialect_name)

    def _run(self, name: str, params: dict) -> Any:
        self._cursor.execute(self._sql[name], params)
        return self._cursor

    def _run_many(self, name: str, rows: Iterable[dict]) -> None:
        batch = list(rows)
        if len(batch) == 1:  # the usual case; executemany costs more for a single row
            self._cursor.execute(self._sql[name], batch[0])
        elif batch:
            self._cursor.executemany(self._sql[name], batch)

    def task_and_instance(self, task_id: str) -> dict | None:
        row = self._run("select_task_and_instance", {"id": task_id}).fetchone()
        return self._instance_record(_TASK_AND_INSTANCE_COLUMNS, row)

    def instance(self, instance_id: int, *, with_state: bool = False) -> dict | None:
        """The instance row; `with_state` also brings the serialized workflow (saves a round trip when the
        caller will need it anyway)."""
        if with_state:
            row = self._run("select_instance_with_state", {"id": instance_id}).fetchone()
            return self._instance_record((*_INSTANCE_COLUMNS, "serialized"), row)
        row = self._run("select_instance", {"id": instance_id}).fetchone()
        return self._instance_record(_INSTANCE_COLUMNS, row)

    def _instance_record(self, columns: tuple[str, ...], row: tuple | None) -> dict | None:
        if row is None:
            return None
        record = dict(zip(columns, row, strict=True))
        record["spec_refs"] = self._dialect.read_document(record["spec_refs"])
        return record

    def instances_locked(self, instance_ids: list[int]) -> list[dict]:
        """The instance rows with their serialized workflows, locked for the rest of the transaction; on
        PostgreSQL a row another transaction holds (a user's step in progress) is skipped, not waited for."""
        self._cursor.execute(self._sql["select_instances_with_state"] + self._dialect.skip_locked,
                             {"ids": self._dialect.ids(instance_ids)})
        columns = (*_INSTANCE_COLUMNS, "serialized")
        return [self._instance_record(columns, row) for row in self._cursor.fetchall()]  # type: ignore[misc]

    def serialized(self, instance_id: int) -> tuple[str, int]:
        """The stored workflow and the lock_version it belongs to."""
        serialized, lock_version = self._run("select_serialized", {"id": instance_id}).fetchone()
        return serialized, lock_version

    def insert_instance(self, *, process_version_id: int, process_key: str, business_key: str | None, status: str,
                        serialized: str, spec_refs: dict, jurisdiction_id: int | None, started_by: str,
                        now: datetime, completed_at: datetime | None) -> int:
        moment = self._dialect.moment
        return self._run("insert_instance", {
            "process_version_id": process_version_id, "process_key": process_key, "business_key": business_key,
            "status": status, "serialized": serialized, "spec_refs": self._dialect.document(spec_refs),
            "jurisdiction_id": jurisdiction_id, "started_by": started_by, "now": moment(now),
            "completed_at": moment(completed_at),
        }).fetchone()[0]

    def update_instances(self, rows: list[dict]) -> int:
        """Save instances with the optimistic lock (keys id, version, serialized, status, now, completed_at), in one
        executemany; returns how many were saved (a row another transaction changed first is not)."""
        moment = self._dialect.moment
        batch = [{**row, "next_version": row["version"] + 1, "now": moment(row["now"]),
                  "completed_at": moment(row["completed_at"])} for row in rows]
        if len(batch) == 1:
            return self._run("update_instance", batch[0]).rowcount
        self._cursor.executemany(self._sql["update_instance"], batch)
        return self._cursor.rowcount

    def open_tasks(self, instance_id: int) -> list[tuple]:
        rows = self._run("select_open_tasks", {"instance_id": instance_id}).fetchall()
        read, flag = self._dialect.read_moment, bool
        return [(r[0], r[1], r[2], r[3], r[4], r[5], read(r[6]), flag(r[7])) for r in rows]

    def deadlines(self, instance_id: int) -> list[tuple]:
        rows = self._run("select_deadlines", {"instance_id": instance_id}).fetchall()
        read = self._dialect.read_moment
        return [(r[0], r[1], read(r[2]), bool(r[3])) for r in rows]

    def open_tasks_of(self, instance_ids: list[int]) -> list[tuple]:
        """`open_tasks` of several instances, each row led by its instance id."""
        rows = self._run("select_open_tasks_of", {"ids": self._dialect.ids(instance_ids)}).fetchall()
        read = self._dialect.read_moment
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], read(r[7]), bool(r[8])) for r in rows]

    def deadlines_of(self, instance_ids: list[int]) -> list[tuple]:
        """`deadlines` of several instances, each row led by its instance id."""
        rows = self._run("select_deadlines_of", {"ids": self._dialect.ids(instance_ids)}).fetchall()
        read = self._dialect.read_moment
        return [(r[0], r[1], r[2], read(r[3]), bool(r[4])) for r in rows]

    def close_tasks(self, rows: Iterable[dict]) -> None:
        moment = self._dialect.moment
        self._run_many("close_task", ({**row, "at": moment(row["at"])} for row in rows))

    def insert_tasks(self, rows: Iterable[dict]) -> None:
        self._run_many("insert_task", (self._due_row(row) for row in rows))

    def place_tasks(self, instance_ids: list[int]) -> None:
        """Place the task rows of these instances anew from their links (engine.runtime.placement)."""
        self._run("place_tasks", {"ids": self._dialect.ids(instance_ids)})

    def move_task_dues(self, rows: Iterable[dict]) -> None:
        """Move open tasks' due moments (rows: id, due_at, provisional, now); an overdue alert raised on the old
        one is resolved (see above)."""
        moved = list(rows)
        self._run_many("move_task_due", (self._due_row(row) for row in moved))
        self._run_many("resolve_moved_overdue",
                       (self._due_row({"subject": alerts.overdue_subject(row["id"]), "now": row["now"]})
                        for row in moved))

    def delete_deadlines(self, ids: Iterable[str]) -> None:
        self._run_many("delete_deadline", ({"id": deadline_id} for deadline_id in ids))

    def insert_deadlines(self, rows: Iterable[dict]) -> None:
        self._run_many("insert_deadline", (self._due_row(row) for row in rows))

    def move_deadlines(self, rows: Iterable[dict]) -> None:
        self._run_many("move_deadline", (self._due_row(row) for row in rows))

    def insert_audit(self, *, at: datetime, actor: str, action: str, instance_id: int | None, task_id: str | None,
                     before: dict | None, after: dict | None) -> None:
        self.insert_audits([{"at": at, "actor": actor, "action": action, "instance_id": instance_id,
                             "task_id": task_id, "before": before, "after": after}])

    def insert_audits(self, rows: Iterable[dict]) -> None:
        """Audit rows (keys as `insert_audit`'s), in one executemany."""
        document, moment = self._dialect.document, self._dialect.moment
        self._run_many("insert_audit", ({**row, "at": moment(row["at"]), "before": document(row["before"]),
                                         "after": document(row["after"])} for row in rows))

    def _due_row(self, row: dict) -> dict:
        converted = dict(row)
        for key in ("due_at", "now"):
            if key in converted:
                converted[key] = self._dialect.moment(converted[key])
        if "provisional" in converted:
            converted["provisional"] = self._dialect.flag(converted["provisional"])
        return converted


_STATEMENTS = {
    "select_task_and_instance": _SELECT_TASK_AND_INSTANCE,
    "select_instance": _SELECT_INSTANCE,
    "select_instance_with_state": _SELECT_INSTANCE_WITH_STATE,
    "select_serialized": _SELECT_SERIALIZED,
    "select_instances_with_state": _SELECT_INSTANCES_WITH_STATE,
    "select_open_tasks_of": _SELECT_OPEN_TASKS_OF,
    "select_deadlines_of": _SELECT_DEADLINES_OF,
    "insert_instance": _INSERT_INSTANCE,
    "update_instance": _UPDATE_INSTANCE,
    "select_open_tasks": _SELECT_OPEN_TASKS,
    "select_deadlines": _SELECT_DEADLINES,
    "close_task": _CLOSE_TASK,
    "insert_task": _INSERT_TASK,
    "place_tasks": _PLACE_TASKS,
    "move_task_due": _MOVE_TASK_DUE,
    "resolve_moved_overdue": _RESOLVE_MOVED_OVERDUE,
    "delete_deadline": _DELETE_DEADLINE,
    "insert_deadline": _INSERT_DEADLINE,
    "move_deadline": _MOVE_DEADLINE,
    "insert_audit": _INSERT_AUDIT,
}
_PREPARED: dict[str, dict[str, str]] = {}


def _prepared(dialect_name: str) -> dict[str, str]:
    if dialect_name not in _PREPARED:
        dialect = _DIALECTS[dialect_name]
        _PREPARED[dialect_name] = {name: dialect.placeholders(sql.replace("ANY_IDS", dialect.any_ids))
                                   for name, sql in _STATEMENTS.items()}
    return _PREPARED[dialect_name]
