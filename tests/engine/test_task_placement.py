"""engine.runtime.placement: the task rows' placement columns follow the instance, inspection and complaint rows
whatever the order they are written in, and a jurisdiction's lists place each way by them (engine.identity.access);
the migration that brought the columns fills them from the rows already there."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url, select, text, update
from sqlalchemy.exc import IntegrityError

from engine.identity import access
from engine.models import Complaint, Inspection, TaskRecord, User
from engine.platform.db import make_engine
from engine.runtime.placement import place_tasks
from engine.views.inbox import open_tasks
from migrations import create_postgres_database, upgrade
from tests.conftest import BACKENDS, POSTGRES_URL, WORKER
from tests.engine.access_fixtures import PEOPLE, add_task, build_world
from tests.engine.helpers import complete, only_task, start
from tests.factories import make_complaint, make_inspection


@pytest.fixture
def world(svc, clock):
    return build_world(svc, clock)


def start_unplaced(svc, clock):
    """An instance with no agency and no place (no agency or enterprise in its start data)."""
    return start(svc, clock, "inbox_task", {"inspection_date": "2026-10-12"})


def seen_by(svc, username: str, task_id: str) -> bool:
    """Whether the user sees the task, by the one-task check and by the list (which must agree)."""
    role, agency, jurisdiction = PEOPLE[username]
    user = User(username=username, role=role, agency=agency, jurisdiction=jurisdiction, display_name=username,
                password_hash="-")
    with svc.sessions() as session:
        scope = access.scope_of(session, user)
        try:
            access.task_for(session, scope, task_id, work=False)
            one = True
        except access.NotPermitted:
            one = False
        listed = task_id in {t.id for t in open_tasks(session, within=access.visible(scope))}
    assert one == listed
    return one


def places(svc, task_id: str) -> tuple[int | None, int | None, int | None]:
    with svc.sessions() as session:
        task = session.get(TaskRecord, task_id)
        assert task is not None
        return task.instance_jurisdiction_id, task.inspection_enterprise_id, task.complaint_enterprise_id


@pytest.mark.parametrize("record", ["inspection", "complaint"])
def test_an_instance_linked_after_its_first_task_opened_places_that_task_and_the_next(svc, clock, world, record):
    # Started with no agency and no place: nobody but administrators and owners sees its first step yet.
    started = start_unplaced(svc, clock)
    first = only_task(svc, started.id, "Notify").id
    assert not seen_by(svc, "office", first) and seen_by(svc, "admin", first)
    with svc.transaction() as session:  # as engine.domain.inspection_process / complaint_process link them
        firm = session.merge(world.firm)
        linked = make_inspection(session, enterprise=firm) if record == "inspection" \
            else make_complaint(session, enterprise=firm)
        linked.process_instance_id = started.id
        session.flush()
    expected = (None, world.firm.id, None) if record == "inspection" else (None, None, world.firm.id)
    assert places(svc, first) == expected
    assert [seen_by(svc, who, first) for who in ("office", "sup", "city", "office2", "sup2")] == \
        [True, True, True, False, False]
    # A step opened after the link is placed as it is written.
    complete(svc, clock, first, {"notice_date": "2026-09-30", "method": "书面"})
    second = only_task(svc, started.id, "Inspect").id
    assert places(svc, second) == expected
    assert [seen_by(svc, who, second) for who in ("office", "office2")] == [True, False]


def test_a_changed_enterprise_or_a_dropped_link_moves_the_tasks(svc, clock, world):
    started = start_unplaced(svc, clock)
    task = only_task(svc, started.id, "Notify").id
    with svc.transaction() as session:
        complaint = make_complaint(session, enterprise=session.merge(world.firm))
        complaint.process_instance_id = started.id
        session.flush()
        complaint_id = complaint.id
    with svc.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        complaint.enterprise = session.merge(world.other_firm)  # through the relationship: the flush sets the id
    assert [seen_by(svc, who, task) for who in ("office", "office2")] == [False, True]
    with svc.transaction() as session:
        session.get(Complaint, complaint_id).process_instance_id = None
    assert places(svc, task) == (None, None, None)
    assert not seen_by(svc, "office2", task)
    with svc.transaction() as session:  # linked again, then the record deleted
        inspection = make_inspection(session, enterprise=session.merge(world.firm))
        inspection.process_instance_id = started.id
        session.flush()
        assert session.scalar(select(TaskRecord.inspection_enterprise_id).where(TaskRecord.id == task)) == \
            world.firm.id
        session.delete(inspection)
    assert places(svc, task) == (None, None, None)


def test_a_write_around_the_orm_places_the_tasks_with_place_tasks(svc, clock, world):
    started = start_unplaced(svc, clock)
    task = only_task(svc, started.id, "Notify").id
    with svc.transaction() as session:
        inspection_id = make_inspection(session, enterprise=session.merge(world.other_firm)).id
        session.execute(update(Inspection).where(Inspection.id == inspection_id)
                        .values(process_instance_id=started.id))
        place_tasks(session, [started.id])
    assert places(svc, task) == (None, world.other_firm.id, None)


def test_an_instance_has_at_most_one_inspection_and_one_complaint(svc, clock, world):
    started = start_unplaced(svc, clock)
    with svc.sessions() as session:
        for _ in range(2):
            make_inspection(session, enterprise=session.merge(world.firm)).process_instance_id = started.id
        with pytest.raises(IntegrityError):
            session.flush()


def test_each_of_the_four_ways_places_a_task_in_its_county_and_no_other(svc, world):
    with svc.transaction() as session:
        by_instance = add_task(session, world, agency=None, lane="县综合执法办", placed_in=world.county).id
        by_inspection = add_task(session, world, agency=None, lane="县综合执法办")
        make_inspection(session, enterprise=session.merge(world.firm)).process_instance_id = \
            by_inspection.instance_id
        by_complaint = add_task(session, world, agency="NOPE", lane="县综合执法办")  # an unknown code places nothing
        make_complaint(session, enterprise=session.merge(world.firm)).process_instance_id = by_complaint.instance_id
        by_key = add_task(session, world, agency=None, lane="县综合执法办",
                          business_key=f"enterprise:{world.firm.credit_code}").id
        session.flush()
        ids = by_instance, by_inspection.id, by_complaint.id, by_key
    assert [seen_by(svc, "office", t) for t in ids] == [True] * 4
    assert [seen_by(svc, "city", t) for t in ids] == [True] * 4
    assert [seen_by(svc, "office2", t) for t in ids] == [False] * 4
    assert [seen_by(svc, "li", t) for t in ids] == [False] * 4


@pytest.fixture(params=BACKENDS)
def unmigrated_url(request, tmp_path) -> str:
    """An empty database of the test's own (on PostgreSQL one per worker, apart from the one the app tests use)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    url = make_url(POSTGRES_URL).set(database=f"{make_url(POSTGRES_URL).database}_{WORKER}_migrations")
    rendered = url.render_as_string(hide_password=False)
    create_postgres_database(rendered)
    engine = make_engine(rendered)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return rendered


