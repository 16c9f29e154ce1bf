"""Configuration read from the environment (12-factor), overridable by the factory's `config` mapping."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from engine.background.notify_delivery import DeliverySettings
from engine.platform.db import database_url


def from_environment() -> dict:
    scheme = os.environ.get("PREFERRED_URL_SCHEME", "http")
    secure_cookie = _flag("SESSION_COOKIE_SECURE") or scheme == "https"
    trusted_proxies = int(os.environ.get("INSPECTFLOW_TRUSTED_PROXIES", "0"))
    session_lifetime = timedelta(hours=float(os.environ.get("INSPECTFLOW_SESSION_HOURS", "12")))
    return {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": _secret_key(deployed=secure_cookie or trusted_proxies > 0),
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
        "ATTACHMENT_DIR": os.environ.get("INSPECTFLOW_ATTACHMENTS", str(Path("instance") / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("INSPECTFLOW_ATTACHMENT_MAX_BYTES", str(10 * 2**20))),
        # The county the public portal serves (a code or name): where a complaint naming no inspection or
        # enterprise is placed. Unset: the only jurisdiction there is.
        "PORTAL_JURISDICTION": os.environ.get("INSPECTFLOW_PORTAL_JURISDICTION") or None,
    }


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def delivery_settings(config: Mapping) -> DeliverySettings:
    """How the app's reminders leave the server, from its configuration."""
    return DeliverySettings(smtp_host=config["SMTP_HOST"], smtp_port=config["SMTP_PORT"], smtp_from=config["SMTP_FROM"],
                            smtp_user=config["SMTP_USER"], smtp_password=config["SMTP_PASSWORD"],
                            smtp_starttls=config["SMTP_STARTTLS"],
                            webhook_allow_private=config["WEBHOOK_ALLOW_PRIVATE"])


def _secret_key(*, deployed: bool) -> str:
    """SECRET_KEY from the environment; a development checkout may fall back to a key file of its own, but a
    deployment (HTTPS or behind a proxy) must set it, so that every process and host signs alike and the key is
    managed like the deployment's other secrets."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if deployed:
        raise RuntimeError("SECRET_KEY is not set: a deployment served over HTTPS or behind a proxy needs one; "
                           "generate it with  python -c 'import secrets; print(secrets.token_hex(32))'")
    return _instance_secret()


def _instance_secret(path: Path = Path("instance") / "secret_key") -> str:
    """A signing key kept beside the embedded database, so sessions survive restarts and are shared by the
    app's processes; created on first use (only readable by its owner)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
