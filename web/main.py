"""The landing page and the probes a proxy or orchestrator polls (their reading: engine.views.status).

`/health` says the process is up and answering, without touching the database (a liveness probe: restart on
failure). `/ready` says this process can serve: the database answers and its schema is at this code's Alembic
head, else 503 with the reason (a readiness probe: send no traffic until it passes; during an upgrade the new
code waits for `db upgrade`). Both are public and answer JSON.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, render_template
from sqlalchemy.exc import SQLAlchemyError

from engine.views.status import landing_figures, ping, schema_revisions
from web.security import current_user
from web.services import services

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


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
    return jsonify({"status": "ok"})


@bp.get("/ready")
def ready():
    from migrations import head_revisions  # here: Alembic's script loading is not every request's cost

    try:
        with services().sessions() as session:
            ping(session)
            database = schema_revisions(session)
    except SQLAlchemyError:
        log.warning("readiness: the database is unreachable", exc_info=True)
        return jsonify({"status": "unavailable", "reason": "database_unreachable"}), 503
    code = head_revisions()
    if database != code:  # the error's details stay in the log: the probe is public
        return jsonify({"status": "unavailable", "reason": "schema_not_current",
                        "database_revision": sorted(database), "code_revision": sorted(code)}), 503
    return jsonify({"status": "ready", "revision": sorted(code)})
