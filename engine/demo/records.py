"""The demo county's records (issue 3 item 8): one county with its policy, 8 agencies, 40 inspectors and two
assistants (辅助人员, who may be named in advance to accompany but never inspect) per agency,
200 enterprises across credit classes, published item lists, plans, and a year of past inspections with
their codes, notices, ratings, complaints and penalties.

The story a supervisor can explore: most agencies inspect within the rules; the market regulator and the
ecology bureau visit a few enterprises more often than their class allows (logged overrides), some
inspections were merged into joint visits, a few are non-onsite, some inspectors' certificates have
expired and the urban-management bureau employs grid workers who may not inspect (R1). Deterministic
(a seeded generator), and idempotent: nothing is added when the county exists already.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.decisions import log_refusal
from engine.domain.errors import Refused
from engine.domain.joint import merge
from engine.domain.policy import to_json, yunhe_style
from engine.domain.tracking_number import new_tracking_number
from engine.models import (
    Agency,
    BehaviorCode,
    Complaint,
    Enterprise,
    EnterpriseCreditClass,
    Inspection,
    InspectionItem,
    InspectionItemList,
    InspectionPlan,
    InspectionRating,
    Inspector,
    Jurisdiction,
    Notice,
    Penalty,
)
from engine.models.credit_code import check_character
from engine.platform.clock import SHANGHAI

COUNTY_CODE = "331125"
COUNTY_NAME = "示范县"
AGENCIES = (
    ("SCJG", "示范县市场监督管理局", ["食品经营许可情况", "特种设备安全", "产品质量", "计量器具"]),
    ("STHJ", "丽水市生态环境局示范分局", ["排污许可执行", "危险废物贮存", "环评手续"]),
    ("YJGL", "示范县应急管理局", ["安全生产责任制", "危险化学品储存", "隐患排查治理"]),
    ("XFJY", "示范县消防救援大队", ["消防设施完好", "疏散通道畅通", "消防安全培训"]),
    ("RLSB", "示范县人力资源和社会保障局", ["劳动合同签订", "工资支付", "社会保险缴纳"]),
    ("WSJK", "示范县卫生健康局", ["职业病防治", "公共场所卫生"]),
    ("ZHZF", "示范县综合行政执法局", ["户外广告设置", "建筑垃圾处置", "餐饮油烟"]),
    ("SWJ", "示范县水利局", ["取水许可", "河道管理范围内建设"]),
)
SECTORS = ("制造", "餐饮", "零售", "建材", "化工", "物流", "食品加工", "住宿")
NAMES = ("宏达", "恒信", "瓯江", "云和", "丽扬", "金港", "华美", "鑫源", "山海", "竹韵", "青瓷", "木玩")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


@dataclass(frozen=True)
class DemoRecords:
    jurisdiction_id: int
    agencies: dict[str, int]
    enterprises: list[int]
    inspections: int


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == COUNTY_CODE)) is not None


def load_demo_records(session: Session, *, now: datetime, calendar: WorkingCalendar) -> DemoRecords | None:
    if demo_loaded(session):
        return None
    rng = random.Random(2026)
    county = Jurisdiction(code=COUNTY_CODE, name=COUNTY_NAME, level="county", policy=to_json(yunhe_style()))
    session.add(county)
    agencies = {code: _agency(session, county, code, name, items) for code, name, items in AGENCIES}
    inspectors = {code: _inspectors(session, agency, rng) for code, agency in agencies.items()}
    enterprises = [_enterprise(session, county, number, rng, now) for number in range(1, 201)]
    session.flush()
    count = _past_year(session, agencies, inspectors, enterprises, rng, now, calendar)
    for number, agency in enumerate(agencies.values()):
        add_assistants(session, agency, ASSISTANT_NAMES[2 * number:2 * number + 2])
    return DemoRecords(county.id, {code: a.id for code, a in agencies.items()}, [e.id for e in enterprises], count)


def _agency(session: Session, county: Jurisdiction, code: str, name: str, item_names: list[str]) -> Agency:
    agency = Agency(code=code, name=name, jurisdiction=county, confirmed_enforcement_body=True,
                    confirmed_on=date(2025, 4, 1), confirmation_basis="示政办发〔2025〕8号 行政执法主体确认公告",
                    special_inspection_quota=2)
    session.add(agency)
    item_list = InspectionItemList(agency=agency, version=1, title=f"{name}涉企行政检查事项清单",
                                   published_on=date(2026, 1, 20))
    for number, item_name in enumerate(item_names, start=1):
        item_list.items.append(InspectionItem(code=f"{code}-{number:03d}", name=f"{item_name}检查",
                                              legal_basis=f"依据相关法律法规对{item_name}实施监督检查",
                                              standard=f"{item_name}符合法定标准"))
    session.add(item_list)
    session.add(InspectionPlan(agency=agency, year=2026, kind="annual", title=f"{name}2026年度行政检查计划",
                               status="published", approved_by="局长", approved_at=_moment(date(2026, 3, 10)),
                               published_at=_moment(date(2026, 3, 20)), filed_at=_moment(date(2026, 3, 25)),
                               filed_with="示范县司法局"))
    return agency


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _inspectors(session: Session, agency: Agency, rng: random.Random) -> list[Inspector]:
    people = []
    for number in range(1, 6):
        expired = number == 5 and agency.code in ("SCJG", "YJGL", "WSJK")  # three certificates lapsed this year
        inspector = Inspector(name=_person(rng), agency=agency, kind="enforcement_officer",
                              certificate_number=f"浙{agency.code}{number:04d}", valid_from=date(2022, 1, 1),
                              valid_to=date(2026, 6, 30) if expired else date(2028, 12, 31), status="active")
        people.append(inspector)
    if agency.code == "ZHZF":  # grid workers appear on the roster but may not inspect (R1)
        people[-1].kind, people[-1].certificate_number = "grid_worker", None
    session.add_all(people)
    return people


# Two 辅助人员 per agency, in AGENCIES order; fixed, so the seeded generator's sequence (and with it the rest of the
# demo) stays as it was.
ASSISTANT_NAMES = ("钱小军", "孙丽华", "冯建国", "陈秀英", "褚志强", "卫春燕", "蒋海涛", "沈玉梅", "韩立新", "杨晓红",
                   "朱国平", "秦雪梅", "尤文斌", "许慧敏", "何家豪", "吕桂兰")


def add_assistants(session: Session, agency: Agency, names: tuple[str, ...]) -> list[Inspector]:
    """The agency's 辅助人员 (no 执法证: they may be named to assist, never inspect, R1) unless it has some."""
    if any(person.kind == "auxiliary" for person in agency.inspectors):
        return []
    people = [Inspector(name=name, agency=agency, kind="auxiliary", status="active") for name in names]
    session.add_all(people)
    return people


