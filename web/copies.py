"""抄送 on the pages (issue 12 item 4): a case copied to the user, opened read-only — where it stands, the case
sections as the sending step left them, its steps, its diagram and its 流转 timeline, with a comment box on each
open step but no form. Opening it marks it read (engine.commands.copies). Thin: one command, one read model
(engine.views.copies); a case not copied to the user is a 403 page, a missing one a 404."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from engine.commands import Actor, NotPermitted
from engine.commands.copies import mark_copy_read
from engine.platform.clock import SHANGHAI
from engine.views.copies import copied_case
from web.inbox import WORKERS
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("copies", __name__)


@bp.get("/copies/<int:instance_id>")
@login_required(*WORKERS)
def case(instance_id: int):
    svc, user = services(), current_user()
    today = svc.clock().now().astimezone(SHANGHAI).date()
    with svc.sessions() as session:
        try:
            found = copied_case(session, svc.runtime, user, instance_id, today)
        except NotPermitted:
            abort(403, description=_("这个案件没有抄送给您。"))
    if found is None:
        abort(404, description=_("没有这个案件。"))
    with svc.work() as work:
        mark_copy_read(work, Actor.of(user), instance_id)
    return render_template("copy.html", copied=found, instance=found.case.instance, case=found.sections,
                           returned=None, shanghai=shanghai)
