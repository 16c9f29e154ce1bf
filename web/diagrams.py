"""Everything a page needs to draw a diagram: the XML of the version an instance runs on (behind the same
guards as the pages that show it), where the instance stands on it, and the bpmn-js files installed from npm.

- `/tasks/<id>/diagram.bpmn` is guarded exactly like the task page (`web.inbox._task_for`), and
  `/supervise/instances/<id>/diagram.bpmn` like the supervisor's instance page.
- `diagram_position(instance_id)` (a template global) names the elements to highlight: open user tasks are
  current, completed ones done; a task inside a called process marks the call activity in the parent that
  leads to it, since that is the element the parent's diagram has; `diagram_timers(instance_id)` the timers it
  waits on, each with the moment it fires.
- `/assets/bpmn-js/<name>` serves an allow-list of bpmn-js's `dist/` files (nothing else under that folder
  is reachable, whatever the path says): the copies an installed wheel carries (`web/vendor/bpmn-js/`,
  web.packaged), else a checkout's `node_modules/bpmn-js/`. URLs carry the bpmn-js version, so browsers may
  keep them for a week. A checkout without `npm ci` has no such folder: `bpmn_assets_ready()` lets the pages
  say so.

The reading is engine.views.instance_diagram's (and engine.views.instances' scope check); every view uses
one reading session.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory, url_for
from flask_babel import gettext

from engine.identity import access
from engine.views import instance_diagram as diagram_view
from engine.views.instances import instance_in_scope
from web.inbox import WORKERS, _task_for
from web.packaged import BPMN_JS_FILES
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services
from web.supervise import SUPERVISORS

bp = Blueprint("diagrams", __name__)

PACKAGED_DIST = Path(__file__).resolve().parent / "vendor" / "bpmn-js" / "dist"
CHECKOUT_DIST = Path(__file__).resolve().parent.parent / "node_modules" / "bpmn-js" / "dist"
DEFAULT_DIST = PACKAGED_DIST if PACKAGED_DIST.is_dir() else CHECKOUT_DIST
ASSET_MAX_AGE_S = 7 * 24 * 3600


def bpmn_dist() -> Path:
    return Path(current_app.config.get("BPMN_JS_DIST") or DEFAULT_DIST)


def bpmn_assets_ready() -> bool:
    dist = bpmn_dist()
    return all((dist / name).is_file() for name in BPMN_JS_FILES if not name.endswith((".eot", ".svg", ".ttf")))


def bpmn_js_version() -> str:
    try:
        return str(json.loads((bpmn_dist().parent / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "missing"


def bpmn_asset(name: str) -> str:
    """The URL of one bpmn-js file, versioned so an upgrade is fetched anew."""
    return url_for("diagrams.bpmn_js", name=name, v=bpmn_js_version())


@bp.get("/assets/bpmn-js/<path:name>")
def bpmn_js(name: str):
    if name not in BPMN_JS_FILES:
        abort(404)
    if not (bpmn_dist() / name).is_file():
        abort(404, description=gettext("图形编辑器文件未安装：请在项目目录运行 bash scripts/install.sh。"))
    return send_from_directory(bpmn_dist(), name, max_age=ASSET_MAX_AGE_S)


@bp.get("/tasks/<task_id>/diagram.bpmn")
@login_required(*WORKERS)
def task_diagram(task_id: str):
    return _instance_xml(_task_for(task_id).instance_id)


@bp.get("/supervise/instances/<int:instance_id>/diagram.bpmn")
@login_required(*SUPERVISORS)
def instance_diagram(instance_id: int):
    with services().sessions() as session:  # as the instance page: only an instance the user may see
        try:
            known = instance_in_scope(session, access.scope_of(session, current_user()), instance_id) is not None
        except access.NotPermitted:
            abort(403, description=gettext("这个流程实例不在您的辖区内。"))
    if not known:
        abort(404, description=gettext("没有这个流程实例。"))
    return _instance_xml(instance_id)


@bp.get("/copies/<int:instance_id>/diagram.bpmn")
@login_required(*WORKERS)
def copy_diagram(instance_id: int):
    """The diagram of a case copied to the user (抄送), for its read-only page."""
    with services().sessions() as session:
        if not access.has_copy(session, access.scope_of(session, current_user()), instance_id):
            abort(403, description=gettext("这个案件没有抄送给您。"))
    return _instance_xml(instance_id)


def _instance_xml(instance_id: int) -> Response:
    with services().sessions() as session:
        diagram = diagram_view.instance_diagram(session, instance_id)
    if diagram is None:
        abort(404, description=gettext("没有这个流程实例。"))
    response = Response(diagram.xml, mimetype="application/xml")
    response.set_etag(diagram.sha256)  # a deployed diagram never changes
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def diagram_timers(instance_id: int) -> dict[str, str]:
    """{timer element id: when it fires, Asia/Shanghai}: the timers the instance waits on, marked on its diagram."""
    with services().sessions() as session:
        return {element_id: shanghai(due_at) for element_id, due_at in
                diagram_view.diagram_timers(session, instance_id).items()}


def diagram_position(instance_id: int) -> dict[str, list[str]]:
    """{"current": [...], "completed": [...]}: element ids of the instance's diagram to highlight."""
    with services().sessions() as session:
        return diagram_view.diagram_position(session, instance_id)


for _helper in (diagram_position, diagram_timers, bpmn_asset, bpmn_assets_ready):
    bp.add_app_template_global(_helper)
