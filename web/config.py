"""Configuration read from the environment (12-factor), overridable by the factory's `config` mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from engine.platform.db import database_url


def from_environment() -> dict:
    return {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(),
        "SCHEDULER_INTERVAL_S": float(os.environ.get("INSPECTFLOW_SWEEP_INTERVAL_S", "5")),
        "SCRIPT_TIME_LIMIT_S": float(os.environ.get("INSPECTFLOW_SCRIPT_TIME_LIMIT_S", "2")),
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("INSPECTFLOW_WORKFLOW_CACHE_SIZE", "512")),
        # Any request body: refused with 413 before it is read (web.input_guard). Room for the modeler's JSON
        # (twice a 5 MB diagram, web.owner); each upload keeps its own, smaller check.
        "MAX_CONTENT_LENGTH": int(os.environ.get("INSPECTFLOW_MAX_CONTENT_LENGTH", str(16 * 2**20))),
    }


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
