"""Demo set-up for `inspectflow load-demo`: deploy the shipped diagrams, load the demo county's records
(engine.demo_records) and create one login per role.

Idempotent: running it again deploys only diagrams that changed and keeps existing accounts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine import accounts
from engine.demo_processes import start_demo_work
from engine.demo_records import COUNTY_NAME, load_demo_records
from engine.models import User
from engine.runtime import deploy as deploy_module
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


def load(svc: Services, processes_dir: Path) -> dict:
    clock = svc.clock()
    deployed = []
    for path in sorted(processes_dir.glob("*.bpmn")):
        with svc.transaction() as session:
            for version in deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(),
                                                source_name=path.name, actor="load-demo"):
                deployed.append({"file": path.name, "process_key": version.process_key,
                                 "version": version.version, "unchanged": version.unchanged})
    with svc.transaction() as session:
        calendar = svc.runtime.refresh_calendar(session, force=True)
        records = load_demo_records(session, now=clock.now(), calendar=calendar)
    with svc.transaction() as session:
        work = start_demo_work(svc.runtime, session, clock)
    created = []
    with svc.transaction() as session:
        for username, role, name, agency, jurisdiction in DEMO_USERS:
            if session.scalar(select(User.id).where(User.username == username)) is None:
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
    lines.append(f"demo logins (password for all: {DEMO_PASSWORD}):")
    lines += [f"  {username:<11} {role}" for username, role, *_ in DEMO_USERS]
    return {"deployed": deployed, "users_created": created, "instances_started": work,
            "records": None if records is None else {"agencies": len(records.agencies),
                                                     "enterprises": len(records.enterprises),
                                                     "inspections": records.inspections},
            "logins": [{"username": u, "role": r, "password": DEMO_PASSWORD} for u, r, *_ in DEMO_USERS],
            "lines": lines}
