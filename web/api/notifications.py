"""The caller's own reminders (issue 12 item 7): newest first, optionally only the unread. Nobody reads another
user's notifications here, administrators included: the list is cut to the token's user."""

from __future__ import annotations

from marshmallow import Schema, fields

from engine.views.notifications import notifications_of
from web.api import bp, unit
from web.api.auth import current_user, requires
from web.api.bodies import query_args
from web.api.docs import documented


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    task_id = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


@bp.get("/notifications")
@requires()
@documented(summary="The caller's own notifications (new task, due tomorrow, overdue, case moved), newest first",
            query=NotificationQuerySchema, response=NotificationSchema, many=True, errors=(422,))
def list_notifications():
    filters = query_args(NotificationQuerySchema())
    session = unit.session()
    notes = notifications_of(session, current_user().username, unread_only=filters["unread"])
    return NotificationSchema(many=True).dump(notes)
