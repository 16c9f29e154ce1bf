"""Start a procedure; claim, release and complete a task — decided from the actor, never from the request.

Starting (issue 10 defect 1): the engine, not the start data, decides which agency the procedure runs for and
which records it may touch.
- staff and agency heads start for their own agency only (`agency` in the data may repeat it, not name another);
- the county office and supervisors for an agency of their jurisdiction (or none: then the work is placed in
  their jurisdiction);
- administrators, process owners and the system (CLI, scheduler) for any existing agency.
Every record the data names must belong to that agency and lie in the actor's scope: the inspection
(`inspection_id`), the complaint (`complaint_id`) and the enterprise (`enterprise`, its credit code, which must
be in the agency's jurisdiction or one below it). The instance is placed in a jurisdiction (its agency's, else
its enterprise's, else the actor's) so it is never open to every county. The keys stay bound for the
instance's life (engine.runtime.instances.BOUND_KEYS).

Claim, release and complete need the right to work the task (engine.identity.access.workable), checked in the
session that makes the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.commands.actor import SYSTEM_ROLE, Actor
from engine.commands.work import Work
from engine.domain.policy_admin import jurisdiction_tree_of
from engine.identity import access
from engine.identity.access import NotPermitted
from engine.models import Agency, Complaint, Enterprise, Inspection, TaskRecord
from engine.runtime import InvalidTaskData, ProcessNotFound, TaskNotFound, instances
from engine.runtime.deploy import latest_version
from engine.runtime.instances import StartedInstance

STARTING_ROLES = (*access.WORKING_ROLES, *access.SEE_ALL_ROLES)


@dataclass(frozen=True)
class Placement:
    agency: str | None
    jurisdiction_id: int | None


def start_process(work: Work, actor: Actor, *, process_key: str, data: dict,
                  business_key: str | None = None) -> StartedInstance:
    if not actor.is_system and actor.role not in STARTING_ROLES:
        raise NotPermitted("role", f"the role {actor.role} does not start procedures", role=actor.role)
    data = dict(instances.validate_data(data))
    if latest_version(work.session, process_key) is None:  # say the plainest problem first
        raise ProcessNotFound(f"no process '{process_key}' is deployed", process_key=process_key)
    placement = place(work, actor, data)
    if placement.agency is not None:
        data["agency"] = placement.agency
    return instances.start_instance(work.runtime, work.session, work.clock, process_key=process_key, data=data,
                                    actor=actor.username, business_key=business_key,
                                    jurisdiction_id=placement.jurisdiction_id)


def place(work: Work, actor: Actor, data: dict) -> Placement:
    """The agency and jurisdiction a procedure started by `actor` with `data` runs in; NotPermitted when the data
    names an agency or a record outside the actor's scope, InvalidTaskData when it names one that does not exist."""
    session = work.session
    scope = access.scope_of(session, actor)
    inspection = _record(session, Inspection, data, "inspection_id")
    complaint = _record(session, Complaint, data, "complaint_id")
    agency = _bound_agency(session, actor, scope, data.get("agency"), inspection, complaint)
    if inspection is not None and (agency is None or inspection.agency_id != agency.id):
        raise NotPermitted("record_not_yours", f"inspection {inspection.id} is not an inspection of agency "
                           f"{agency.code if agency else '(none)'}", inspection_id=inspection.id)
    if complaint is not None and not _complaint_in(scope, complaint, agency):
        raise NotPermitted("record_not_yours", f"complaint {complaint.id} lies outside your scope",
                           complaint_id=complaint.id)
    home = agency.jurisdiction_id if agency is not None else None
    enterprise = _enterprise(session, data.get("enterprise"))
    if enterprise is not None:
        reach = jurisdiction_tree_of(session, home) if home is not None else None
        if not (enterprise.jurisdiction_id in reach if reach is not None else _enterprise_in(scope, enterprise)):
            raise NotPermitted("enterprise_outside_jurisdiction", f"enterprise {enterprise.credit_code} lies "
                               "outside the jurisdiction of the agency or yours", enterprise=enterprise.credit_code)
    jurisdiction_id = home or (enterprise.jurisdiction_id if enterprise else None) or _own_jurisdiction(scope)
    if jurisdiction_id is None and actor.is_system:
        return Placement(data.get("agency") if isinstance(data.get("agency"), str) else None, None)
    if jurisdiction_id is None:
        raise InvalidTaskData("name an agency or an enterprise: a procedure must be placed in a jurisdiction",
                              fields={"agency": "required to place the procedure"})
    return Placement(agency.code if agency else None, jurisdiction_id)


