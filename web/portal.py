"""The enterprise portal (no login): verify a 行政行为码 typed or scanned, file a complaint with or without a code,
follow it by tracking number, and — with the case's 校验码 — act for the enterprise: rate the inspection the code
covers and work the case's steps in the 企业 lane (企业整改, 投诉人评价). Unknown codes and numbers get a plain
answer that reveals nothing else; a wrong check code says only that code and check code do not match.

Filing and rating are engine commands (engine.commands.portal) acting as the portal (`Actor.enterprise`) for
the visitor's address, which the commands throttle: too many writes from one address is a 429 page saying
when to try again. The forms say each text's limit; a field that does not fit is refused naming it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.commands import Actor, attachments
from engine.commands import portal as portal_commands
from engine.commands.portal import CaseKey
from engine.domain import behavior_code, enterprise_side
from engine.domain.enterprise_side import PortalInputInvalid, complaint_progress
from engine.domain.errors import Refused
from engine.identity.portal_throttle import PortalThrottled
from engine.models.vocabulary import COMPLAINT_KINDS, PROHIBITIONS
from engine.runtime import ConcurrentUpdate, InvalidTaskData, TaskNotFound, TaskNotOpen, WorkflowError
from engine.views.enterprise_portal import case_view
from web.engine_messages import FIELD_PROBLEMS, field_errors, refusal, worded
from web.presenters import shanghai
from web.services import services
from web.uploads import files_named

bp = Blueprint("portal", __name__)

FIELD_LABELS = {"kind": _l("类别"), "code": _l("行政行为码"), "check": _l("校验码"), "content": _l("情况说明"),
                "contact": _l("联系方式"), "evidence": _l("证据材料"),
                "score": _l("满意度"), "breaches": _l("检查中的情形"), "comment": _l("意见")}
# What a filing can be refused for, said above the form.
REFUSALS = (Refused, PortalInputInvalid, PortalThrottled, WorkflowError)
MISMATCH = _l("行政行为码（或查询编号）与校验码不符。请核对检查告知书或投诉回执上的校验码；多次输错将暂停受理。")
LIMITS = {"content": enterprise_side.CONTENT_LIMIT, "contact": enterprise_side.CONTACT_LIMIT,
          "code": enterprise_side.CODE_LIMIT, "comment": enterprise_side.COMMENT_LIMIT}


@bp.get("/portal")
def home():
    return render_template("portal/home.html")


@bp.get("/verify")
def verify_typed():
    code = request.args.get("code", "").strip()
    return redirect(url_for("portal.verify", code=code)) if code else redirect(url_for("portal.home"))


@bp.get("/codes/<code>")
def verify(code: str):
    svc = services()
    with svc.sessions() as session:
        found = behavior_code.lookup(session, code, svc.clock().now())
    if found is None:
        return render_template("portal/verify.html", code=code, found=None), 404
    return render_template("portal/verify.html", code=code, found=found)


@bp.route("/rate", methods=["GET", "POST"])
def rate():
    code, check = request.values.get("code", "").strip(), request.values.get("check", "").strip()
    page = {"code": code, "check": check, "prohibitions": PROHIBITIONS, "limits": LIMITS}
    if request.method == "GET":
        return render_template("portal/rate.html", error=None, **page)
    score = request.form.get("score", "")
    try:
        with services().work() as work:
            case = portal_commands.open_case(work, Actor.enterprise(), address=_address(),
                                             key=CaseKey(check=check, code=code))
            rated = case and portal_commands.rate_inspection(
                work, Actor.enterprise(), case, address=_address(),
                score=int(score) if score.isdigit() and len(score) < 3 else 0,
                comment=request.form.get("comment") or None, breaches=request.form.getlist("breaches"),
                portal_jurisdiction=_served())
            filed = rated.filed if rated else None
            shown = {"tracking": filed.complaint.tracking_number, "check": filed.check_code} if filed else {}
    except REFUSALS as err:
        return _refused("portal/rate.html", err, **page)
    if not rated:
        return render_template("portal/rate.html", error=MISMATCH, **page), 422
    return render_template("portal/thanks.html", **shown)


@bp.route("/complaints/new", methods=["GET", "POST"])
def complain():
    # The verify page links here with the code and kind=misconduct; a bare visit starts from 无码入企 (R22).
    form = {"kind": request.values.get("kind", "no_code_entry"), "content": request.form.get("content", ""),
            "contact": request.form.get("contact", ""), "code": request.values.get("code", "")}
    page = {"form": form, "kinds": COMPLAINT_KINDS,
            "limits": {**LIMITS, "evidence_mb": services().attachments.max_bytes // 2**20}}
    if request.method == "GET":
        return render_template("portal/complain.html", error=None, **page)
    svc = services()
    try:
        with svc.work() as work:
            filed = portal_commands.file_complaint(
                work, Actor.enterprise(), address=_address(), kind=form["kind"], content=form["content"],
                contact=form["contact"] or None, code_text=form["code"].strip() or None,
                portal_jurisdiction=_served())
            attachments.attach_to_complaint(work, Actor.enterprise(), svc.attachments, filed.complaint,
                                            files_named("evidence"), label=str(FIELD_LABELS["evidence"]))
            tracking, check = filed.complaint.tracking_number, filed.check_code
    except REFUSALS as err:
        return _refused("portal/complain.html", err, **page)
    # The check code exists only now (the complaint keeps its digest): said once, with what it is for.
    flash(_("投诉已提交。请记下查询编号 %(number)s 和校验码 %(check)s（校验码只显示这一次）：凭编号查询办理进度，"
            "凭编号和校验码评价答复。", number=tracking, check=check), "ok")
    return redirect(url_for("portal.track", number=tracking))


@bp.get("/complaints/track")
def track():
    number = request.args.get("number", "").strip()
    if not number:
        return render_template("portal/track.html", number="", progress=None)
    with services().sessions() as session:
        progress = complaint_progress(session, number)
    return render_template("portal/track.html", number=number, progress=progress), (200 if progress else 404)


@bp.get("/portal/case")
def case():
    """The enterprise's case, opened by code (or tracking number) and 校验码: what happened and its open steps."""
    key = _case_key()
    if key is None:
        return render_template("portal/case.html", key=_typed_key(), view=None, error=None)
    try:
        view = _opened_view(key)
    except PortalThrottled as err:
        return _refused("portal/case.html", err, key=_typed_key(), view=None)
    if view is None:
        return render_template("portal/case.html", key=_typed_key(), view=None, error=MISMATCH), 422
    return render_template("portal/case.html", key=_typed_key(), view=view, error=None)


