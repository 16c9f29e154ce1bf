"""A case that copies (抄送): the access world (tests.engine.access_fixtures) and an instance of copy_chain for agency
SCJG in 示范县 — 拟定方案 (lane 执法人员) copies to 单位负责人 and 司法局, then 负责人审批 (lane 单位负责人) copies to
执法人员 and 司法局.

People: li (SCJG staff), head (SCJG head), wang (XFJY staff), office (示范县 county office), sup (示范县
supervisor), sup2 (邻县 supervisor), city (示范市 supervisor), admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.commands import Actor, Work, tasks
from tests.engine.access_fixtures import actor_of, add_people, build_world
from tests.engine.helpers import deploy, only_task, start

COPY_PEOPLE = {
    "li": ("staff", "SCJG", None),
    "head": ("agency_head", "SCJG", None),
    "wang": ("staff", "XFJY", None),
    "office": ("county_office", None, "331125"),
    "sup": ("supervisor", None, "331125"),
    "sup2": ("supervisor", None, "331126"),
    "city": ("supervisor", None, "3311"),
    "admin": ("administrator", None, None),
}
DRAFT = {"visit_date": "2026-10-20", "handling_opinion": "拟于10月20日现场检查"}


@dataclass(frozen=True)
class CopyCase:
    instance_id: int
    draft_id: str  # 拟定方案, open until `send_draft`


def person(username: str) -> Actor:
    return actor_of(COPY_PEOPLE, username)


def build_copy_case(svc, clock) -> CopyCase:
    build_world(svc, clock)
    deploy(svc, clock, "copy_chain.bpmn")
    with svc.transaction() as session:
        add_people(session, COPY_PEOPLE, clock.now())
    started = start(svc, clock, "copy_chain", {"agency": "SCJG"}, actor="li")
    return CopyCase(started.id, only_task(svc, started.id, "Draft").id)


def complete_as(svc, who: str, task_id: str, data: dict) -> None:
    with svc.transaction() as session:
        tasks.complete_task(Work(session, svc.clock(), svc.runtime), person(who), task_id, data)


def send_draft(svc, case: CopyCase) -> str:
    """li completes 拟定方案 (copied to 单位负责人 and 司法局); returns the id of the open 负责人审批."""
    complete_as(svc, "li", case.draft_id, DRAFT)
    return only_task(svc, case.instance_id, "Approve").id
