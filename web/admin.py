"""The administrator's policy form: a jurisdiction's quiet or allowed window, caps by credit class, notice
and filing periods, alert thresholds, complaint deadlines and joint-rate targets, with field errors; and
loading the demo (载入演示数据) as a background job with its progress page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.background.job_worker import Claim
from engine.background.jobs import Outcome, Report
from engine.commands import Actor, administration
from engine.domain.policy import PolicyError, kaifeng_style, policy_of, to_json, yunhe_style
from engine.domain.policy_admin import resolve_jurisdiction
from engine.views.names import jurisdiction_choices
from web import demo as demo_module
from web import jobs
from web.engine_messages import policy_problem
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("admin", __name__, url_prefix="/admin")

NUMBERS = (
    "window.first_day", "window.first_day_by_credit_class.B", "caps.A", "caps.B", "caps.C", "caps.D",
    "cap_without_class", "notice.working_days", "alerts.multi_head_agencies", "alerts.multi_head_window_days",
    "alerts.repeat_window_days", "alerts.triggered_reasonable_per_year", "deadlines.retroactive_approval",
    "deadlines.quiet_override_filing", "deadlines.research_visit_filing", "deadlines.complaint_accept",
    "deadlines.complaint_reply", "deadlines.complaint_rating", "deadlines.revisit", "deadlines.rectification",
    "deadlines.inspection_rating", "deadlines.supervision",
)
OPTIONAL = {"window.first_day_by_credit_class.B", "caps.D", "caps.A", "caps.B", "caps.C"}
TARGET_YEARS = ("2025", "2026", "2027")
PRESETS = {"yunhe": yunhe_style, "kaifeng": kaifeng_style}


def _get(document: dict, path: str):
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


def _set(document: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        document = document.setdefault(part, {})
    if value is None and last in document and parents and parents[-1] == "first_day_by_credit_class":
        del document[last]
    else:
        document[last] = value


def _from_form(current: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    document = to_json(policy_of(current))  # a fresh copy with every field present
    document["window"]["mode"] = request.form.get("window.mode", document["window"]["mode"])
    document["window"]["applies_to"] = request.form.get("window.applies_to", document["window"]["applies_to"])
    for path in NUMBERS:
        raw = request.form.get(path, "").strip()
        if raw == "" and path in OPTIONAL:
            _set(document, path, None)
        elif raw.isdigit():
            _set(document, path, int(raw))
        else:
            errors[path] = _("请填写非负整数，或留空表示不限") if path in OPTIONAL else _("请填写非负整数")
    for year in TARGET_YEARS:
        raw = request.form.get(f"joint_rate_targets.{year}", "").strip()
        try:
            document["joint_rate_targets"][year] = round(float(raw) / 100, 4)
        except ValueError:
            errors[f"joint_rate_targets.{year}"] = _("请填写百分比")
    return document, errors


@bp.route("/policy", methods=["GET", "POST"])
@login_required("administrator")
def policy():
    svc, user = services(), current_user()
    with svc.sessions() as session:
        try:
            jurisdiction = resolve_jurisdiction(session, request.values.get("jurisdiction") or user.jurisdiction)
        except LookupError as err:
            abort(404, description=str(err))
        code = jurisdiction.code
        current = to_json(policy_of(jurisdiction.policy))
        name = jurisdiction.name
        # Administrators see every jurisdiction (engine.identity.access.SEE_ALL_ROLES); a handful per deployment.
        choices = jurisdiction_choices(session)
    errors: dict[str, str] = {}
    document = current
    if request.method == "POST":
        preset = request.form.get("preset")
        if preset in PRESETS:
            document = to_json(PRESETS[preset]())
        else:
            document, errors = _from_form(current)
        if not errors:
            try:
                with svc.work() as work:
                    administration.update_policy(work, Actor.of(user), jurisdiction_code=code, document=document)
                flash(_("政策已保存。"), "ok")
                return redirect(url_for("admin.policy", jurisdiction=code))
            except PolicyError as err:
                errors[err.field] = policy_problem(err)
    return render_template("admin/policy.html", name=name, code=code, document=document, errors=errors,
                           choices=choices, get=_get, numbers=NUMBERS, years=TARGET_YEARS), (422 if errors else 200)


@bp.route("/demo", methods=["GET", "POST"])
@login_required("administrator")
def demo():
    """载入演示数据 as a background job, refused plainly when the demo or real records are there already."""
    with services().sessions() as session:
        refusal = demo_module.refusal(session)
    if request.method == "GET" or refusal:
        status = 409 if refusal and request.method == "POST" else 200
        return render_template("admin/demo.html", refusal=refusal, password=demo_module.DEMO_PASSWORD), status
    job_id = jobs.submit("load_demo", {"then": url_for("supervise.dashboard")})
    return redirect(url_for("jobs.show", job_id=job_id), code=303)


@jobs.job_kind("load_demo")
def load_demo_job(claim: Claim, report: Report) -> Outcome:
    """Resumable: every step of the load commits on its own and skips what is there, so a second attempt (its
    worker died halfway) finishes the load; only the first attempt refuses a database another load filled."""
    svc = services()
    if claim.attempt == 1:
        with svc.sessions() as session:
            late = demo_module.refusal(session)  # another administrator's load may have run in between
        if late:
            raise ValueError(late)
    document = demo_module.load(svc, report)
    return Outcome("link", claim.params["then"], summary=demo_module.summary(document))
