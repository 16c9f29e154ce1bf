"""Configuration read from the environment (12-factor), overridable by the factory's `config` mapping."""

from __future__ import annotations

import os
import secrets

from engine.db import database_url


def from_environment() -> dict:
    return {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SCHEDULER_INTERVAL_S": float(os.environ.get("INSPECTFLOW_SWEEP_INTERVAL_S", "5")),
        "SCRIPT_TIME_LIMIT_S": float(os.environ.get("INSPECTFLOW_SCRIPT_TIME_LIMIT_S", "2")),
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("INSPECTFLOW_WORKFLOW_CACHE_SIZE", "512")),
    }
