"""The language diagrams' scripts and expressions are written in: a restricted Python.

`DiagramPolicy` is RestrictedPython's transformer with our extra refusals: no imports, no `try`/`with`/
`class`, no `print`, no calls to Python builtins outside the allow-list (`open`, `getattr`, `type`,
`globals`, `vars`…), no introspection attributes (`gi_frame`, `f_globals`, `tb_frame`, `cr_frame`,
`format`, `mro`…), no computed or huge f-string format specs; and it routes `+ * ** << % - & | ^`,
comparisons and `in`, dict keys and set items (displays, comprehensions, item assignment), starred items,
`str()` and f-string values through the guards in `engine.bpmn.guards`, which bound what each may cost.
`try` is refused because a script that could catch errors could also swallow the time-limit error and
keep looping.

`compile_expression` / `compile_script` compile with that policy, cached by source text (the policy is
fixed, so the cache is shared by every engine and thread), raising `ScriptRefused` with RestrictedPython's
message and the line.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
import textwrap
from collections.abc import Callable, Iterable
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

from .errors import ScriptRefused
from .guards import ALLOWED_BUILTINS, forbidden_attribute
from .limits import MAX_FORMAT_WIDTH, SCRIPT_FILENAME

COMPILE_CACHE_SIZE = 2048

_FORBIDDEN_CALLS = frozenset(
    name for name in dir(builtins)
    if not name.startswith("_") and name not in ALLOWED_BUILTINS and name not in ("range", "exec", "eval")
)
# Builtins refused even when only referenced (`(g := getattr)(x, "y")`), not just called. Names a task
# data field could plausibly have (`type`, `id`, `input`, `object`, `format`…) are refused only as calls;
# referenced, they can only ever be task data, since the builtins dict does not contain them.
_FORBIDDEN_NAMES = frozenset({
    "getattr", "setattr", "delattr", "hasattr", "globals", "locals", "vars", "dir", "open", "compile",
    "exec", "eval", "breakpoint", "memoryview", "super", "classmethod", "staticmethod", "help", "exit",
    "quit", "print", "printed",
})


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the refusals and size guards described in the module docstring."""

    _GUARDED_BINOPS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_",
                       ast.Mod: "_mod_"}
    _SET_OPERATORS = {ast.Sub: "-", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}
    _COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                    ast.In: "in", ast.NotIn: "not in"}

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "import statements are not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "import statements are not allowed")
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        self.error(node, "try statements are not allowed (a diagram script may not catch errors)")
        return node

    def visit_With(self, node: ast.With) -> Any:
        self.error(node, "with statements are not allowed")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "class definitions are not allowed")
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in _FORBIDDEN_NAMES:
            self.error(node, f"'{node.id}' is not available in diagram scripts")
            return node
        return super().visit_Name(node)

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self.error(node, f"'{node.func.id}' is not available in diagram scripts")
        new_node = super().visit_Call(node)
        if isinstance(new_node, ast.Call) and isinstance(new_node.func, ast.Name) and new_node.func.id == "str":
            new_node.func = ast.Name("_str_", ast.Load())  # the text of a big container is size-checked
            copy_locations(new_node.func, node)
        return new_node

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        reason = forbidden_attribute(node.attr)
        if reason and not node.attr.startswith("_") and node.attr not in INSPECT_ATTRIBUTES:
            # RestrictedPython already reports underscore and inspect names; report the rest here.
            self.error(node, f"attribute {reason}")
        return super().visit_Attribute(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                self.error(node, "computed format specifications in f-strings are not allowed")
            else:
                text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
                if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
                    self.error(node, f"f-string widths above {MAX_FORMAT_WIDTH} are not allowed")
        visited = super().visit_FormattedValue(node)
        if isinstance(visited, ast.FormattedValue):
            checked = ast.Call(func=ast.Name("_fmt_", ast.Load()), args=[visited.value], keywords=[])
            copy_locations(checked, visited.value)
            visited.value = checked
        return visited

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = self._GUARDED_BINOPS.get(type(node.op))
        if guard is not None:
            return _call(guard, node, node.left, node.right)
        symbol = self._SET_OPERATORS.get(type(node.op))
        if symbol is not None:
            return _call("_setop_", node, ast.Constant(symbol), node.left, node.right)
        return node

    def visit_Compare(self, node: ast.Compare) -> Any:
        node = self.node_contents_visit(node)
        if all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            return node
        if len(node.ops) == 1:
            return _call("_compare_", node, node.left, ast.Constant(self._COMPARISONS[type(node.ops[0])]),
                         node.comparators[0])
        # A chain evaluates each operand once and stops early: keep it, with every operand checked.
        node.left = _checked("_operand_", node.left)
        node.comparators = [_checked("_operand_", value) for value in node.comparators]
        return node

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _checked("_star_", node.value)
        return node

    def visit_Set(self, node: ast.Set) -> Any:
        node = self.node_contents_visit(node)
        for element in node.elts:
            if isinstance(element, ast.Starred) and isinstance(element.value, ast.Call):
                element.value.func = ast.Name("_star_keys_", ast.Load())  # hashed, not only copied
                copy_locations(element.value.func, element)
        node.elts = [_checked("_key_", e) if not isinstance(e, ast.Starred) else e for e in node.elts]
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        node = self.node_contents_visit(node)
        node.keys = [_checked("_key_", key) if key is not None else None for key in node.keys]
        node.values = [_checked("_star_", value) if key is None else value
                       for key, value in zip(node.keys, node.values, strict=True)]
        return node

    def visit_SetComp(self, node: ast.SetComp) -> Any:
        visited = super().visit_SetComp(node)
        if isinstance(visited, ast.SetComp):
            visited.elt = _checked("_key_", visited.elt)
        return visited

    def visit_DictComp(self, node: ast.DictComp) -> Any:
        visited = super().visit_DictComp(node)
        if isinstance(visited, ast.DictComp):
            visited.key = _checked("_key_", visited.key)
        return visited

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        visited = super().visit_Subscript(node)
        if isinstance(visited, ast.Subscript):  # a store or delete; loads became _getitem_ calls
            visited.slice = _checked("_key_", visited.slice)
        return visited


def _call(guard: str, node: ast.expr, *args: ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Name(guard, ast.Load()), args=list(args), keywords=[])
    copy_locations(call, node)
    for arg in args:
        if not hasattr(arg, "lineno"):
            copy_locations(arg, node)
    return call


def _checked(guard: str, value: ast.expr) -> ast.expr:
    """`guard(value)`, or `value` itself when it is a literal the guard has nothing to check."""
    if isinstance(value, ast.Constant) or isinstance(value, ast.Slice):
        return value
    return _call(guard, value, value)


_LINE_PREFIX = re.compile(r"^Line (\d+|None): ")


def _refusal(errors: Iterable[str], multiline: bool) -> ScriptRefused:
    messages: list[str] = []
    line: int | None = None
    for message in errors:
        match = _LINE_PREFIX.match(message)
        number = int(match.group(1)) if match and match.group(1).isdigit() else None
        line = line or number
        text = _LINE_PREFIX.sub("", message)
        if multiline and number:
            text = f"line {number}: {text}"
        if text not in messages:
            messages.append(text)
    return ScriptRefused("; ".join(messages), line=line)


def _compile(compiler: Callable[..., Any], source: str) -> Any:
    try:
        return compiler(source, filename=SCRIPT_FILENAME, policy=DiagramPolicy)
    except (RecursionError, MemoryError):
        raise ScriptRefused("the code is too deeply nested to compile") from None
    except (ValueError, TypeError, SyntaxError) as exc:  # e.g. a null byte in the source
        raise ScriptRefused(f"the code could not be compiled: {exc}") from None


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_expression(text: str) -> CodeType:
    """Compile one expression with the diagram policy (cached); `ScriptRefused` if it is not allowed."""
    if text is None or not str(text).strip():
        raise ScriptRefused("the expression is empty")
    result = _compile(compile_restricted_eval, str(text).strip())
    if result.errors or result.code is None:
        raise _refusal(result.errors or ["the expression could not be compiled"], "\n" in str(text).strip())
    return result.code


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_script(text: str) -> CodeType:
    """Compile one script with the diagram policy (cached); `ScriptRefused` if it is not allowed."""
    source = textwrap.dedent(text or "").strip("\n")
    result = _compile(compile_restricted_exec, source)
    if result.errors or result.code is None:
        raise _refusal(result.errors or ["the script could not be compiled"], "\n" in source)
    return result.code


def called_names(tree: ast.AST) -> list[tuple[str, int]]:
    """(name, line) of every plain-name call in `tree` that the code itself does not bind."""
    bound: set[str] = set()
    calls: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.append((node.func.id, node.lineno))
    return [(name, line) for name, line in calls if name not in bound]
