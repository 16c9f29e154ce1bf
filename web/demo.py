"""Demo set-up for `inspectflow load-demo` and the administrator's 载入演示数据 action: deploy the shipped
diagrams, load the demo county's records (engine.demo.records), start its running work
(engine.demo.processes) and create one login per role.

Idempotent: running it again deploys only diagrams that changed and keeps existing accounts. Each step is
its own transaction and `progress(done, total, step)` is called between them (never inside one: on SQLite
a progress write would wait for the step's own write lock). The web action refuses outright when the
demo is there already or the database holds real records (`refusal`); the command stays idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext

from engine.bpmn.shipped import shipped_diagrams
from engine.demo.processes import start_demo_work
from engine.demo.records import COUNTY_NAME, demo_loaded, load_demo_records
from engine.identity import accounts
from engine.runtime import deploy as deploy_module
from engine.views.holdings import kinds_held, login_exists
from web.services import Services

DEMO_PASSWORD = "inspectflow-demo"
DEMO_USERS = (
    ("admin", "administrator", "系统管理员", None, "示范县"),
    ("owner", "process_owner", "流程管理员", None, "示范县"),
    ("staff", "staff", "市场监管局执法人员", "SCJG", "示范县"),
    ("head", "agency_head", "市场监管局局长", "SCJG", "示范县"),
    ("office", "county_office", "县综合执法办", None, "示范县"),
    ("supervisor", "supervisor", "司法局监督员", None, "示范县"),
)


Progress = Callable[[int, int, str], None]


def refusal(session) -> str | None:
    """Why the web action will not load the demo, or None when the database is free for it."""
    if demo_loaded(session):
        return gettext("演示数据已经载入，无需再次载入。")
    labels = {"jurisdiction": gettext("辖区记录"), "enterprise": gettext("企业记录"),
              "process_instance": gettext("流程实例记录")}
    held = [labels[kind] for kind in kinds_held(session)]
    if held:
        return gettext("数据库中已有非演示数据（%(what)s），为免与真实记录混在一起，不载入演示数据。",
                       what=gettext("、").join(held))
    return None


def load(svc: Services, progress: Progress | None = None) -> dict:
    clock = svc.clock()
    diagrams = shipped_diagrams()
    total = len(diagrams) + 3

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress(done, total, text)

    deployed = []
    for number, path in enumerate(diagrams):
        step(number, gettext("部署流程图 %(file)s", file=path.name))
        with svc.transaction() as session:
            for version in deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(),
                                                source_name=path.name, actor="load-demo"):
                deployed.append({"file": path.name, "process_key": version.process_key,
                                 "version": version.version, "unchanged": version.unchanged})
    step(len(diagrams), gettext("载入%(county)s的单位、执法人员、企业和一年的检查记录", county=COUNTY_NAME))
    with svc.transaction() as session:
        calendar = svc.runtime.refresh_calendar(session, force=True)
        records = load_demo_records(session, now=clock.now(), calendar=calendar)
    step(len(diagrams) + 1, gettext("启动各流程的演示实例"))
    with svc.transaction() as session:
        work = start_demo_work(svc.runtime, session, clock)
    step(len(diagrams) + 2, gettext("创建演示账号"))
    created = []
    with svc.transaction() as session:
        for username, role, name, agency, jurisdiction in DEMO_USERS:
            if not login_exists(session, username):
                accounts.create_user(session, username=username, password=DEMO_PASSWORD, role=role,
                                     now=clock.now(), display_name=name, agency=agency, jurisdiction=jurisdiction)
                created.append(username)
    lines = [f"diagram {d['file']}: {d['process_key']} v{d['version']}" + (" (unchanged)" if d["unchanged"] else "")
             for d in deployed]
    lines.append(f"demo county {COUNTY_NAME}: " + (
        f"{len(records.agencies)} agencies, {len(records.enterprises)} enterprises, {records.inspections} past "
        "inspections loaded" if records else "already loaded"))
    if work:
        lines.append(f"started {len(work)} demo process instances (open tasks in every procedure, some overdue)")
    step(total, gettext("演示数据已载入"))
    lines.append(f"demo logins (password for all: {DEMO_PASSWORD}):")
    lines += [f"  {username:<11} {role}" for username, role, *_ in DEMO_USERS]
    return {"deployed": deployed, "users_created": created, "instances_started": work,
            "records": None if records is None else {"agencies": len(records.agencies),
                                                     "enterprises": len(records.enterprises),
                                                     "inspections": records.inspections},
            "logins": [{"username": u, "role": r, "password": DEMO_PASSWORD} for u, r, *_ in DEMO_USERS],
            "lines": lines}


def summary(document: dict) -> str:
    """One line for the job page once the load has finished."""
    records = document["records"]
    if records is None:
        return gettext("演示数据已载入（示范县此前已存在）；演示账号密码均为 %(password)s。", password=DEMO_PASSWORD)
    return gettext("已载入%(county)s：%(agencies)s 个单位、%(enterprises)s 家企业、%(inspections)s 条检查记录，"
                   "启动 %(instances)s 个流程实例；演示账号密码均为 %(password)s。", county=COUNTY_NAME,
                   agencies=records["agencies"], enterprises=records["enterprises"],
                   inspections=records["inspections"], instances=len(document["instances_started"]),
                   password=DEMO_PASSWORD)
