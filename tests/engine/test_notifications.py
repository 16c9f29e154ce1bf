"""Reminders (issue 12 item 7): which notifications a notify pass creates, that each is created and sent once
(two passes, two concurrent runners), e-mail to a real SMTP server, the webhook with a failure retried, and that
a user reaches only their own notifications and channels."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.background.notify import notify_pass
from engine.background.notify_delivery import INTERRUPTED, DeliverySettings
from engine.background.sweep import sweep
from engine.commands import Actor
from engine.commands.notifications import (
    Channels,
    ChannelsInvalid,
    NotificationNotFound,
    mark_all_read,
    mark_read,
    set_channels,
)
from engine.commands.work import Work
from engine.identity.accounts import create_user
from engine.models import Notification, NotificationDelivery
from engine.platform.clock import FrozenClock
from engine.views.notifications import unread_count
from tests.engine.access_fixtures import add_task, build_world
from tests.engine.helpers import complete, deploy, only_task, start
from tests.engine.notify_fixtures import local_settings, smtp_server, webhook_server  # noqa: F401  (fixtures)
from tests.factories import NOW

OFF = DeliverySettings()
PEOPLE = {"li": ("staff", "SCJG"), "wang": ("staff", "XFJY"), "head": ("agency_head", "SCJG")}


@pytest.fixture
def world(svc, clock):
    built = build_world(svc, clock)
    with svc.transaction() as session:
        for name, (role, agency) in PEOPLE.items():
            create_user(session, username=name, password="correct horse", role=role, now=NOW, agency=agency)
    return built


def run(svc, clock, settings: DeliverySettings = OFF):
    return notify_pass(svc.runtime, svc.write_sessions, clock, settings)


def notes(svc, kind: str | None = None) -> list[tuple[str, str]]:
    with svc.sessions() as session:
        query = select(Notification.username, Notification.kind).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [tuple(row) for row in session.execute(query)]


def new_task(svc, world, **kwargs):
    kwargs.setdefault("due_at", NOW + timedelta(days=30))  # not due soon: only the reminder a test is about
    with svc.transaction() as session:
        return add_task(session, world, agency="SCJG", lane="执法人员", **kwargs).id


def test_a_new_task_in_my_lane_notifies_each_worker_of_it_once(svc, clock, world):
    new_task(svc, world, name="送达检查预告")
    with svc.transaction() as session:
        # Nobody of SCJG works the justice bureau's lane.
        add_task(session, world, agency="SCJG", lane="司法局", due_at=NOW + timedelta(days=30))
    assert run(svc, clock).created == 2
    assert run(svc, clock).created == 0
    clock.advance(timedelta(minutes=1))
    assert run(svc, clock).created == 0
    assert sorted(notes(svc, "new_task")) == [("head", "new_task"), ("li", "new_task")]  # not wang (XFJY)
    with svc.sessions() as session:
        text = session.scalar(select(Notification.text).where(Notification.username == "li"))
    assert "送达检查预告" in text


def test_two_concurrent_runners_create_and_send_each_reminder_once(svc, clock, world, webhook_server):  # noqa: F811
    hook, url = webhook_server
    channels(svc, clock, "li", Channels(None, False, url, True))
    new_task(svc, world)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def runner():
        try:
            barrier.wait()
            run(svc, clock, local_settings())
        except BaseException as err:  # noqa: BLE001  (reported below)
            errors.append(err)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(notes(svc, "new_task")) == [("head", "new_task"), ("li", "new_task")]
    assert len(hook.bodies) == 1


def test_due_on_the_next_working_day_and_overdue(svc, clock, world):
    # Wednesday 30 September: the next working day is 8 October (国庆 holidays in between).
    tomorrow = datetime.fromisoformat("2026-10-08T17:00:00+08:00")
    later = datetime.fromisoformat("2026-10-09T17:00:00+08:00")
    soon = new_task(svc, world, due_at=tomorrow)
    new_task(svc, world, due_at=later)
    run(svc, clock)
    with svc.sessions() as session:
        due = session.execute(select(Notification.username, Notification.task_id)
                              .where(Notification.kind == "due_tomorrow")).all()
    assert sorted(due) == [("head", soon), ("li", soon)]
    assert notes(svc, "overdue") == []
    clock.advance(tomorrow - NOW + timedelta(minutes=5))
    run(svc, clock)
    run(svc, clock)
    with svc.sessions() as session:
        overdue = session.execute(select(Notification.username, Notification.task_id, Notification.text)
                                  .where(Notification.kind == "overdue")).all()
    assert sorted((name, task) for name, task, _ in overdue) == [("head", soon), ("li", soon)]
    assert "2026-10-08 17:00" in overdue[0][2]


def test_claimed_tasks_remind_only_their_assignee(svc, clock, world):
    new_task(svc, world, due_at=NOW - timedelta(hours=1))
    with svc.transaction() as session:
        task = add_task(session, world, agency="SCJG", lane="执法人员", due_at=NOW - timedelta(hours=1))
        task.assignee = "li"
    run(svc, clock)
    assert sorted(notes(svc, "overdue")) == [("head", "overdue"), ("li", "overdue"), ("li", "overdue")]


def test_the_starter_hears_when_someone_else_moves_the_case_on(svc, clock, world):
    started = start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"}, actor="li")
    run(svc, clock)
    before = notes(svc, "case_moved")
    notify = only_task(svc, started.id, "Notify")
    complete(svc, clock, notify.id, {"notice_date": "2026-09-30", "method": "书面"}, actor="head")
    run(svc, clock)
    run(svc, clock)
    assert before == []
    assert notes(svc, "case_moved") == [("li", "case_moved")]
    with svc.sessions() as session:
        text = session.scalar(select(Notification.text).where(Notification.kind == "case_moved"))
    assert "送达检查预告" in text and "head" in text


def test_my_own_step_is_no_news_to_me(svc, clock, world):
    started = start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"}, actor="li")
    run(svc, clock)
    complete(svc, clock, only_task(svc, started.id, "Notify").id, {"notice_date": "2026-09-30", "method": "书面"},
             actor="li")
    run(svc, clock)
    assert notes(svc, "case_moved") == []


def channels(svc, clock, who: str, wanted: Channels, *, allow_private: bool = True):
    with svc.transaction() as session:
        role, agency = PEOPLE[who]
        return set_channels(Work(session, clock, svc.runtime), Actor(who, role, agency), wanted,
                            allow_private=allow_private)


def test_email_goes_to_a_real_smtp_server_once(svc, clock, world, smtp_server):  # noqa: F811
    inbox, port = smtp_server
    channels(svc, clock, "li", Channels("li@example.gov.cn", True, None, False))
    new_task(svc, world, name="现场检查")
    report = run(svc, clock, local_settings(port))
    assert (report.created, report.sent, report.failed) == (2, 1, 0)
    run(svc, clock, local_settings(port))
    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert recipients == ["li@example.gov.cn"] and message["From"] == "inspectflow@example.gov.cn"
    assert "新任务" in message["Subject"] and "现场检查" in message.get_content()


def test_email_is_off_without_an_smtp_host(svc, clock, world):
    channels(svc, clock, "li", Channels("li@example.gov.cn", True, None, False))
    new_task(svc, world)
    run(svc, clock, OFF)
    with svc.sessions() as session:
        assert session.scalars(select(NotificationDelivery)).all() == []


def test_a_failed_webhook_is_recorded_retried_and_never_sent_twice(svc, clock, world, webhook_server):  # noqa: F811
    hook, url = webhook_server
    hook.fail_first = [500]
    channels(svc, clock, "li", Channels(None, False, url, True))
    new_task(svc, world, name="现场检查")
    first = run(svc, clock, local_settings())
    with svc.sessions() as session:
        delivery = session.scalars(select(NotificationDelivery)).one()
    assert (first.sent, first.failed) == (0, 1)
    assert delivery.attempts == 1 and delivery.sent_at is None and "500" in delivery.last_error
    second = run(svc, clock, local_settings())
    third = run(svc, clock, local_settings())
    assert (second.sent, third.sent, third.failed) == (1, 0, 0)
    assert len(hook.bodies) == 1
    body = hook.bodies[0]
    assert body["msgtype"] == "text" and "现场检查" in body["text"]["content"]
    assert body["inspectflow"]["kind"] == "new_task"


def test_failures_are_tried_a_bounded_number_of_times(svc, clock, world, webhook_server):  # noqa: F811
    hook, url = webhook_server
    hook.fail_first = [500] * 10
    channels(svc, clock, "li", Channels(None, False, url, True))
    new_task(svc, world)
    for _ in range(5):
        run(svc, clock, local_settings())
    with svc.sessions() as session:
        delivery = session.scalars(select(NotificationDelivery)).one()
    assert delivery.attempts == 3 and delivery.sent_at is None
    assert len(hook.fail_first) == 7


def test_an_interrupted_send_is_not_tried_again(svc, clock, world, webhook_server):  # noqa: F811
    hook, url = webhook_server
    channels(svc, clock, "li", Channels(None, False, url, True))
    new_task(svc, world)
    run(svc, clock, OFF)  # the webhook runs without private targets allowed: refused, recorded
    with svc.transaction() as session:
        delivery = session.scalars(select(NotificationDelivery)).one()
        assert "url_private" in delivery.last_error
        delivery.last_error = INTERRUPTED  # as a process that died mid-send leaves it
    run(svc, clock, local_settings())
    assert hook.bodies == []


def test_another_users_notification_cannot_be_marked(svc, clock, world):
    new_task(svc, world)
    run(svc, clock)
    with svc.sessions() as session:
        lis = session.scalar(select(Notification.id).where(Notification.username == "li"))
    with svc.transaction() as session, pytest.raises(NotificationNotFound):  # someone else's: as if none
        mark_read(Work(session, clock, svc.runtime), Actor("head", "agency_head", "SCJG"), lis)
    with svc.transaction() as session:
        assert mark_all_read(Work(session, clock, svc.runtime), Actor("head", "agency_head", "SCJG")) == 1
        assert unread_count(session, "li") == 1
        mark_read(Work(session, clock, svc.runtime), Actor("li", "staff", "SCJG"), lis)
        assert unread_count(session, "li") == 0


@pytest.mark.parametrize(("wanted", "errors"), [
    (Channels("not-an-address", False, None, False), {"email": "email_invalid"}),
    (Channels(None, True, None, False), {"email": "email_missing"}),
    (Channels(None, False, "ftp://8.8.8.8/x", True), {"webhook_url": "url_scheme"}),
    (Channels(None, False, "http://127.0.0.1:8080/hook", True), {"webhook_url": "url_private"}),
    (Channels(None, False, "http://169.254.169.254/latest", True), {"webhook_url": "url_private"}),
    (Channels(None, False, "http://10.0.0.5/hook", True), {"webhook_url": "url_private"}),
    (Channels(None, False, "http://user:pw@8.8.8.8/hook", True), {"webhook_url": "url_invalid"}),
    (Channels(None, False, None, True), {"webhook_url": "url_missing"}),
])
def test_settings_are_validated(svc, clock, world, wanted, errors):
    with pytest.raises(ChannelsInvalid) as refused:
        channels(svc, clock, "li", wanted, allow_private=False)
    assert refused.value.errors == errors


def test_settings_accept_a_public_webhook_and_an_address(svc, clock, world):
    saved = channels(svc, clock, "li", Channels(" li@example.gov.cn ", True, "https://8.8.8.8/robot", True),
                     allow_private=False)
    assert (saved.email, saved.webhook_url) == ("li@example.gov.cn", "https://8.8.8.8/robot")


def test_a_timer_moving_my_case_on_is_news_too(svc, clock, world):
    deploy(svc, clock, "timer_escalation.bpmn")
    start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"}, actor="li")
    run(svc, clock)
    later = FrozenClock("2026-10-09T00:00:01+08:00")
    assert sweep(svc.runtime, svc.write_sessions, later).fired
    run(svc, later)
    with svc.sessions() as session:
        moved = session.execute(select(Notification.username, Notification.text)
                                .where(Notification.kind == "case_moved")).all()
    assert [name for name, _ in moved] == ["li"] and "期限已到" in moved[0][1]
