"""A case for the task desk (comments, 指派, 转办, the 流转 timeline): the access world (tests.engine.access_fixtures)
and an instance of opinion_chain for agency SCJG — 拟定方案 (lane 执法人员), then 负责人审批 (lane 单位负责人,
是否批准 and 审批意见).

People: li, li2 (SCJG staff), head (SCJG head), wang (XFJY staff), zhou (LXJG staff, the neighbouring county),
gone (SCJG staff, deactivated), sup (示范县 supervisor), sup2 (邻县 supervisor), admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.commands import Actor
from engine.models import User
from tests.engine.access_fixtures import actor_of, add_people, build_world
from tests.engine.helpers import deploy, only_task, start

DESK_PEOPLE = {
    "li": ("staff", "SCJG", None),
    "li2": ("staff", "SCJG", None),
    "head": ("agency_head", "SCJG", None),
    "wang": ("staff", "XFJY", None),
    "zhou": ("staff", "LXJG", None),
    "gone": ("staff", "SCJG", None),
    "sup": ("supervisor", None, "331125"),
    "sup2": ("supervisor", None, "331126"),
    "admin": ("administrator", None, None),
}


@dataclass(frozen=True)
class DeskCase:
    instance_id: int
    draft_id: str  # 拟定方案, open


def person(username: str) -> Actor:
    return actor_of(DESK_PEOPLE, username)


def build_case(svc, clock) -> DeskCase:
    build_world(svc, clock)
    deploy(svc, clock, "opinion_chain.bpmn")
    with svc.transaction() as session:
        add_people(session, DESK_PEOPLE, clock.now())
        session.flush()
        session.scalar(select(User).where(User.username == "gone")).active = False
    started = start(svc, clock, "opinion_chain", {"agency": "SCJG"}, actor="li")
    return DeskCase(started.id, only_task(svc, started.id, "Draft").id)
