"""The process owner's pages: deployed processes with their versions (who deployed, when, how many instances
still run on each, and which instances run on old versions), the XML of any version, the bpmn-js modeler on
a version or on a blank diagram, and deploying a diagram as a new version.

Every way a diagram becomes a version — the upload form (works without JavaScript) and the modeler's JSON
deploy — goes through `check_and_deploy`: the server's checks (`diagram_problems`, every problem pinned to
its element and line), then `deploy` in one transaction as the signed-in owner, which the engine audits
(`diagram.deployed`). The modeler's "check" runs the same checks without deploying.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError  # raised by the commit this page owns (see check_and_deploy)

from engine.bpmn import DiagramError, diagram_problems
from engine.bpmn.safe_xml import MAX_DIAGRAM_BYTES
from engine.commands import Actor, administration
from engine.platform.clock import SHANGHAI
from engine.runtime import DeployRefused
from engine.runtime import deploy as deploy_module
from engine.views.processes import VersionFile, process_overview, version_file
from web.api.errors import error_response
from web.diagram_messages import problem_words
from web.labels import stage_choices
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("owner", __name__, url_prefix="/processes")
OWNERS = ("process_owner", "administrator")
MAX_JSON_BODY = 2 * MAX_DIAGRAM_BYTES  # the diagram as a JSON string, escapes included


@dataclass(frozen=True)
class Outcome:
    """What became of a diagram: the versions deployed, or every reason it was refused."""

    deployed: list[deploy_module.DeployedVersion]
    problems: list[dict]


def check(xml: bytes | str, source_name: str) -> list[dict]:
    """Every reason `deploy` would refuse the diagram, as {element_id, line, reason}."""
    return [_problem(p) for p in diagram_problems(xml, source_name, stages=set(services().runtime.stages))]


def check_and_deploy(xml: bytes | str, source_name: str) -> Outcome:
    problems = check(xml, source_name)
    if problems:
        return Outcome([], problems)
    svc = services()
    try:
        with svc.work() as work:
            deployed = administration.deploy_diagram(work, Actor.of(current_user()), xml=xml,
                                                     source_name=source_name)
    except DeployRefused as err:
        return Outcome([], [_problem(err)])
    except IntegrityError:  # the (process, version) pair was taken by a deploy that committed first
        return Outcome([], [{"element_id": None, "line": None,
                             "reason": gettext("同一流程刚被他人部署了新版本，未部署；请重新打开最新版本后再部署。")}])
    return Outcome(deployed, [])


def _problem(problem: DiagramError | DeployRefused) -> dict:
    """Where the problem is, and what it is in the visitor's language (web/diagram_messages.py)."""
    found = problem.to_dict() if isinstance(problem, DiagramError) else problem.details
    reason = found.get("reason") or getattr(problem, "message", "")
    return {"element_id": found.get("element_id"), "line": found.get("line"),
            "reason": problem_words(found.get("code"), found.get("params"), reason)}


@bp.get("")
@login_required(*OWNERS)
def index():
    with services().sessions() as session:
        return render_template("owner/processes.html", processes=process_overview(session), problems=None,
                               shanghai=shanghai)


def _version(version_id: int) -> VersionFile:
    with services().sessions() as session:
        found = version_file(session, version_id)
    if found is None:
        abort(404, description=gettext("没有这个流程版本。"))
    return found


@bp.get("/versions/<int:version_id>.bpmn")
@login_required(*OWNERS)
def download(version_id: int):
    row = _version(version_id)
    return Response(row.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename={row.process_key}-v{row.version}.bpmn"})


@bp.post("/deploy")
@login_required(*OWNERS)
def deploy():
    """The upload form: check, deploy, and say what happened (works without JavaScript)."""
    upload = request.files.get("diagram")
    if upload is None or not upload.filename:
        flash(gettext("请选择一个 BPMN 文件。"), "error")
        return redirect(url_for("owner.index"))
    data = upload.read(MAX_DIAGRAM_BYTES + 1)
    if len(data) > MAX_DIAGRAM_BYTES:
        abort(413, description=gettext("文件超过 5 MB。"))
    outcome = check_and_deploy(data, upload.filename)
    if not outcome.problems:
        flash(gettext("已部署：") + "、".join(_deployed_label(d) for d in outcome.deployed), "ok")
        return redirect(url_for("owner.index"))
    with services().sessions() as session:
        return render_template("owner/processes.html", processes=process_overview(session), problems=outcome.problems,
                               filename=upload.filename, shanghai=shanghai), 422


def _deployed_label(deployed: deploy_module.DeployedVersion) -> str:
    label = f"{deployed.process_key} v{deployed.version}"
    return label + gettext("（未变化）") if deployed.unchanged else label


@bp.get("/versions/<int:version_id>/edit")
@login_required(*OWNERS)
def edit(version_id: int):
    row = _version(version_id)
    return render_template("owner/modeler.html", heading=f"{row.name} v{row.version}", process_key=row.process_key,
                           xml_url=url_for("owner.download", version_id=version_id), source_name=row.source_name,
                           stages=stage_choices(services().runtime.stages))


@bp.get("/new")
@login_required(*OWNERS)
def new():
    return render_template("owner/modeler.html", heading=gettext("新建流程"), process_key=None,
                           xml_url=url_for("owner.blank"), source_name="new_process.bpmn",
                           stages=stage_choices(services().runtime.stages))


@bp.get("/new.bpmn")
@login_required(*OWNERS)
def blank():
    """A minimal runnable diagram (start → end, with drawing information) under a fresh process id."""
    stamp = services().clock().now().astimezone(SHANGHAI).strftime("%Y%m%d_%H%M%S")
    xml = render_template("owner/blank.bpmn", process_id=f"process_{stamp}", name=gettext("新流程"))
    return Response(xml, mimetype="application/xml")


def _posted_diagram() -> tuple[str, str]:
    """The modeler's JSON body {"xml", "source_name"}; 400 when it is not that, 413 when too large."""
    request.max_content_length = MAX_JSON_BODY
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        abort(400, description=gettext('请求须为 JSON：{"xml": "BPMN 文本", "source_name": "文件名"}。'))
    name = body.get("source_name")
    return body["xml"], (name.strip()[:255] if isinstance(name, str) and name.strip() else "diagram.bpmn")


@bp.post("/editor/check")
@login_required(*OWNERS)
def check_json():
    """The deploy's checks without deploying: {"problems": [{element_id, line, reason}]} (empty when fine)."""
    return jsonify({"problems": check(*_posted_diagram())})


@bp.post("/editor/deploy")
@login_required(*OWNERS)
def deploy_json():
    """Check, then deploy as new versions: {"deployed": [...]} or a 422 error whose details list the problems."""
    outcome = check_and_deploy(*_posted_diagram())
    if outcome.problems:
        return error_response(422, "diagram_refused", gettext("流程图未通过检查，未部署。"),
                              {"problems": outcome.problems})
    return jsonify({"deployed": [
        {"id": d.id, "process_key": d.process_key, "version": d.version, "name": d.name, "unchanged": d.unchanged,
         "label": _deployed_label(d), "edit_url": url_for("owner.edit", version_id=d.id)}
        for d in outcome.deployed]})
