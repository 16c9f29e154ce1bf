"""亮码 and 执法文书 (issue 12 item 6): an inspector shows the case's 行政行为码 on the phone — the code as text and a
large QR image that opens its public verification page — and prints the case's documents as PDF; an
administrator edits the documents' templates. Who may see the case is the inbox's rule
(engine.views.case_papers); the enterprise gets its 整改 notice and complaint reply on the portal."""

from __future__ import annotations

import base64
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.commands import Actor
from engine.commands import papers as paper_commands
from engine.commands import portal as portal_commands
from engine.domain import paper_templates
from engine.domain.code_qr import code_qr
from engine.domain.paper_templates import TemplateProblem
from engine.identity import access
from engine.identity.portal_throttle import PortalThrottled
from engine.platform.cjk_font import FontMissing
from engine.views.case_papers import (
    CasePapers,
    case_papers,
    code_screen,
    document_pdf,
    enterprise_document_pdf,
    enterprise_documents_of,
    has_papers,
)
from web.document_fields import fields_of
from web.portal import MISMATCH, _address, _case_key, _typed_key
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("papers", __name__)
VIEWERS = (*access.WORKING_ROLES, "administrator")


def _papers(session, instance_id: int) -> CasePapers:
    user = current_user()
    assert user is not None  # login_required
    try:
        papers = case_papers(session, access.scope_of(session, user), instance_id)
    except access.NotPermitted:
        abort(403, description=_("这个案件不在您的单位或辖区范围内（R1：只有本案的执法主体可以亮码、出具文书）。"))
    if papers is None:
        abort(404, description=_("这个流程不涉及检查或投诉，没有行政行为码和执法文书。"))
    return papers


@bp.get("/papers/<int:instance_id>")
@login_required(*VIEWERS)
def show(instance_id: int):
    """The code screen (亮码, R22): big enough to scan from the enterprise's phone, with the case's documents."""
    svc = services()
    with svc.sessions() as session:
        papers = _papers(session, instance_id)
        found = code_screen(session, papers, svc.clock().now())
        documents = [(name, paper_templates.DOCUMENTS[name]) for name in papers.documents]
    qr = None
    if found is not None:
        svg = code_qr(request.url_root, found.code, kind="svg", scale=8)
        qr = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return render_template("papers/show.html", instance_id=instance_id, found=found, qr=qr, documents=documents,
                           verify_url=url_for("portal.verify", code=found.code, _external=True) if found else None)


@bp.get("/papers/<int:instance_id>/<name>.pdf")
@login_required(*VIEWERS)
def document(instance_id: int, name: str):
    svc = services()
    with svc.sessions() as session:
        papers = _papers(session, instance_id)
        if name not in papers.documents:
            abort(404, description=_("这个案件没有这份文书。"))
        pdf = _pdf(lambda: document_pdf(session, papers, name, svc.clock().now()))
    return pdf_response(pdf, f"{paper_templates.DOCUMENTS[name]}-{instance_id}.pdf")


@bp.get("/portal/case/papers/<name>.pdf")
def enterprise_document(name: str):
    """The 整改 notice or the complaint reply, for the enterprise that opens its case with the 校验码 (throttled
    like every portal key: a wrong check code counts against the address)."""
    key = _case_key()
    if key is None or name not in paper_templates.DOCUMENTS:
        abort(404)
    svc = services()
    try:
        with svc.work() as work:
            case = portal_commands.open_case(work, Actor.enterprise(), address=_address(), key=key)
            pdf = None
            if case is not None:
                try:
                    pdf = _pdf(lambda: enterprise_document_pdf(work.session, case, name, work.now()))
                except LookupError:
                    pdf = b""
    except PortalThrottled:
        abort(429)
    if pdf is None:
        abort(422, description=str(MISMATCH))
    if not pdf:
        abort(404, description=_("这个案件没有这份文书。"))
    return pdf_response(pdf, f"{paper_templates.DOCUMENTS[name]}.pdf")


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"enterprise_papers": enterprise_papers, "case_has_papers": case_has_papers}


def case_has_papers(instance_id: int) -> bool:
    """For the task page: whether its case has a code screen and documents to link."""
    with services().sessions() as session:
        return has_papers(session, instance_id)


def enterprise_papers() -> list[tuple[str, str]]:
    """For the portal's case page (already opened with the key): the documents addressed to the enterprise."""
    typed = _typed_key()
    with services().sessions() as session:
        names = enterprise_documents_of(session, code=typed["code"] or None, number=typed["number"] or None,
                                        check=typed["check"] or None)
    return [(name, paper_templates.DOCUMENTS[name]) for name in names]


def _pdf(make) -> bytes:
    try:
        return make()
    except FontMissing as err:
        abort(503, description=_("服务器缺少中文字体，无法生成 PDF：%(reason)s", reason=str(err)))
    except TemplateProblem as err:
        abort(500, description=_("文书模板有误：%(reason)s", reason=str(err)))


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename, safe='')}"
    return response


# -- the administrator's templates ------------------------------------------------------------------------


@bp.get("/admin/documents")
@login_required("administrator")
def templates():
    return render_template("admin/documents.html", templates=_template_rows(services()), problems={}, typed={})


@bp.post("/admin/documents/<name>")
@login_required("administrator")
def save(name: str):
    if name not in paper_templates.DOCUMENTS:
        abort(404)
    svc, body = services(), request.form.get("body", "")
    try:
        with svc.work() as work:
            if request.form.get("action") == "restore":
                paper_commands.restore_template(work, Actor.of(current_user()), name=name)
            else:
                paper_commands.save_template(work, Actor.of(current_user()), name=name, body=body)
    except TemplateProblem as err:
        return render_template("admin/documents.html", templates=_template_rows(svc), problems={name: str(err)},
                               typed={name: body}), 422
    flash(_("「%(title)s」的模板已保存，下一份文书即按新模板生成。", title=paper_templates.DOCUMENTS[name]), "ok")
    return redirect(url_for("papers.templates") + f"#{name}")


def _template_rows(svc) -> list[dict]:
    """Each document's template in force, who last edited it and the fields it may use."""
    rows, now = [], svc.clock().now()
    with svc.sessions() as session:
        for name, title in paper_templates.DOCUMENTS.items():
            body, override = paper_templates.current(session, name)
            rows.append({"name": name, "title": title, "body": body, "fields": fields_of(name, now),
                         "edited_by": override.updated_by if override else None,
                         "edited_at": override.updated_at if override else None})
    return rows
