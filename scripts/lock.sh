#!/usr/bin/env bash
# Regenerate the lock files from setup.cfg's requirements (README, "Dependencies"): every package pinned
# exactly with the hashes of its files on PyPI, for Python 3.11 on any platform.
#   requirements/runtime.lock   what the app needs, gunicorn included (a deployment and the Dockerfile: pip
#                               install -r it, then the wheel --no-deps)
#   requirements/test.lock      that plus the test extra (scripts/install.sh, hence CI)
# Pass uv's options through, e.g. --upgrade-package flask to move one package on.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/uv ]; then
  python3 -m venv .venv 2>/dev/null || true
  .venv/bin/python -m pip install --quiet uv
fi
compile() {
  .venv/bin/uv pip compile setup.cfg --quiet --universal --python-version 3.11 --generate-hashes \
    --index-url https://pypi.org/simple --output-file "$@"
}
compile requirements/runtime.lock --extra deploy "$@"
compile requirements/test.lock --extra test "$@"
