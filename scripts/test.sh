#!/usr/bin/env bash
# Install everything the test suite needs (.venv, npm packages, Debian's chromium for the browser tests),
# then run lint, types and the whole suite.
# pytest's exit status 5 ("no tests collected") counts as a failure here, like every other non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/install-browser.sh
. .venv/bin/activate
ruff check engine web migrations tests bench
# Bytecode for the project's own modules, written once here: with PYTHONDONTWRITEBYTECODE set (as on these
# machines) every process the suite starts (xdist workers, the command line, servers) compiled them again,
# about 0.3 s each.
python -m compileall -q -j 0 engine web migrations tests bench
mypy
status=0
# pytest-xdist: one worker per core, each with its own databases (tests/conftest.py).
python -m pytest -n auto "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
