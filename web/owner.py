"""The process owner's pages: deployed processes with their versions (who deployed, when, how many
instances still run on each), the XML of any version, and uploading a diagram — checked by the server with
every problem pinned to its element and line — as a new version. (The in-browser modeler is still to come.)"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from engine.bpmn import DiagramError, diagram_problems
from engine.models import Diagram, ProcessInstance, ProcessVersion
from engine.runtime import DeployRefused
from engine.runtime import deploy as deploy_module
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("owner", __name__, url_prefix="/processes")
OWNERS = ("process_owner", "administrator")
MAX_UPLOAD = 5 * 1024 * 1024


@bp.get("")
@login_required(*OWNERS)
def index():
    svc = services()
    with svc.sessions() as session:
        definitions = deploy_module.process_definitions(session)
        running = dict(session.execute(
            select(ProcessInstance.process_version_id, func.count())
            .where(ProcessInstance.status == "running").group_by(ProcessInstance.process_version_id)).all())
    return render_template("owner/processes.html", definitions=definitions, running=running, problems=None,
                           shanghai=shanghai)


@bp.get("/versions/<int:version_id>.bpmn")
@login_required(*OWNERS)
def download(version_id: int):
    with services().sessions() as session:
        row = session.execute(select(ProcessVersion.process_key, ProcessVersion.version, Diagram.xml)
                              .join(Diagram, Diagram.id == ProcessVersion.diagram_id)
                              .where(ProcessVersion.id == version_id)).one_or_none()
    if row is None:
        abort(404, description="没有这个流程版本。")
    return Response(row.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename={row.process_key}-v{row.version}.bpmn"})


@bp.post("/deploy")
@login_required(*OWNERS)
def deploy():
    upload = request.files.get("diagram")
    if upload is None or not upload.filename:
        flash("请选择一个 BPMN 文件。", "error")
        return redirect(url_for("owner.index"))
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        abort(413, description="文件超过 5 MB。")
    svc = services()
    problems: list[DiagramError | DeployRefused] = list(
        diagram_problems(data, upload.filename, stages=set(svc.runtime.stages)))
    if not problems:
        try:
            with svc.transaction() as session:
                deployed = deploy_module.deploy(svc.runtime, session, svc.clock(), xml=data,
                                                source_name=upload.filename, actor=current_user().username)
            flash("已部署：" + "、".join(f"{d.process_key} v{d.version}" + ("（未变化）" if d.unchanged else "")
                                         for d in deployed), "ok")
            return redirect(url_for("owner.index"))
        except DeployRefused as err:
            problems = [err]
    with svc.sessions() as session:
        definitions = deploy_module.process_definitions(session)
    shown = [_problem(p) for p in problems]
    return render_template("owner/processes.html", definitions=definitions, running={}, problems=shown,
                           filename=upload.filename, shanghai=shanghai), 422


def _problem(problem: DiagramError | DeployRefused) -> dict:
    if isinstance(problem, DiagramError):
        return {"element_id": problem.element_id, "line": problem.line, "reason": problem.reason}
    return {"element_id": problem.details.get("element_id"), "line": problem.details.get("line"),
            "reason": problem.message}