def _bound_agency(session, actor: Actor, scope: access.Scope, requested: object, inspection: Inspection | None,
                  complaint: Complaint | None) -> Agency | None:
    """The agency the procedure runs for: the one requested, else the named record's; for staff and heads
    always their own, for the county office and supervisors one of their jurisdiction."""
    agency = _agency(session, requested, must_exist=not actor.is_system)
    if agency is None and inspection is not None:
        agency = inspection.agency
    if agency is None and complaint is not None and complaint.inspection is not None:
        agency = complaint.inspection.agency
    if scope.role in access.AGENCY_ROLES:
        if not actor.agency:
            raise NotPermitted("no_agency", "your account belongs to no agency, so it starts no procedure")
        if agency is not None and agency.code != actor.agency:
            raise NotPermitted("agency_not_yours", f"agency {agency.code} is not yours ({actor.agency})",
                               agency=agency.code)
        return agency or _agency(session, actor.agency)
    if scope.role in access.JURISDICTION_ROLES and agency is not None \
            and agency.jurisdiction_id not in scope.jurisdiction_ids:
        raise NotPermitted("agency_outside_jurisdiction", f"agency {agency.code} lies outside your jurisdiction",
                           agency=agency.code)
    return agency


def _agency(session, code: object, *, must_exist: bool = True) -> Agency | None:
    """The agency the code names. The operator (CLI) may name one not yet recorded: the work is then placed by
    its enterprise, or seen only by administrators and process owners."""
    if code is None or code == "":
        return None
    found = session.scalar(select(Agency).where(Agency.code == code)) if isinstance(code, str) else None
    if found is None and not must_exist and isinstance(code, str):
        return None
    if found is None:
        raise InvalidTaskData(f"no agency with code {str(code)[:120]!r}", fields={"agency": "no such agency"})
    return found


def _record(session, model, data: dict, key: str):
    value = data.get(key)
    if value is None:
        return None
    found = session.get(model, value) if isinstance(value, int) and not isinstance(value, bool) \
        and 0 < value < 2**31 else None
    if found is None:
        raise InvalidTaskData(f"{key} {str(value)[:40]!r} names no record", fields={key: "no such record"})
    return found


def _enterprise(session, credit_code: object) -> Enterprise | None:
    if not isinstance(credit_code, str) or not credit_code:
        return None
    return session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))


def _enterprise_in(scope: access.Scope, enterprise: Enterprise) -> bool:
    if scope.role in access.JURISDICTION_ROLES:
        return enterprise.jurisdiction_id in scope.jurisdiction_ids
    return scope.everything or scope.role == SYSTEM_ROLE


def _complaint_in(scope: access.Scope, complaint: Complaint, agency: Agency | None) -> bool:
    if complaint.inspection is not None:
        return agency is not None and complaint.inspection.agency_id == agency.id
    if scope.everything:
        return True
    if scope.role in access.JURISDICTION_ROLES:
        placed = complaint.enterprise.jurisdiction_id if complaint.enterprise else None
        return placed in scope.jurisdiction_ids
    return False


def _own_jurisdiction(scope: access.Scope) -> int | None:
    return min(scope.jurisdiction_ids) if scope.role in access.JURISDICTION_ROLES and scope.jurisdiction_ids \
        else None


def check_workable(work: Work, actor: Actor, task_id: str) -> None:
    """NotPermitted unless the actor may work the task (the system may work any); the engine's TaskNotFound when
    there is none."""
    if actor.is_system:
        return  # the runtime itself refuses unknown or closed tasks
    if access.task_for(work.session, access.scope_of(work.session, actor), task_id, work=True) is None:
        raise TaskNotFound(f"task {task_id} does not exist", task_id=task_id)


def claim_task(work: Work, actor: Actor, task_id: str) -> TaskRecord:
    check_workable(work, actor, task_id)
    instances.claim_task(work.session, work.clock, task_id=task_id, actor=actor.username)
    return work.session.get_one(TaskRecord, task_id)


def release_task(work: Work, actor: Actor, task_id: str) -> TaskRecord:
    check_workable(work, actor, task_id)
    instances.release_task(work.session, work.clock, task_id=task_id, actor=actor.username)
    return work.session.get_one(TaskRecord, task_id)


def complete_task(work: Work, actor: Actor, task_id: str, data: dict) -> StartedInstance:
    check_workable(work, actor, task_id)
    return instances.complete_task(work.runtime, work.session, work.clock, task_id=task_id, data=data,
                                   actor=actor.username)
