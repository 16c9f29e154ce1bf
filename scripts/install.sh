#!/usr/bin/env bash
# Create .venv and install inspectflow with its test tools (idempotent; safe to run again).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Exactly the locked versions (requirements/test.lock, hash-checked; scripts/lock.sh regenerates it), then
# inspectflow itself, editable, built with the locked setuptools.
.venv/bin/python -m pip install --quiet -r requirements/test.lock
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
# The printable documents (执法文书) are PDFs with Chinese text: they embed a CJK font from the machine
# (engine.platform.pdf). Debian's WenQuanYi Micro Hei when no Chinese font is there yet; without apt the app
# still runs, and its PDF links say that the font is missing.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1 \
      || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1; } \
      || echo "could not install fonts-wqy-microhei: the PDF documents need a Chinese font (INSPECTFLOW_PDF_FONT)" >&2
  else
    echo "no Chinese font and no apt-get: set INSPECTFLOW_PDF_FONT to a .ttf/.ttc file for the PDF documents" >&2
  fi
fi
# The diagram editor and viewer (bpmn-js) the pages serve, from package-lock.json: only when node_modules is
# missing or older than the lock file. Without npm the app still runs; its diagram pages say what is missing.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "npm not found: the diagram editor and viewer stay unavailable until 'npm ci' runs" >&2
  fi
fi
