"""Schemas of the task desk (issue 12 items 2 and 10): comments, 指派, 转办 and the case's 流转 timeline."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.commands.task_desk import REASON_LENGTH
from engine.models import User
from engine.models.base import column_length
from engine.models.task_comment import COMMENT_LENGTH


class CommentInputSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=COMMENT_LENGTH))


class CommentSchema(Schema):
    id = fields.Integer()
    task_id = fields.String()
    instance_id = fields.Integer()
    author = fields.String()
    text = fields.String()
    created_at = fields.DateTime()


class AssignInputSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=column_length(User, "username")))


class DelegateInputSchema(AssignInputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_LENGTH))


class StepFieldSchema(Schema):
    name = fields.String()
    label = fields.String()
    kind = fields.String(metadata={"description": "decision (yes/no or choice) or opinion (text)"})
    value = fields.Raw(allow_none=True)


class TimelineEntrySchema(Schema):
    kind = fields.String(metadata={"description": "completed, comment, assigned or delegated"})
    at = fields.DateTime()
    actor = fields.String()
    task_id = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    fields_ = fields.List(fields.Nested(StepFieldSchema), data_key="fields", attribute="fields")
    text = fields.String(allow_none=True, metadata={"description": "a comment's text, a delegation's reason"})
    assignee = fields.String(allow_none=True)
