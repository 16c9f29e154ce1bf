"""No SQL in web/ (issue 10, B): pages, API and CLI are thin adapters over engine read models (engine/views/) and
engine commands (engine/commands/). Every module under web/ is parsed; building a statement, running one on a
session or importing sqlalchemy fails the test."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
STATEMENTS = {"select", "insert", "update", "delete"}  # sqlalchemy's statement builders, called by bare name
SESSION_CALLS = {"execute", "scalar", "scalars", "query"}  # running a statement, whatever the session is called
# sqlalchemy.exc stays allowed: a page that owns the commit (`services().work()`) may have to word an
# IntegrityError it raises (web/owner.py: a concurrent deploy took the same version number first).
ALLOWED_MODULES = {"sqlalchemy.exc"}
# The composition root holds the database engine and session factories the engine is handed, and the API's
# request unit hands a view its request's session; they name those types and run no SQL.
ALLOWED_NAMES = {"services.py": {("sqlalchemy", "Engine"), ("sqlalchemy.orm", "Session"),
                                 ("sqlalchemy.orm", "sessionmaker")},
                 "api/unit.py": {("sqlalchemy.orm", "Session")}}


def _model_names(tree: ast.Module) -> set[str]:
    """The names a module imports from engine.models (a session.get(Model, id) is a query too)."""
    return {alias.asname or alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine.models")
            for alias in node.names}


def sql_in(source: str, name: str = "module.py") -> list[str]:
    """Each place the source builds or runs SQL or imports sqlalchemy, as "line: what"."""
    tree = ast.parse(source)
    models, allowed = _model_names(tree), ALLOWED_NAMES.get(name, set())
    # A module's own function of that name (web/i18n_catalog.py's `update`) is not a statement builder.
    statements = STATEMENTS - {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy" and a.name not in ALLOWED_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            found += [f"{node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if node.module not in ALLOWED_MODULES and (node.module, a.name) not in allowed]
        elif isinstance(node, ast.Call):
            call = node.func
            if isinstance(call, ast.Name) and call.id in statements:
                found.append(f"{node.lineno}: {call.id}(")
            elif isinstance(call, ast.Attribute) and call.attr in SESSION_CALLS:
                found.append(f"{node.lineno}: .{call.attr}(")
            elif (isinstance(call, ast.Attribute) and call.attr == "get" and node.args
                  and isinstance(node.args[0], ast.Name) and node.args[0].id in models):
                found.append(f"{node.lineno}: .get({node.args[0].id}, …)")
    return sorted(found, key=lambda where: (int(where.split(":")[0]), where))


def test_no_module_under_web_builds_or_runs_sql():
    offenders = {f"{path.relative_to(WEB.parent)}:{where}"
                 for path in WEB.rglob("*.py")
                 for where in sql_in(path.read_text(encoding="utf-8"), path.relative_to(WEB).as_posix())}
    assert offenders == set()


def test_the_check_sees_the_web_modules():
    # Guards the test above against silently scanning nothing.
    assert len(list(WEB.rglob("*.py"))) > 20
    assert (WEB / "api" / "tasks.py").is_file()


def test_the_check_recognises_sql():
    source = '''
import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.exc import IntegrityError
from engine.models import Agency as A

def page(session, db):
    session.execute(select(A.code))
    db.scalar(update(A).values(name="x"))
    session.scalars(delete(A))
    rows = db.query(A).all()
    one = session.get(A, 1)
    flask_value = session.get("login")
    words = {}
    words.update(one=1)
'''
    assert sql_in(source) == [
        "2: import sqlalchemy", "3: from sqlalchemy import func", "3: from sqlalchemy import select",
        "4: from sqlalchemy.orm import Session", "9: .execute(", "9: select(", "10: .scalar(", "10: update(",
        "11: .scalars(", "11: delete(", "12: .query(", "13: .get(A, …)"]
    assert sql_in("from sqlalchemy.orm import Session\n", "services.py") == []
    assert sql_in("def update(po):\n    return po\n\nupdate(1)\n") == []
