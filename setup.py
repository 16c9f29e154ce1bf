"""The build step that makes a wheel a working app on its own (the metadata is in setup.cfg).

After the ordinary build_py, into the build directory only (never into the source tree): the English catalog
compiled to `.mo`, copies of the shipped diagrams (processes/bpmn/ → engine/data/bpmn/) and the bpmn-js files
the pages serve (node_modules/bpmn-js/ → web/vendor/bpmn-js/; run `npm ci`, or scripts/install.sh, first).
An editable install skips it: a checkout finds all three at their source paths (web.packaged).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent


def _packaged():
    """web/packaged.py, loaded by path: importing the package `web` would need Flask, absent from the build."""
    spec = importlib.util.spec_from_file_location("_inspectflow_packaged", ROOT / "web" / "packaged.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        packaged = _packaged()
        target = Path(self.build_lib)
        packaged.compile_catalogs(ROOT / "web" / "translations", target / "web" / "translations")
        diagrams = target / "engine" / "data" / "bpmn"
        diagrams.mkdir(parents=True, exist_ok=True)
        for path in sorted((ROOT / "processes" / "bpmn").glob("*.bpmn")):
            shutil.copyfile(path, diagrams / path.name)
        bpmn_js = ROOT / "node_modules" / "bpmn-js"
        missing = [name for name in packaged.BPMN_JS_FILES if not (bpmn_js / "dist" / name).is_file()]
        if missing:
            raise SetupError(f"bpmn-js is not installed ({bpmn_js / 'dist' / missing[0]} is missing): run "
                             "'npm ci' (or bash scripts/install.sh) before building the wheel")
        vendor = target / "web" / "vendor" / "bpmn-js"
        for name in [*packaged.BPMN_JS_PACKAGE_FILES, *(f"dist/{name}" for name in packaged.BPMN_JS_FILES)]:
            (vendor / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bpmn_js / name, vendor / name)


setup(cmdclass={"build_py": BuildWithData})
