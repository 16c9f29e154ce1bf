"""What the built package carries that a checkout makes from elsewhere, shared by the build (setup.py loads
this file by path, before Flask is installed: it imports only the standard library and Babel) and the app.

- The English catalog compiled to `.mo`: the wheel holds `web/translations/<lang>/LC_MESSAGES/messages.mo`
  (without the `.po`). A checkout has only the `.po`; the app compiles it into its instance folder instead
  (web.i18n), never into the package directory.
- The bpmn-js files the pages serve (`BPMN_JS_FILES`, from npm's `node_modules/bpmn-js/`): the wheel holds
  them under `web/vendor/bpmn-js/` with the package's `package.json` (its version goes into the asset URLs)
  and licence.
- The shipped diagrams (`processes/bpmn/*.bpmn`): the wheel holds copies in `engine/data/bpmn/`
  (engine.bpmn.shipped).

Compiling writes a temporary file of its own beside the target and renames it over, so two processes
compiling at once (pytest-xdist workers, two web processes) each leave a whole catalog.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BPMN_JS_FILES = frozenset({
    "bpmn-modeler.production.min.js",
    "bpmn-navigated-viewer.production.min.js",
    "assets/diagram-js.css",
    "assets/bpmn-js.css",
    "assets/bpmn-font/css/bpmn.css",
    *(f"assets/bpmn-font/font/bpmn.{kind}" for kind in ("woff2", "woff", "ttf", "eot", "svg")),
})
BPMN_JS_PACKAGE_FILES = ("package.json", "LICENSE")  # beside dist/: the version and the licence
CATALOG = "LC_MESSAGES/messages"


def catalog_sources(root: Path) -> list[Path]:
    return sorted(root.glob(f"*/{CATALOG}.po"))


def compiled_path(po_path: Path, source_root: Path, target_root: Path) -> Path:
    return target_root / po_path.relative_to(source_root).with_suffix(".mo")


def is_current(mo_path: Path, po_path: Path) -> bool:
    return mo_path.is_file() and mo_path.stat().st_mtime >= po_path.stat().st_mtime


def compile_catalogs(source_root: Path, target_root: Path) -> list[Path]:
    """Compile every `.po` under `source_root` whose `.mo` under `target_root` is missing or older; the `.mo`
    files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in catalog_sources(source_root):
        mo_path = compiled_path(po_path, source_root, target_root)
        if is_current(mo_path, po_path):
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would follow the file into the wheel
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(mo_path)
    return written
