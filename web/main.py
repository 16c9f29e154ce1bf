"""The landing page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select

from engine.models import Deadline, ProcessVersion, TaskRecord
from web.services import services

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    svc = services()
    with svc.sessions() as session:
        figures = {
            "processes": session.scalar(select(func.count(func.distinct(ProcessVersion.process_key)))),
            "open_tasks": session.scalar(select(func.count()).select_from(TaskRecord)
                                         .where(TaskRecord.state == "open")),
            "open_deadlines": session.scalar(select(func.count()).select_from(Deadline)),
        }
    return render_template("index.html", figures=figures)


@bp.get("/health")
def health():
    svc = services()
    with svc.sessions() as session:
        session.execute(select(1))
    return jsonify({"status": "ok", "now": svc.clock().now().isoformat()})
