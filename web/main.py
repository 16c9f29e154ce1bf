"""The landing page and the health check (their reading: engine.views.status)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from engine.views.status import landing_figures, ping
from web.security import current_user
from web.services import services

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Staff see the system's figures; a visitor who has not logged in sees the enterprise portal's entry."""
    if current_user() is None:
        return render_template("index.html", figures=None)
    svc = services()
    with svc.sessions() as session:
        figures = landing_figures(session)
    return render_template("index.html", figures=figures)


@bp.get("/health")
def health():
    svc = services()
    with svc.sessions() as session:
        ping(session)
    return jsonify({"status": "ok", "now": svc.clock().now().isoformat()})