@bp.post("/portal/case/steps/<task_id>")
def case_step(task_id: str):
    """Complete one of the case's steps in the 企业 lane; the form comes back with the refusal when it fails."""
    key = _case_key()
    if key is None:
        return render_template("portal/case.html", key=_typed_key(), view=None, error=MISMATCH), 422
    svc = services()
    typed = {k: v for k, v in request.form.items() if k not in ("csrf_token", "code", "number", "check")}
    error, errors = None, {}
    try:
        with svc.work() as work:
            opened = portal_commands.open_case(work, Actor.enterprise(), address=_address(), key=key)
            if opened is not None:
                attachments.complete_step_with_files(work, Actor.enterprise(), svc.attachments, opened,
                                                     address=_address(), task_id=task_id, data=typed,
                                                     uploads={name: files_named(name) for name in request.files})
    except InvalidTaskData as err:
        error, errors = refusal(err), field_errors(err)
    except TaskNotFound:
        error = _("该事项已办理完毕或不属于本案件。")
    except (TaskNotOpen, ConcurrentUpdate) as err:
        error = refusal(err)
    except REFUSALS as err:
        return _refused("portal/case.html", err, key=_typed_key(), view=None)
    if error is None and opened is None:
        return render_template("portal/case.html", key=_typed_key(), view=None, error=MISMATCH), 422
    if error is None:
        flash(_("已提交，感谢您的配合。"), "ok")
        return redirect(url_for("portal.case", **_typed_key()))
    # The refused step's transaction is gone: the page is read again in its own.
    return render_template("portal/case.html", key=_typed_key(), view=_opened_view(key), error=error, errors=errors,
                           typed={task_id: typed}), 422


def _opened_view(key: CaseKey) -> dict | None:
    """What the portal shows of the case the key opens; None when it opens nothing (the failed guess is counted)."""
    with services().work() as work:
        opened = portal_commands.open_case(work, Actor.enterprise(), address=_address(), key=key)
        return case_view(work.session, work.runtime, opened) if opened else None


def _typed_key() -> dict[str, str]:
    return {name: request.values.get(name, "").strip()[:60] for name in ("code", "number", "check")}


def _case_key() -> CaseKey | None:
    typed = _typed_key()
    if not typed["check"] or not (typed["code"] or typed["number"]):
        return None
    return CaseKey(check=typed["check"], code=typed["code"] or None, tracking_number=typed["number"] or None)


def _address() -> str:
    return request.remote_addr or "-"  # the client's, when TRUSTED_PROXIES says which proxy header to believe


def _served() -> str | None:
    return current_app.config.get("PORTAL_JURISDICTION")


def _refused(template: str, err: Exception, **page):
    """The form again with the refusal said above it: 429 with Retry-After when throttled, else 422."""
    if isinstance(err, PortalThrottled):
        wait = (err.retry_at - services().clock().now()).total_seconds()
        return (render_template(template, error=_refusal(err), **page), 429,
                {"Retry-After": str(max(1, int(wait) + 1))})
    return render_template(template, error=_refusal(err), **page), 422


def _refusal(err: Exception) -> str:
    if isinstance(err, PortalThrottled):
        return _("从您的网络提交的投诉和评价过多，请于 %(moment)s 之后再试。", moment=shanghai(err.retry_at))
    if isinstance(err, PortalInputInvalid):
        label = FIELD_LABELS.get(err.field, err.field)
        return _("%(field)s：%(problem)s",
                 field=label, problem=worded(FIELD_PROBLEMS, err.problem.code, err.problem.params, str(err.problem)))
    if isinstance(err, InvalidTaskData) and err.details.get("problems"):  # a refused evidence file
        return "；".join(field_errors(err).values())
    return err.message if isinstance(err, (Refused, WorkflowError)) else str(err)
