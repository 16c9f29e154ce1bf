"""The instance folder: a deployment's own files — the embedded SQLite database, attached files, the signing
key of a development set-up and the compiled catalogs of a checkout — never the package directory, which an
installed wheel may not even be allowed to write.

`INSPECTFLOW_INSTANCE` names it; unset, it is `instance/` in the working directory (a checkout's, where
scripts/run.sh starts). It is made when something is first written there, not here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def instance_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = environ if environ is not None else os.environ
    return Path(env.get("INSPECTFLOW_INSTANCE") or "instance").resolve()
