"""The enterprise portal (no login): verify a 行政行为码 typed or scanned, rate the inspection it covers,
file a complaint with or without a code, and follow it by tracking number. Unknown codes and numbers get
a plain answer that reveals nothing else."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import behavior_code
from engine.domain.complaint_process import start_complaint_process
from engine.domain.enterprise_side import complaint_progress, file_complaint, rate_inspection
from engine.domain.errors import Refused
from engine.domain.policy import default_policy
from engine.models.vocabulary import COMPLAINT_KINDS, PROHIBITIONS
from engine.runtime import WorkflowError
from web.services import services

bp = Blueprint("portal", __name__)


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
    code = request.values.get("code", "").strip()
    if request.method == "GET":
        return render_template("portal/rate.html", code=code, prohibitions=PROHIBITIONS, error=None)
    svc = services()
    score = request.form.get("score", "")
    try:
        with svc.transaction() as session:
            _rating, complaint = rate_inspection(
                session, code_text=code, score=int(score) if score.isdigit() else 0,
                comment=request.form.get("comment") or None, breaches=request.form.getlist("breaches"),
                now=svc.clock().now(), calendar=svc.runtime.refresh_calendar(session), policy=default_policy())
            tracking = None
            if complaint is not None:
                start_complaint_process(svc.runtime, session, svc.clock(), complaint)
                tracking = complaint.tracking_number
    except (Refused, ValueError) as err:
        message = err.message if isinstance(err, Refused) else str(err)
        return render_template("portal/rate.html", code=code, prohibitions=PROHIBITIONS, error=message), 422
    return render_template("portal/thanks.html", tracking=tracking)


@bp.route("/complaints/new", methods=["GET", "POST"])
def complain():
    # The verify page links here with the code and kind=misconduct; a bare visit starts from 无码入企 (R22).
    form = {"kind": request.values.get("kind", "no_code_entry"), "content": request.form.get("content", ""),
            "contact": request.form.get("contact", ""), "code": request.values.get("code", "")}
    if request.method == "GET":
        return render_template("portal/complain.html", form=form, kinds=COMPLAINT_KINDS, error=None)
    svc = services()
    try:
        with svc.transaction() as session:
            complaint = file_complaint(
                session, kind=form["kind"], content=form["content"], contact=form["contact"] or None,
                code_text=form["code"].strip() or None, now=svc.clock().now(),
                calendar=svc.runtime.refresh_calendar(session), policy=default_policy())
            start_complaint_process(svc.runtime, session, svc.clock(), complaint)
            tracking = complaint.tracking_number
    except (ValueError, WorkflowError) as err:
        message = err.message if isinstance(err, WorkflowError) else str(err)
        return render_template("portal/complain.html", form=form, kinds=COMPLAINT_KINDS, error=message), 422
    flash(_("投诉已提交。请记下查询编号 %(number)s，凭它查询办理进度。", number=tracking), "ok")
    return redirect(url_for("portal.track", number=tracking))


@bp.get("/complaints/track")
def track():
    number = request.args.get("number", "").strip()
    if not number:
        return render_template("portal/track.html", number="", progress=None)
    with services().sessions() as session:
        progress = complaint_progress(session, number)
    return render_template("portal/track.html", number=number, progress=progress), (200 if progress else 404)
