"""Who may see and who may work what: the one permission model of the pages and the API (issue 4 item 1).

The rules, over the task mirror (a task row carries its lane = candidate group and its agency code):

- **staff** (执法人员) and **agency heads** (单位负责人) see the tasks of their own agency, and the tasks of
  joint inspections (综合查一次, R18) their agency takes part in; they work those of them in their lanes
  (`LANES_BY_ROLE`: staff the inspectors' lane, heads also the head's lane).
- **supervisors** (司法局) and the **county office** (县综合执法办) see every task placed in their jurisdiction
  or a jurisdiction below it (`Jurisdiction.parent_id`), and work their own lanes there.
- **administrators** and **process owners** see every task and instance (owners answer for the diagrams all
  instances run on) and work none.
- A task whose diagram gives it no lane may be worked by any of the four working roles that sees it.
- An instance is seen by whoever sees one of its tasks, open or done (everything for administrators and owners),
  and read by whoever received a copy of it (抄送, `copied_to`): a group the user works, within their agency (for
  an agency's groups) or jurisdiction (for the jurisdiction-wide ones). A copy opens the case to read and to
  comment on its open steps (`task_for(..., copies=True)`), never to work them.

Where a task is placed: in the jurisdiction of its agency (`Agency.code` = the task's `agency`). A task with no
agency, or an agency code that names no agency, is placed in its instance's jurisdiction
(`ProcessInstance.jurisdiction_id`, set at start: e.g. the county the portal serves for an anonymous complaint)
and where the enterprise its instance concerns is. Nothing is open to every county (issue 10 defect 9): work
placed nowhere is seen only by administrators and process owners. The task row carries copies of the instance's
jurisdiction and of its inspection's and complaint's enterprises, kept exact by engine.runtime.placement.

How an instance concerns records, without reading workflow data (all on indexed columns):
- an inspection: `Inspection.process_instance_id` (set when engine.domain.inspection_process starts the lifecycle);
- an enterprise: that inspection's enterprise, a complaint's (`Complaint.process_instance_id`), or a business key
  `enterprise:<credit code>` (the single-step procedures).
A task belongs to a joint inspection of agency X when its instance is the lifecycle of an inspection whose
`joint_group_id` is also the group of an inspection of X: two `IN` subqueries over `inspection.agency_id`,
`inspection.joint_group_id` and `inspection.process_instance_id`, all indexed.

Every rule is an SQL condition on the task table (`visible`, `workable`), so lists are cut by the database before
any LIMIT and a single-task check is the same condition applied to one row. Read-only; no commits.

Written for the open-task lists on PostgreSQL (issue 13 item 5, bench/reads.py): an agency's condition is an OR of
two index conditions (its code, and its joint inspections' instances as `= ANY(ARRAY(…))`, see `in_found`), so
the database reads that agency's open tasks only; where a jurisdiction-wide user's task is placed is read off the
task row (`_placed_in`), so walking the open tasks by due moment stops at the LIMIT with at most two primary- or
unique-key probes of `enterprise` for a task without a known agency.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    any_,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from engine.domain.policy_admin import jurisdiction_tree_of, resolve_jurisdiction
from engine.models import Agency, CaseCopy, Complaint, Enterprise, Inspection, TaskRecord
from engine.models.base import Base

LANES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "staff": ("执法人员",),
    "agency_head": ("单位负责人", "执法人员"),
    "county_office": ("县综合执法办",),
    "supervisor": ("司法局",),
    "process_owner": (),
    "administrator": (),
}
WORKING_ROLES = ("staff", "agency_head", "county_office", "supervisor")
AGENCY_ROLES = ("staff", "agency_head")
JURISDICTION_ROLES = ("county_office", "supervisor")
SEE_ALL_ROLES = ("administrator", "process_owner")
MERGING_ROLES = ("county_office", "administrator")  # who merges inspections into a joint one (R18)
ENTERPRISE_KEY = "enterprise:"  # business key prefix of the procedures started for one enterprise


class Person(Protocol):
    """A logged-in page user, an API token's user or a command's actor."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def jurisdiction(self) -> str | None: ...


@dataclass(frozen=True)
class Scope:
    """What one user may see and work, resolved once (`scope_of`)."""

    username: str
    role: str
    lanes: tuple[str, ...] = ()
    everything: bool = False
    agency: str | None = None  # agency roles: the agency code
    jurisdiction_ids: frozenset[int] = frozenset()  # jurisdiction roles: theirs and every one below it

    @property
    def may_merge(self) -> bool:
        return self.role in MERGING_ROLES


class NotPermitted(Exception):
    """The actor may not do this to this record: `reason` is a stable code ("outside_scope", "not_your_lane",
    "role", "agency_not_yours", "record_not_yours" …) the pages word; `details` names the record."""

    def __init__(self, reason: str, message: str | None = None, **details: object) -> None:
        super().__init__(message or reason)
        self.reason = reason
        self.message = message or reason
        self.details = details