def test_the_migration_fills_the_placement_of_the_tasks_already_there(unmigrated_url):
    url = unmigrated_url
    upgrade(url, "0019_task_open_indexes")
    engine = make_engine(url)
    moment = "'2026-09-30 02:00:00'"
    rows = [
        "INSERT INTO jurisdiction (id, code, name, level, policy) VALUES (1, '331125', '示范县', 'county', '{}')",
        "INSERT INTO agency (id, code, name, jurisdiction_id, confirmed_enforcement_body) "
        "VALUES (1, 'SCJG', '市场监管局', 1, :yes)",
        "INSERT INTO enterprise (id, credit_code, name, jurisdiction_id, sector_tags) "
        "VALUES (7, '913311250000000007', '甲', 1, '[]'), (8, '913311250000000008', '乙', 1, '[]')",
        f"INSERT INTO diagram (id, source_name, xml, sha256, deployed_by, deployed_at) "
        f"VALUES (1, 'd.bpmn', :xml, '0', 't', {moment})",
        f"INSERT INTO process_version (id, process_key, version, name, diagram_id, called_process_keys, deployed_by, "
        f"deployed_at) VALUES (1, 'p', 1, 'p', 1, '[]', 't', {moment})",
        *(f"INSERT INTO process_instance (id, process_version_id, process_key, status, serialized, spec_refs, "
          f"jurisdiction_id, lock_version, started_by, created_at, updated_at) "
          f"VALUES ({i}, 1, 'p', 'running', '{{}}', '{{}}', {place}, 1, 't', {moment}, {moment})"
          for i, place in ((1, "1"), (2, "NULL"), (3, "NULL"), (4, "NULL"))),
        f"INSERT INTO inspection (id, enterprise_id, agency_id, trigger, mode, status, retroactive, "
        f"process_instance_id, created_by, created_at) VALUES (1, 7, 1, 'routine', 'onsite', 'planned', :no, 2, "
        f"'t', {moment})",
        f"INSERT INTO complaint (id, tracking_number, enterprise_id, kind, content, status, received_at, outcomes, "
        f"process_instance_id) VALUES (1, 'T1', 8, 'other', 'c', 'received', {moment}, '[]', 3)",
        *(f"INSERT INTO task (id, instance_id, process_key, element_id, name, state, created_at, due_provisional) "
          f"VALUES ('t{i}', {i}, 'p', 'e', 'n', '{state}', {moment}, :no)"
          for i, state in ((1, "open"), (2, "completed"), (3, "open"), (4, "open"))),
    ]
    with engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement), {"yes": True, "no": False, "xml": b"\x00"})
    upgrade(url)
    with engine.connect() as connection:
        placed = connection.execute(select(TaskRecord.id, TaskRecord.instance_jurisdiction_id,
                                           TaskRecord.inspection_enterprise_id, TaskRecord.complaint_enterprise_id)
                                    .order_by(TaskRecord.id)).all()
    engine.dispose()
    assert placed == [("t1", 1, None, None), ("t2", None, 7, None), ("t3", None, None, 8), ("t4", None, None, None)]
