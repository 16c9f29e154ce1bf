"""engine/ is plain Python: it never imports Flask, web/ or marshmallow (STYLE.md habit 1)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("flask", "web", "marshmallow", "werkzeug", "jinja2")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_never_imports_the_web_layer():
    offenders = {
        f"{path.relative_to(ENGINE.parent)}: {name}"
        for path in ENGINE.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offenders == set()


def test_the_check_sees_the_engine_modules():
    # Guards the test above against silently scanning nothing.
    assert len(list(ENGINE.rglob("*.py"))) > 20


# engine's packages from the bottom up: each may import those before it, never one after it (DESIGN.md).
LAYERS = ("models", "platform", "calendar", "bpmn", "runtime", "domain", "identity", "views", "commands",
          "background", "demo")


def _package_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "engine" else None


def test_lower_layers_never_import_higher_ones():
    upward = set()
    for path in ENGINE.rglob("*.py"):
        relative = path.relative_to(ENGINE)
        if len(relative.parts) == 1:
            continue  # engine/__init__.py
        own = relative.parts[0]
        for name in imported_modules(path):
            target = _package_of(name)
            if target and target != own and LAYERS.index(target) > LAYERS.index(own):
                upward.add(f"{relative}: {name}")
    assert upward == set()


def test_every_engine_module_lives_in_a_layer():
    loose = {p.name for p in ENGINE.iterdir() if p.suffix == ".py" and p.name != "__init__.py"}
    packages = {p.name for p in ENGINE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert loose == set()
    assert packages == set(LAYERS)
