"""inspectflow's web layer: the Flask app factory. Routes stay thin; every rule lives in engine/."""

from __future__ import annotations

from flask import Flask

from web.config import from_environment, signing_key
from web.services import build_services
from web.template_cache import COMPILED_TEMPLATES


def create_app(config: dict | None = None) -> Flask:
    settings = {**from_environment(), **(config or {})}
    # The instance folder from the configuration, never the package directory (an installed wheel's).
    app = Flask(__name__, instance_path=str(settings["INSTANCE_DIR"]), instance_relative_config=True)
    app.config.update(settings)
    app.config["SECRET_KEY"] = signing_key(app.config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.extensions["inspectflow"] = build_services(app)

    from web import metrics, request_log

    request_log.init_app(app)  # first: every request is timed and given its id before any other hook answers
    metrics.init_app(app)  # /metrics, the request histogram and the engine's counters

    from web import input_guard

    input_guard.init_app(app)  # first: `int` in the routes added after it is bounded to the database's ids

    from web import jobs

    jobs.init_app(app)  # queues background jobs for a worker (the scheduler process, or serve's own thread)

    from web import security

    security.init_app(app)  # hardening headers, the session cookie's flags, ProxyFix (TRUSTED_PROXIES)

    from web import i18n

    i18n.init_app(app)

    from web.main import bp as main_bp

    app.register_blueprint(main_bp)

    from web.cli import register_commands

    register_commands(app)

    from web.api import bp as api_bp

    app.register_blueprint(api_bp)

    from web import notifications

    notifications.init_app(app)  # the notification centre and the header's unread count

    from web import pages

    pages.init_app(app)  # after the API: its error pages are the app-wide handlers
    return app
