"""Configuration read from the environment (12-factor), overridable by the factory's `config` mapping.

Where a deployment keeps its files is the instance folder (engine.platform.instance: INSPECTFLOW_INSTANCE,
else ./instance). SECRET_KEY is required unless the app runs for development (INSPECTFLOW_ENV=development,
which scripts/run.sh sets, or FLASK_DEBUG): without it, `create_app` refuses to start (`ConfigurationError`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from engine.background.notify_delivery import DeliverySettings
from engine.platform.db import database_url
from engine.platform.instance import instance_dir


class ConfigurationError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def from_environment() -> dict:
    scheme = os.environ.get("PREFERRED_URL_SCHEME", "http")
    secure_cookie = _flag("SESSION_COOKIE_SECURE") or scheme == "https"
    trusted_proxies = int(os.environ.get("INSPECTFLOW_TRUSTED_PROXIES", "0"))
    session_lifetime = timedelta(hours=float(os.environ.get("INSPECTFLOW_SESSION_HOURS", "12")))
    return {
        "DATABASE_URL": database_url(),
        "INSTANCE_DIR": str(instance_dir()),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,  # required unless DEVELOPMENT (signing_key)
        "DEVELOPMENT": os.environ.get("INSPECTFLOW_ENV", "").strip().lower() == "development" or _flag("FLASK_DEBUG"),
        # Security (README, "Security"): the session cookie, page logins and API tokens (web.security,
        # engine.identity). The cookie is also Secure whenever the request itself came over HTTPS.
        "PREFERRED_URL_SCHEME": scheme,
        "SESSION_COOKIE_SECURE": secure_cookie,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_LIFETIME": session_lifetime,  # a login ends on the server after this, whatever the cookie
        "PERMANENT_SESSION_LIFETIME": session_lifetime,  # and the cookie's signature is not accepted longer
        "API_TOKEN_LIFETIME": timedelta(days=float(os.environ.get("INSPECTFLOW_API_TOKEN_DAYS", "90"))),
        "TRUSTED_PROXIES": trusted_proxies,  # reverse proxies in front whose X-Forwarded-* headers count
        "SCHEDULER_INTERVAL_S": float(os.environ.get("INSPECTFLOW_SWEEP_INTERVAL_S", "5")),
        # Process instances whose timers one sweep fires per transaction (engine.background.sweep): fewer means
        # more commits, each losing less to a crash; 1 fires and commits instance by instance.
        "SWEEP_BATCH": max(1, int(os.environ.get("INSPECTFLOW_SWEEP_BATCH", "50"))),
        # How long a background job's claim holds without a heartbeat (engine.background.job_worker): a job
        # whose worker died is run again by another this long after its last heartbeat.
        "JOB_LEASE_S": float(os.environ.get("INSPECTFLOW_JOB_LEASE_S", "60")),
        # Reminders (engine.background.notify): e-mail is off while SMTP_HOST is unset; webhooks go to public
        # addresses only unless WEBHOOK_ALLOW_PRIVATE (a county's messenger gateway on its intranet).
        "SMTP_HOST": os.environ.get("INSPECTFLOW_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("INSPECTFLOW_SMTP_PORT", "25")),
        "SMTP_FROM": os.environ.get("INSPECTFLOW_SMTP_FROM", "inspectflow@localhost"),
        "SMTP_USER": os.environ.get("INSPECTFLOW_SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("INSPECTFLOW_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("INSPECTFLOW_SMTP_STARTTLS"),
        "WEBHOOK_ALLOW_PRIVATE": _flag("INSPECTFLOW_WEBHOOK_ALLOW_PRIVATE"),
        "NOTIFY_INTERVAL_S": float(os.environ.get("INSPECTFLOW_NOTIFY_INTERVAL_S", "60")),
        "SCRIPT_TIME_LIMIT_S": float(os.environ.get("INSPECTFLOW_SCRIPT_TIME_LIMIT_S", "2")),
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("INSPECTFLOW_WORKFLOW_CACHE_SIZE", "512")),
        # Any request body: refused with 413 before it is read (web.input_guard). Room for the modeler's JSON
        # (twice a 5 MB diagram, web.owner); each upload keeps its own, smaller check.
        "MAX_CONTENT_LENGTH": int(os.environ.get("INSPECTFLOW_MAX_CONTENT_LENGTH", str(16 * 2**20))),
        # Attached files (photos, PDFs, R22): a directory of their own, content-addressed
        # (engine.platform.attachment_store); each file at most ATTACHMENT_MAX_BYTES, under MAX_CONTENT_LENGTH.
        "ATTACHMENT_DIR": os.environ.get("INSPECTFLOW_ATTACHMENTS", str(instance_dir() / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("INSPECTFLOW_ATTACHMENT_MAX_BYTES", str(10 * 2**20))),
        # The county the public portal serves (a code or name): where a complaint naming no inspection or
        # enterprise is placed. Unset: the only jurisdiction there is.
        "PORTAL_JURISDICTION": os.environ.get("INSPECTFLOW_PORTAL_JURISDICTION") or None,
        # Observability (README, "Observability"): log lines as JSON (one object a line) or as text
        # (scripts/run.sh), and who may scrape /metrics: these networks, or anyone with the bearer token.
        "LOG_FORMAT": os.environ.get("INSPECTFLOW_LOG_FORMAT", "json").strip().lower(),
        "LOG_LEVEL": os.environ.get("INSPECTFLOW_LOG_LEVEL", "INFO").strip().upper(),
        "METRICS_TOKEN": os.environ.get("INSPECTFLOW_METRICS_TOKEN") or None,
        "METRICS_NETWORKS": [network.strip() for network in
                             os.environ.get("INSPECTFLOW_METRICS_NETWORKS", "127.0.0.0/8,::1/128").split(",")
                             if network.strip()],
    }


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def delivery_settings(config: Mapping) -> DeliverySettings:
    """How the app's reminders leave the server, from its configuration."""
    return DeliverySettings(smtp_host=config["SMTP_HOST"], smtp_port=config["SMTP_PORT"], smtp_from=config["SMTP_FROM"],
                            smtp_user=config["SMTP_USER"], smtp_password=config["SMTP_PASSWORD"],
                            smtp_starttls=config["SMTP_STARTTLS"],
                            webhook_allow_private=config["WEBHOOK_ALLOW_PRIVATE"])


def signing_key(config: Mapping) -> str:
    """SECRET_KEY as configured. Only a development set-up may go without: it falls back to a key file in its
    instance folder, unless it is served over HTTPS or behind a proxy. Every process and host of a deployment
    must sign alike, and the key is managed like the deployment's other secrets."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config["SESSION_COOKIE_SECURE"] or config["TRUSTED_PROXIES"] > 0:
        raise ConfigurationError("SECRET_KEY is not set: a deployment served over HTTPS or behind a proxy needs "
                                 "one; generate it with  python -c 'import secrets; print(secrets.token_hex(32))'")
    if not config["DEVELOPMENT"]:
        raise ConfigurationError("SECRET_KEY is not set: set it in the environment (generate one with  python -c "
                                 "'import secrets; print(secrets.token_hex(32))'), or INSPECTFLOW_ENV=development "
                                 "for a development set-up that keeps its own key in the instance folder")
    return _instance_secret(Path(config["INSTANCE_DIR"]) / "secret_key")


def _instance_secret(path: Path) -> str:
    """A signing key kept beside the embedded database, so sessions survive restarts and are shared by the
    app's processes; created on first use (only readable by its owner)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
