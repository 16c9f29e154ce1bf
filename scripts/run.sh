#!/usr/bin/env bash
# Install, migrate the embedded SQLite database, load the shipped diagrams and demo data, and serve the app
# with its deadline scheduler on http://127.0.0.1:8000/ . A development set-up: without SECRET_KEY the app keeps
# its own signing key in instance/ (a deployment sets SECRET_KEY and leaves INSPECTFLOW_ENV unset).
set -euo pipefail
cd "$(dirname "$0")/.."
export INSPECTFLOW_ENV="${INSPECTFLOW_ENV:-development}"
bash scripts/install.sh
. .venv/bin/activate
inspectflow db upgrade
inspectflow load-demo
# A terminal reads text; deployments keep the default, one JSON object per log line (README, "Observability").
export INSPECTFLOW_LOG_FORMAT="${INSPECTFLOW_LOG_FORMAT:-text}"
exec inspectflow serve "$@"
