"""The administrator's working-day calendar page (工作日历): which years follow an official schedule (from the
chinese-calendar package or imported here) and which are estimated, how many due dates are provisional, and
importing a year's official schedule — a `date,kind` CSV uploaded or pasted, exactly as `inspectflow calendar
import` takes it. An import replaces the years it covers, resolves their uncovered-year alerts and recomputes
the provisional due dates, all in one transaction: a bad file is refused naming its line and changes nothing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine.calendar import store as calendar_store
from engine.commands import Actor, administration
from engine.platform.clock import SHANGHAI
from web.engine_messages import schedule_problem
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")

MAX_SCHEDULE_BYTES = 64 * 1024  # a year's exceptions are some thirty lines


def _page(error: str | None = None, text: str = "", status: int = 200):
    svc = services()
    with svc.sessions() as session:
        calendar = svc.runtime.refresh_calendar(session, force=True)
        document = calendar_store.status(session, calendar, svc.clock().now().astimezone(SHANGHAI).date())
    return render_template("admin/calendar.html", status=document, error=error, text=text,
                           shanghai=shanghai), status


def _schedule_text() -> tuple[str, str]:
    """The posted schedule (the uploaded file, else the pasted text) and a name for its source; ValueError with
    the reason when it cannot be read."""
    upload = request.files.get("schedule")
    if upload is not None and upload.filename:
        data, source = upload.read(MAX_SCHEDULE_BYTES + 1), upload.filename
    else:
        data, source = request.form.get("text", "").encode(), "web"
    if len(data) > MAX_SCHEDULE_BYTES:
        raise ValueError(_("文件超过 64 KB，不像一份节假日安排。"))
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        raise ValueError(_("文件不是 UTF-8 编码的文本（CSV）。")) from None


@bp.route("", methods=["GET", "POST"])
@login_required("administrator")
def index():
    if request.method == "GET":
        return _page()
    pasted = request.form.get("text", "")
    try:
        text, source = _schedule_text()
        with services().work() as work:
            imported = administration.import_calendar(work, Actor.of(current_user()), text, source=source)
        result, recomputed = imported.result, imported.recomputed
    except ValueError as err:
        return _page(error=_("没有导入：%(reason)s", reason=schedule_problem(err)), text=pasted, status=422)
    flash(ngettext("已导入 %(years)s 年的安排（%(days)s 天），重算了 %(num)d 个暂定期限。",
                   "已导入 %(years)s 年的安排（%(days)s 天），重算了 %(num)d 个暂定期限。", len(recomputed),
                   years="、".join(map(str, result.years)), days=result.days), "ok")
    return redirect(url_for("calendar_admin.index"))
