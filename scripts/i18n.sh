#!/usr/bin/env bash
# The English catalog (web/translations/en/LC_MESSAGES/messages.po) against the strings the pages mark.
#   bash scripts/i18n.sh          check: list missing, untranslated, duplicated and unused entries; fail if any
#   bash scripts/i18n.sh update   add the missing entries (empty, to translate), drop unused ones, sort by msgid,
#                                 then check. Run it after merging branches that added pages or entries.
# Extraction follows babel.cfg (like `pybabel extract -F babel.cfg -k lazy_gettext`) but walks only web/.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
[ -x "$python" ] || python=python3
exec "$python" -m web.i18n_catalog "$@"
