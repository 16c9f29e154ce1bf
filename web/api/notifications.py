"""The caller's own reminders (issue 12 item 7): newest first, optionally only the unread, and marking them read
(one, or all). Nobody reads or marks another user's notifications here, administrators included: the list is cut
to the token's user, and another user's id is a 404 like a missing one (engine.commands.notifications), so the
answer tells nothing about whose it is."""

from __future__ import annotations

from marshmallow import Schema, fields

from engine.commands import Actor
from engine.commands.notifications import NotificationNotFound, mark_all_read, mark_read
from engine.views.notifications import notifications_of
from web.api import bp, unit
from web.api.auth import current_user, requires
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.errors import ApiError


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


class MarkedSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many of the caller's unread notifications were marked"})


@bp.get("/notifications")
@requires()
@documented(summary="The caller's own notifications (new task, due tomorrow, overdue, case moved), newest first",
            query=NotificationQuerySchema, response=NotificationSchema, many=True, errors=(422,))
def list_notifications():
    filters = query_args(NotificationQuerySchema())
    session = unit.session()
    notes = notifications_of(session, current_user().username, unread_only=filters["unread"])
    return NotificationSchema(many=True).dump(notes)


@bp.post("/notifications/<int:notification_id>/read")
@requires()
@documented(summary="Mark one of the caller's own notifications read (already read: unchanged); another user's "
                    "is not found", response=NotificationSchema, errors=(404,))
def read_notification(notification_id: int):
    try:
        return NotificationSchema().dump(mark_read(unit.work(), Actor.of(current_user()), notification_id))
    except NotificationNotFound:
        raise ApiError(404, "not_found", "you have no such notification",
                       notification_id=notification_id) from None


@bp.post("/notifications/read")
@requires()
@documented(summary="Mark all the caller's own unread notifications read", response=MarkedSchema)
def read_all_notifications():
    return MarkedSchema().dump({"marked": mark_all_read(unit.work(), Actor.of(current_user()))})