def _enterprise(session: Session, county: Jurisdiction, number: int, rng: random.Random,
                now: datetime) -> Enterprise:
    first17 = f"91{COUNTY_CODE}{number + 7_000_000:09d}"
    sector = rng.choice(SECTORS)
    tags = ["state_owned"] if number % 40 == 0 else (["public_safety"] if sector == "化工" else [])
    enterprise = Enterprise(credit_code=first17 + check_character(first17),
                            name=f"示范县{rng.choice(NAMES)}{sector}有限公司（{number:03d}）", jurisdiction=county,
                            sector_tags=tags, legal_representative=_person(rng), address=f"示范县工业园区{number}号")
    session.add(enterprise)
    credit_class = rng.choices("ABCD", weights=(15, 30, 45, 10))[0]
    enterprise.credit_classes.append(EnterpriseCreditClass(year=2026, credit_class=credit_class,
                                                           source="2025年度精准画像", recorded_at=now))
    return enterprise


def _moment(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def _working_day_in(month: int, rng: random.Random, calendar: WorkingCalendar) -> date:
    """A working day in the first twenty days of the month (outside the Yunhe quiet period)."""
    day = date(2026, month, rng.randint(1, 18))
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _past_year(session: Session, agencies: dict[str, Agency], inspectors: dict[str, list[Inspector]],
               enterprises: list[Enterprise], rng: random.Random, now: datetime, calendar: WorkingCalendar) -> int:
    made: list[Inspection] = []
    today = now.astimezone(SHANGHAI).date()
    caps = yunhe_style().caps
    visits: dict[tuple[str, int], int] = {}
    # The year's records are added first and written in one flush (bulk inserts), not one round trip each.
    items = {code: [item for item_list in agency_item_lists(session, agency) for item in item_list.items]
             for code, agency in agencies.items()}
    for month in range(1, today.month):
        for code, agency in agencies.items():
            for _ in range(rng.randint(2, 5)):
                triggered = rng.random() < 0.2
                onsite = rng.random() < 0.75
                enterprise = rng.choice(enterprises)
                if not triggered and onsite:  # routine on-site visits stay within the class's cap (R15, R17)
                    open_ones = [e for e in enterprises
                                 if _below_cap(caps, e, visits.get((code, e.id), 0))]
                    enterprise = rng.choice(open_ones)
                    visits[(code, enterprise.id)] = visits.get((code, enterprise.id), 0) + 1
                made.append(_inspection(session, agency, inspectors[code], items[code], enterprise, month, rng,
                                        calendar, trigger="triggered" if triggered else "routine",
                                        mode="onsite" if onsite else "non_onsite"))
    # Over the cap: the market regulator and the ecology bureau return to three C-class enterprises.
    c_class = [e for e in enterprises if e.credit_classes[0].credit_class == "C"
               and not any(visits.get((code, e.id)) for code in ("SCJG", "STHJ"))][:3]
    overridden = []
    for code in ("SCJG", "STHJ"):
        for enterprise in c_class:
            for month in (3, 6, 9):
                inspection = _inspection(session, agencies[code], inspectors[code], items[code], enterprise, month,
                                         rng, calendar, trigger="routine", mode="onsite")
                made.append(inspection)
            overridden.append(inspection)
    session.flush()
    for inspection in overridden:
        log_refusal(session, Refused("R15", "C类企业每年例行现场检查不超过 2 次，本单位今年已检查 2 次",
                                     {"year": 2026, "credit_class": "C", "cap": 2, "done": 2}),
                    action="inspection.plan", actor="demo", now=_moment(date(2026, 9, 1)),
                    inspection=inspection, outcome="overridden", overridden_by="局长",
                    override_reason="上级安排部署的专项整治")
    _joint_visits(session, made, rng)
    _aftermath(session, made, rng, now)
    return len(made)


def _below_cap(caps: dict[str, int | None], enterprise: Enterprise, done: int) -> bool:
    cap = caps[enterprise.credit_classes[0].credit_class]
    return cap is None or done < cap


def _inspection(session: Session, agency: Agency, people: list[Inspector], items: list[InspectionItem],
                enterprise: Enterprise, month: int, rng: random.Random, calendar: WorkingCalendar, *, trigger: str,
                mode: str) -> Inspection:
    """A closed past visit with its code and notice, added to the session (written by the caller's flush)."""
    day = _working_day_in(month, rng, calendar)
    triggered = trigger == "triggered"
    qualified = [p for p in people if p.kind == "enforcement_officer" and p.valid_to and p.valid_to >= day]
    inspection = Inspection(
        agency=agency, enterprise=enterprise, trigger="triggered" if triggered else "routine",
        trigger_reason=rng.choice(("complaint_report", "referral_assignment", "patrol_finding")) if triggered else None,
        mode=mode, planned_start=day, planned_end=day, actual_start=_moment(day, 9), actual_end=_moment(day, 11),
        status="closed", approved_by="局长", approved_at=_moment(day - timedelta(days=10)),
        created_by="demo", created_at=_moment(day - timedelta(days=14)),
        inspectors=rng.sample(qualified, 2), items=rng.sample(items, min(2, len(items))),
    )
    session.add(inspection)
    # History, not a new approval: the code the head's approval gave this visit (R6) is written as it was
    # issued, like the notice, rather than issued again through behavior_code.issue_code.
    issued = _moment(day - timedelta(days=8))
    session.add(BehaviorCode(code=behavior_code.new_code(agency.code), inspection=inspection, approved_by="局长",
                             issued_at=issued, valid_from=issued, valid_to=_moment(day, 18), retroactive=False,
                             issued_late=False, status="issued"))
    session.add(Notice(inspection=inspection, given_on=day - timedelta(days=9), method="platform",
                       content={"items": [i.name for i in inspection.items], "time": day.isoformat(),
                                "inspectors": [p.name for p in inspection.inspectors]},
                       recorded_by="demo", recorded_at=_moment(day - timedelta(days=9))))
    return inspection


def agency_item_lists(session: Session, agency: Agency) -> list[InspectionItemList]:
    return list(session.scalars(select(InspectionItemList).where(InspectionItemList.agency_id == agency.id)))


def _joint_visits(session: Session, made: list[Inspection], rng: random.Random) -> None:
    """A few enterprises got one joint visit by two agencies instead of two separate ones."""
    by_enterprise: dict[int, list[Inspection]] = {}
    for inspection in made:
        if inspection.trigger == "routine" and inspection.joint_group_id is None:
            by_enterprise.setdefault(inspection.enterprise_id, []).append(inspection)
    merged = 0
    for inspections in by_enterprise.values():
        pair = [inspections[0]] + [i for i in inspections[1:] if i.agency_id != inspections[0].agency_id][:1]
        if len(pair) == 2 and merged < 25:
            # Merged records of visits that already happened: reopen them for the merge, then close again.
            for inspection in pair:
                inspection.status, inspection.actual_start = "approved", None
            day = pair[0].planned_start
            assert day is not None
            merge(session, inspection_ids=[i.id for i in pair], coordinator="县综合执法办", now=pair[0].created_at,
                  planned_start=day, planned_end=day)
            for inspection in pair:
                inspection.status, inspection.actual_start = "closed", _moment(day)
            merged += 1


def _aftermath(session: Session, made: list[Inspection], rng: random.Random, now: datetime) -> None:
    for inspection in made:
        if rng.random() < 0.6:
            session.add(InspectionRating(inspection_id=inspection.id, enterprise_id=inspection.enterprise_id,
                                         score=rng.choices((5, 4, 3, 2), weights=(55, 30, 10, 5))[0],
                                         submitted_at=inspection.actual_end or now))
    for inspection in rng.sample(made, 6):
        substantiated = rng.random() < 0.5
        session.add(Complaint(
            tracking_number=new_tracking_number(), enterprise_id=inspection.enterprise_id,
            inspection_id=inspection.id, kind=rng.choice(("misconduct", "other")),
            content="检查人员要求企业法定代表人到场陪同" if substantiated else "对检查结论有异议",
            status="closed", received_at=inspection.actual_end or now, substantiated=substantiated,
            outcomes=["order_correction", "public_interview"] if substantiated else [],
            reply="已责令改正并公开约谈相关负责人" if substantiated else "经调查，检查程序合法",
            replied_at=(inspection.actual_end or now) + timedelta(days=10),
            complainant_rating=rng.choice((3, 4, 5))))
    for number, inspection in enumerate(rng.sample(made, 4), start=1):
        session.add(Penalty(inspection_id=inspection.id, decision_number=f"示市监罚〔2026〕{number:03d}号",
                            decided_on=(inspection.planned_start or date(2026, 6, 1)) + timedelta(days=20),
                            summary="未按规定落实食品安全管理制度，给予警告并处罚款", status="closed"))
    session.flush()