def scope_of(session: Session, user: Person) -> Scope:
    lanes = LANES_BY_ROLE.get(user.role, ())
    if user.role in SEE_ALL_ROLES:
        return Scope(user.username, user.role, lanes, everything=True)
    if user.role in JURISDICTION_ROLES:
        return Scope(user.username, user.role, lanes, jurisdiction_ids=jurisdiction_tree(session, user.jurisdiction))
    return Scope(user.username, user.role, lanes, agency=user.agency if user.role in AGENCY_ROLES else None)


def jurisdiction_tree(session: Session, wanted: str | None) -> frozenset[int]:
    """The jurisdiction (code or name, see resolve_jurisdiction) and all below it; empty when it cannot be told."""
    try:
        root = resolve_jurisdiction(session, wanted).id
    except LookupError:
        return frozenset()
    return jurisdiction_tree_of(session, root)


class in_found(ColumnElement[bool]):  # noqa: N801 - used like the SQL functions it renders
    """`column IN (query)`, rendered on PostgreSQL as `column = ANY(ARRAY(query))`: the query then runs once,
    before the scan, and its values are an index condition, so an OR of it and another indexed condition reads
    both indexes (BitmapOr) where `IN (query)` would be a filter over every row the other index does not narrow.
    The same rows either way (NULL for a NULL column, false for an empty query)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is: no `= 1` where the database has no boolean type
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("query", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: QueryableAttribute[int], query: Select) -> None:
        self.column: ColumnElement[int] = column.expression
        self.query = query


@compiles(in_found)
def _in_query(element: in_found, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.column.in_(element.query), **kw)


@compiles(in_found, "postgresql")
def _equals_any_of_array(element: in_found, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.column == any_(func.array(element.query.scalar_subquery())), **kw)


def concerning_enterprises(enterprise_ids: Select) -> ColumnElement[bool]:
    """Tasks whose instance concerns one of the enterprises `enterprise_ids` selects (see the module docstring)."""
    # A constant in the SQL rather than a bound parameter: `'enterprise:' || credit_code` types alike on both databases.
    prefix = literal_column(f"'{ENTERPRISE_KEY}'", String)
    keys = select(prefix + Enterprise.credit_code).where(Enterprise.id.in_(enterprise_ids))
    return or_(
        TaskRecord.instance_id.in_(select(Inspection.process_instance_id).where(
            Inspection.enterprise_id.in_(enterprise_ids), Inspection.process_instance_id.is_not(None))),
        TaskRecord.instance_id.in_(select(Complaint.process_instance_id).where(
            Complaint.enterprise_id.in_(enterprise_ids), Complaint.process_instance_id.is_not(None))),
        # Guarded so that NOT(...) stays true, not NULL, for tasks without a business key.
        and_(TaskRecord.business_key.is_not(None), TaskRecord.business_key.in_(keys)),
    )


# Aliased, since the same table must not be correlated with the outer select; made once: an alias builds its
# column collection anew each time, which made every task list and step pay for it (issue 13 item 5).
_JOINT_MEMBER = aliased(Inspection)


def joint_instances(agency_code: str) -> Select:
    """Lifecycle instances of inspections in a joint group that has an inspection of the agency."""
    member = _JOINT_MEMBER
    groups = (select(member.joint_group_id).join(Agency, Agency.id == member.agency_id)
              .where(Agency.code == agency_code, member.joint_group_id.is_not(None)))
    return select(Inspection.process_instance_id).where(Inspection.joint_group_id.in_(groups),
                                                        Inspection.process_instance_id.is_not(None))


def _probe(source: FromClause | type[Base], *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """True when `source` has a row meeting `conditions` (correlated with the task row), false otherwise: an
    indexed probe per row, where an `IN` or `EXISTS` would be hashed over the whole table before the first row."""
    return select(func.count()).select_from(source).where(*conditions).scalar_subquery() > 0


def _placed_in(jurisdiction_ids: frozenset[int]) -> ColumnElement[bool]:
    """Placed by its agency, else by its instance's jurisdiction or the enterprise its instance concerns.

    The second part is asked only of tasks without a known agency, and reads the placement the task row carries
    (engine.runtime.placement): the instance's jurisdiction, and the enterprises of its inspection and complaint,
    whose jurisdictions are read now (one probe by primary key: hashing a city's 50,000 enterprises cost thirty
    times the query). A business key `enterprise:<credit code>` is still probed by credit code, since that
    enterprise may be registered after its task.
    """
    known_agency = TaskRecord.agency.in_(select(Agency.code))
    unplaced_agency = or_(TaskRecord.agency.is_(None), ~known_agency)
    ids = jurisdiction_ids
    enterprises = (TaskRecord.inspection_enterprise_id, TaskRecord.complaint_enterprise_id)
    return or_(
        TaskRecord.agency.in_(select(Agency.code).where(Agency.jurisdiction_id.in_(ids))),
        and_(unplaced_agency, or_(
            TaskRecord.instance_jurisdiction_id.in_(ids),
            and_(or_(*(enterprise.is_not(None) for enterprise in enterprises)),
                 _probe(Enterprise, Enterprise.id.in_(enterprises), Enterprise.jurisdiction_id.in_(ids))),
            and_(TaskRecord.business_key.startswith(ENTERPRISE_KEY),
                 _probe(Enterprise, Enterprise.credit_code == func.substr(TaskRecord.business_key,
                                                                           len(ENTERPRISE_KEY) + 1),
                        Enterprise.jurisdiction_id.in_(ids))),
        )),
    )


def visible(scope: Scope) -> ColumnElement[bool]:
    """The condition on the task table for the tasks the user may see."""
    return _visible(scope.role, scope.everything, scope.agency, scope.jurisdiction_ids)


@functools.lru_cache(maxsize=1024)
def _visible(role: str, everything: bool, agency: str | None, jurisdiction_ids: frozenset[int]) -> ColumnElement[bool]:
    # Cached: building the condition cost more than running it, on every list and step (issue 13 item 5); an
    # SQL expression is immutable, so one serves every request of the same scope.
    if everything:
        return true()
    if role in JURISDICTION_ROLES:
        return _placed_in(jurisdiction_ids)
    if role in AGENCY_ROLES and agency:
        return or_(TaskRecord.agency == agency, in_found(TaskRecord.instance_id, joint_instances(agency)))
    return false()


def _in_lane(scope: Scope) -> ColumnElement[bool]:
    if scope.role not in WORKING_ROLES:
        return false()
    return or_(TaskRecord.candidate_group.in_(scope.lanes), TaskRecord.candidate_group.is_(None))


def workable(scope: Scope) -> ColumnElement[bool]:
    """The condition for the tasks the user may claim, release and complete."""
    return and_(visible(scope), _in_lane(scope))


def copied_to(scope: Scope) -> ColumnElement[bool]:
    """The condition on the copy table for the copies (抄送) the user receives."""
    if scope.role in JURISDICTION_ROLES:
        return and_(CaseCopy.candidate_group.in_(scope.lanes), CaseCopy.jurisdiction_id.in_(scope.jurisdiction_ids))
    if scope.role in AGENCY_ROLES and scope.agency:
        return and_(CaseCopy.candidate_group.in_(scope.lanes), CaseCopy.agency == scope.agency)
    return false()


def _copied_instance(scope: Scope) -> ColumnElement[bool]:
    return TaskRecord.instance_id.in_(select(CaseCopy.instance_id).where(copied_to(scope)))


def task_for(session: Session, scope: Scope, task_id: str, *, work: bool, copies: bool = False) -> TaskRecord | None:
    """The task (None when there is none), or NotPermitted when the user may not see it, or `work` it. With
    `copies`, a task of an instance copied to the user counts as seen (to read and comment on, not to work)."""
    seeing = or_(visible(scope), _copied_instance(scope)) if copies and not work else visible(scope)
    # One statement: the row and both rules (a step through the API is a handful of statements; issue 13 item 5).
    found = session.execute(select(TaskRecord, seeing, _in_lane(scope)).where(TaskRecord.id == task_id)).first()
    if found is None:
        return None
    task, seen, in_lane = found
    if not seen:
        raise NotPermitted("outside_scope", "this task lies outside your agency or jurisdiction", task_id=task_id)
    if work and not in_lane:
        raise NotPermitted("not_your_lane", "this task is in a lane your role does not work", task_id=task_id)
    return task


def may_work(session: Session, scope: Scope, task_id: str) -> bool:
    return session.scalar(select(TaskRecord.id).where(TaskRecord.id == task_id, workable(scope))) is not None


def may_see_instance(session: Session, scope: Scope, instance_id: int) -> bool:
    if scope.everything:
        return True
    found = select(TaskRecord.id).where(TaskRecord.instance_id == instance_id, visible(scope)).limit(1)
    return session.scalar(found) is not None or has_copy(session, scope, instance_id)


def has_copy(session: Session, scope: Scope, instance_id: int) -> bool:
    """Whether the instance was copied (抄送) to the user."""
    found = select(CaseCopy.id).where(CaseCopy.instance_id == instance_id, copied_to(scope)).limit(1)
    return session.scalar(found) is not None


def agency_ids_in(session: Session, scope: Scope) -> list[int] | None:
    """The agencies a jurisdiction-wide user oversees (None: every agency, for administrators and owners)."""
    if scope.everything:
        return None
    if scope.role not in JURISDICTION_ROLES:
        return []
    return list(session.scalars(select(Agency.id).where(Agency.jurisdiction_id.in_(scope.jurisdiction_ids))))
