"""marshmallow schemas for every API body, query and response; the OpenAPI document is built from them.

Text that reaches a column is capped at that column's size (engine.models.base.column_length), and task data
must be storable (engine.runtime.data_limits): too long or unstorable input is a 422 naming the field, never a
database error.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from engine.domain.statistics import STATISTICS_YEARS
from engine.models import Alert, Jurisdiction, ProcessInstance, TaskRecord
from engine.models.base import column_length
from engine.runtime.data_limits import data_problem
from engine.views.case_search import STATES as CASE_STATES


def _fits(model, column: str) -> validate.Length:
    return validate.Length(max=column_length(model, column))


def _storable_data(data: dict) -> None:
    found = data_problem(data)
    if found is not None:
        path, problem = found
        raise ValidationError(f"{path} {problem}")


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# Process definitions

class ProcessVersionSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    deployed_by = fields.String()
    deployed_at = fields.DateTime()


class ProcessDefinitionSchema(Schema):
    process_key = fields.String()
    name = fields.String()
    latest_version = fields.Integer()
    versions = fields.List(fields.Nested(ProcessVersionSchema))


class DeployInputSchema(Schema):
    """The diagram: a multipart upload in field `file`, or the XML itself as the body (application/xml)."""

    source_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    xml = fields.Raw(required=True, validate=validate.Length(min=1, error="the diagram is empty"))


class DeployedVersionSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    unchanged = fields.Boolean()


# Instances and tasks

class TaskSummarySchema(Schema):
    id = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)


class StartInstanceSchema(Schema):
    process_key = fields.String(required=True, validate=validate.Length(
        min=1, max=column_length(ProcessInstance, "process_key")))
    data = fields.Dict(keys=fields.String(), load_default=dict, validate=_storable_data)
    business_key = fields.String(load_default=None, allow_none=True, validate=_fits(ProcessInstance, "business_key"))


class StartedInstanceSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    status = fields.String()
    open_tasks = fields.List(fields.Nested(TaskSummarySchema))


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    element_id = fields.String()
    name = fields.String()
    candidate_group = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    state = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    task_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class InstanceSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    process_version_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    status = fields.String()
    started_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema))
    history = fields.List(fields.Nested(AuditEntrySchema))


class TaskQuerySchema(Schema):
    candidate_group = fields.String(validate=_fits(TaskRecord, "candidate_group"))
    agency = fields.String(validate=_fits(TaskRecord, "agency"))
    assignee = fields.String(validate=_fits(TaskRecord, "assignee"))
    process_key = fields.String(validate=_fits(TaskRecord, "process_key"))
    overdue = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class OverdueQuerySchema(Schema):
    process_key = fields.String(validate=_fits(TaskRecord, "process_key"))
    agency = fields.String(validate=_fits(TaskRecord, "agency"))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class CaseQuerySchema(Schema):
    enterprise = fields.String(validate=validate.Length(max=200),
                               metadata={"description": "part of the enterprise's name, or its credit code"})
    business_key = fields.String(validate=_fits(ProcessInstance, "business_key"),
                                 metadata={"description": "part of the case's business key"})
    process_key = fields.String(validate=_fits(ProcessInstance, "process_key"))
    state = fields.String(validate=validate.OneOf(CASE_STATES))
    started_from = fields.Date(metadata={"description": "first day started (Asia/Shanghai), inclusive"})
    started_to = fields.Date(metadata={"description": "last day started (Asia/Shanghai), inclusive"})
    agency = fields.String(validate=_fits(TaskRecord, "agency"), metadata={"description": "an agency's code"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CaseEnterpriseSchema(Schema):
    credit_code = fields.String()
    name = fields.String()


class WaitingTimerSchema(Schema):
    element_id = fields.String()
    name = fields.String(metadata={"description": "the timer's name in the diagram (else its id)"})
    due_at = fields.DateTime(metadata={"description": "when it fires"})
    provisional = fields.Boolean()


class CaseSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    status = fields.String()
    started_by = fields.String()
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    enterprise = fields.Nested(CaseEnterpriseSchema, allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(WaitingTimerSchema))


class CompleteTaskSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict, validate=_storable_data)


class AttachmentSchema(Schema):
    """What a step's task data keeps of an attached file, and the file field it was attached to."""

    id = fields.Integer()
    field = fields.String()
    name = fields.String()
    type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class CompletedTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    instance_status = fields.String()
    open_tasks = fields.List(fields.Nested(TaskSummarySchema))


# Supervision

class AlertQuerySchema(Schema):
    kind = fields.String(validate=_fits(Alert, "kind"))


class AlertSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    message = fields.String()
    details = fields.Dict()
    status = fields.String()
    opened_at = fields.DateTime()
    updated_at = fields.DateTime()


class StatisticsQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=STATISTICS_YEARS[0], max=STATISTICS_YEARS[-1]))
    jurisdiction = fields.String(validate=_fits(Jurisdiction, "name"))  # a code or a name
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class AgencyYearSchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    inspections = fields.Integer()
    routine = fields.Integer()
    triggered = fields.Integer()
    onsite = fields.Integer()
    non_onsite = fields.Integer()
    joint = fields.Integer()
    joint_rate = fields.Float(allow_none=True)
    non_onsite_share = fields.Float(allow_none=True)
    cap_breaches = fields.Integer()
    overdue_steps = fields.Integer()
    refusals = fields.Integer()
    overrides = fields.Integer()
    complaints = fields.Integer()
    complaints_substantiated = fields.Integer()
    complaint_outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    ratings = fields.Integer()
    rating_average = fields.Float(allow_none=True)


class StatisticsSchema(Schema):
    jurisdiction = fields.Dict(keys=fields.String(), values=fields.String())
    year = fields.Integer()
    joint_rate_target = fields.Float(allow_none=True)
    agencies = fields.List(fields.Nested(AgencyYearSchema))
    totals = fields.Dict()
    generated_at = fields.String()


# Public code verification (行政行为码)

class CodeVerificationSchema(Schema):
    code = fields.String()
    valid = fields.Boolean()
    status = fields.String()
    reasons = fields.List(fields.String())
    agencies = fields.List(fields.Dict())
    enterprise = fields.String(allow_none=True)
    inspectors = fields.List(fields.Dict())
    # 辅助人员 named in advance: {name, kind, kind_label}; they never make a code invalid (only inspectors inspect, R1)
    assistants = fields.List(fields.Dict())
    items = fields.List(fields.Dict())
    valid_from = fields.String()
    valid_to = fields.String()
    issued_at = fields.String()
    retroactive = fields.Boolean()
    issued_late = fields.Boolean()
    joint = fields.Boolean()
    checked_at = fields.String()
