"""Planning an inspection (新建检查计划): staff and agency heads pick the enterprise, the listed items, qualified
inspectors, the assistants named in advance (辅助人员, optional), the window, the kind and the mode; the engine
records the inspection and starts its lifecycle, and the planner lands on the lifecycle's first task with those
choices filled in."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.commands import Actor
from engine.commands import planning as planning_commands
from engine.domain import planning
from engine.models.vocabulary import URGENT_REASONS
from engine.platform.clock import SHANGHAI
from engine.views.inbox import open_tasks
from engine.views.plan_preview import plan_preview
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("plan", __name__)
PLANNERS = ("staff", "agency_head")


@bp.route("/inspections/new", methods=["GET", "POST"])
@login_required(*PLANNERS)
def new():
    svc, user = services(), current_user()
    if not user.agency:
        abort(403, description=_("您的账号没有所属执法单位，不能制定检查计划。"))
    today = svc.clock().now().astimezone(SHANGHAI).date()
    form: dict = {"planned_start": _default_day(today).isoformat(), "trigger": "routine", "mode": "onsite"}
    errors: dict[str, str] = {}
    # 检查 (a GET with the form's choices, or a POST of the 检查 button) shows the warnings without planning.
    sent = request.form if request.method == "POST" else request.args
    if request.method == "POST" or "enterprise" in request.args:
        form = {key: sent.getlist(key) if key in ("items", "inspectors", "assistants") else sent.get(key, "")
                for key in ("enterprise", "planned_start", "planned_end", "trigger", "mode", "items", "inspectors",
                            "assistants", "urgent", "urgent_type", "urgent_reason")}
    visit_day = _visit_day(form.get("planned_start"), today)
    if request.method == "POST" and not request.form.get("preview"):
        try:
            with svc.work() as work:
                inspection, instance_id = planning_commands.plan(work, Actor.of(user), form, visit_day=visit_day)
                number, first = inspection.id, open_tasks(work.session, instance_id=instance_id, limit=1)
            if form.get("urgent"):
                flash(_("紧急检查已登记（检查编号 %(number)s），已报单位负责人补办审批和赋码（R7）。", number=number),
                      "ok")
            else:
                flash(_("检查计划已建立（检查编号 %(number)s），请核对并提交计划。", number=number), "ok")
            # The urgent path opens at the head's 补办审批: the planner goes back to the inbox.
            return redirect(url_for("inbox.task", task_id=first[0].id) if first and not form.get("urgent")
                            else url_for("inbox.index"))
        except planning.PlanInvalid as invalid:
            errors = invalid.fields
    with svc.sessions() as session:
        choices = planning.plan_choices(session, user.agency, visit_day)
        enterprise_names = planning.enterprise_suggestions(session, choices.agency)
        preview = plan_preview(session, agency_code=user.agency, enterprise_text=str(form.get("enterprise") or ""),
                               day=visit_day, trigger=str(form.get("trigger") or "routine"),
                               mode=str(form.get("mode") or "onsite"))
    return render_template("plan.html", form=form, errors=errors, choices=choices, triggers=planning.TRIGGERS,
                           modes=planning.MODES, enterprise_names=enterprise_names, preview=preview,
                           urgent_reasons=URGENT_REASONS,
                           status_labels=CERTIFICATE_LABELS, max_assistants=planning.MAX_ASSISTANTS), \
        422 if errors else 200


CERTIFICATE_LABELS = {"valid": _l("执法证有效"), "expired": _l("执法证已过期"), "not_yet_valid": _l("执法证未生效"),
                      "suspended": _l("执法证暂扣"), "revoked": _l("执法证已吊销"), "not_qualified": _l("无执法资格")}


def _default_day(today: date) -> date:
    """The form's first guess at the visit day: two weeks ahead, moved on to a working day (调休 included: the
    working calendar, not the weekday)."""
    calendar, day = services().runtime.calendar, today + timedelta(days=14)
    return day if calendar.is_working_day(day) else calendar.add_working_days(day, 1)


def _visit_day(text: object, today: date) -> date:
    """The day certificates are judged on (R1): the planned start when it parses, else today."""
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return today
