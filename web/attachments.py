"""Attached files (附件), served only to those who may see their case (engine.views.attachments): staff by
their scope, the enterprise on the portal with its case's 校验码. Anyone else gets the same 404 as for an id
that does not exist. A file goes out with the type its bytes were checked to be, as an inline download named
after its upload, never sniffed by the browser and never allowed to run anything (a sandboxing CSP)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort
from flask_babel import gettext as _

from engine.commands import Actor
from engine.commands import portal as portal_commands
from engine.identity.portal_throttle import PortalThrottled
from engine.models import Attachment
from engine.views.attachments import case_attachments, readable_by, readable_in_case
from web.portal import _address, _case_key
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("attachments", __name__)
SHOWN_INLINE = ("image/jpeg", "image/png", "application/pdf")  # what a browser shows by itself; the rest downloads


@bp.get("/attachments/<int:attachment_id>")
@login_required()
def staff_file(attachment_id: int):
    user = current_user()
    assert user is not None  # login_required
    with services().sessions() as session:
        row = readable_by(session, user, attachment_id)
    return served(row)


@bp.get("/portal/attachments/<int:attachment_id>")
def case_file(attachment_id: int):
    """The enterprise's own case files, with the case's code (or tracking number) and 校验码 in the query."""
    key = _case_key()
    if key is None:
        abort(404, description=_("没有这个附件。"))
    try:
        with services().work() as work:
            case = portal_commands.open_case(work, Actor.enterprise(), address=_address(), key=key)
            row = readable_in_case(work.session, case, attachment_id) if case else None
    except PortalThrottled:
        abort(429)
    return served(row)


@bp.app_template_global()
def attachments_of(instance_id: int) -> list[Attachment]:
    """The case's attachments, for the task page (web/templates/_task_attachments.html)."""
    with services().sessions() as session:
        return case_attachments(session, {instance_id})


def served(row: Attachment | None) -> Response:
    if row is None:
        abort(404, description=_("没有这个附件，或您无权查看。"))
    try:
        content = services().attachments.read(row.sha256)
    except FileNotFoundError:
        abort(404, description=_("附件文件已不在存储中，请告知管理员。"))
    disposition = "inline" if row.media_type in SHOWN_INLINE else "attachment"
    response = Response(content, mimetype=row.media_type)
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(row.name)}"
    if row.media_type != "application/pdf":  # Chromium's PDF viewer does not open in a sandboxed document
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
