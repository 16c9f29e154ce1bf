#!/usr/bin/env bash
# Create .venv and install inspectflow with its test tools (idempotent; safe to run again).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# The diagram editor and viewer (bpmn-js) the pages serve, from package-lock.json: only when node_modules is
# missing or older than the lock file. Without npm the app still runs; its diagram pages say what is missing.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "npm not found: the diagram editor and viewer stay unavailable until 'npm ci' runs" >&2
  fi
fi
