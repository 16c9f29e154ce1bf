"""Run-time guards for restricted code: the only builtins and helpers it can reach.

Stateless and shared by every engine and thread. RestrictedPython rewrites attribute access, item
access, iteration, unpacking, augmented assignment and (through `engine.bpmn.restricted`'s policy)
`+ * ** << %` into calls to the functions here; `guard_globals()` gives the dict they are found in.

Attribute access is allowed only on plain data values (str, numbers, list, tuple, dict, set, dates,
times, timedeltas), never on functions, classes, generators or anything else, and never for underscore
or introspection names — so even a value smuggled into task data cannot reach a frame. `datetime`/`date`/
`timedelta` classes are deliberately not offered: time comes from the injected clock and working-day
arithmetic from the calendar helpers; date values found in task data are usable.

Memory is bounded where it is cheap: sequence results of `+ * +=` and `list.extend`, `str.join`,
`str.replace`, `str.translate`, padding methods, `int.to_bytes`, `%` widths and the text of `str()`,
f-string and `%` values are capped, as are `int` results of `* ** <<` and the length of `range`. Other
growth (e.g. `set.update` in a loop) is bounded only by the time limit, and a single C-level call (e.g.
`sorted` of a large input) cannot be interrupted by it: run workers under an OS memory limit.
"""

from __future__ import annotations

import builtins
import operator
import re
from collections.abc import Callable, Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from .errors import ScriptRefused

MAX_SEQUENCE_LENGTH = 1_000_000
MAX_INT_BITS = 100_000
MAX_FORMAT_WIDTH = 10_000

ALLOWED_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "frozenset",
        "int", "isinstance", "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted",
        "str", "sum", "tuple", "zip", "chr", "ord",
        "Exception", "ValueError", "KeyError", "TypeError", "ZeroDivisionError",
    )
}
ALLOWED_BUILTINS.update({"True": True, "False": False, "None": None})

# Attribute names refused whatever the object: introspection that leads to frames, code or globals,
# str.format (it reads attributes inside the format string), and the wall clock.
FORBIDDEN_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES) | frozenset(
    {"format", "format_map", "mro", "now", "today", "utcnow"}
)
_FORBIDDEN_ATTRIBUTE_PREFIXES = ("gi_", "f_", "tb_", "cr_", "ag_", "co_", "func_", "im_")
ATTRIBUTE_TYPES = (str, int, float, complex, Decimal, list, tuple, dict, set, frozenset, date, time, timedelta)


def forbidden_attribute(name: str) -> str | None:
    """Why attribute `name` may not be read, or None if it may."""
    if name.startswith("_"):
        return f"'{name}' starts with an underscore (underscore names are not allowed)"
    if name in FORBIDDEN_ATTRIBUTES or name.startswith(_FORBIDDEN_ATTRIBUTE_PREFIXES):
        return f"'{name}' is not allowed (introspection, str.format and the wall clock are off limits)"
    return None


_SEQUENCES = (str, bytes, list, tuple)


def _too_long(length: int, what: str = "sequence") -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise ScriptRefused(f"the {what} would have {length:,} items; the limit is {MAX_SEQUENCE_LENGTH:,}")


def _int_too_big(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptRefused(f"the number would have about {bits:,} bits; the limit is {MAX_INT_BITS:,}")


def _size(value: Any) -> int | None:
    try:
        return len(value)
    except TypeError:
        return None


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _too_long(len(a) + len(b))
    return a + b


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        _too_long(len(a) * b)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        _too_long(len(b) * a)
    elif isinstance(a, int) and isinstance(b, int):
        _int_too_big(a.bit_length() + b.bit_length())
    return a * b


def guarded_pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _int_too_big(a.bit_length() * b)
    return a**b


def guarded_lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a:
        _int_too_big(a.bit_length() + b)
    return a << b


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


_CONTAINERS = (list, tuple, dict, set, frozenset)


def check_rendered_size(value: Any) -> Any:
    """Refuse a value whose text form (`str`, f-string, `%`) would pass the length limit; return it.

    The walk stops as soon as the estimate passes the limit, so it costs at most that many steps, even
    for a list holding the same long string a million times or a list that contains itself.
    """
    if isinstance(value, str):
        _too_long(len(value), "text")
        return value
    if not isinstance(value, _CONTAINERS):
        return value
    budget = MAX_SEQUENCE_LENGTH
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            budget -= len(item) + 4
        elif isinstance(item, _CONTAINERS):
            budget -= 16 + 2 * len(item)  # over-estimates small containers, so the walk stays short
            if budget >= 0:
                pending.extend(item.items() if isinstance(item, dict) else item)
        else:
            budget -= 8
        if budget < 0:
            raise ScriptRefused(f"the value's text would be longer than the limit of {MAX_SEQUENCE_LENGTH:,}")
    return value


def guarded_str(*args: Any, **kwargs: Any) -> str:
    if args:
        check_rendered_size(args[0])
    return str(*args, **kwargs)


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, (str, bytes)):
        check_rendered_size(b)
        pattern = a if isinstance(a, str) else a.decode("latin-1")
        for width, precision in _PERCENT_FIELD.findall(pattern):
            for number in (width, precision):
                if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                    raise ScriptRefused(f"%-format widths must be literal numbers up to {MAX_FORMAT_WIDTH}")
    return a % b


_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
}


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    if op == "+=":
        if isinstance(target, list):
            added = _size(value)
            if added is not None:
                _too_long(len(target) + added)
        else:
            guarded_add(target, value)  # size check only; the result is recomputed below
    elif op == "*=":
        return guarded_mul(target, value) if not isinstance(target, list) else _imul_list(target, value)
    elif op == "**=":
        return guarded_pow(target, value)
    elif op == "<<=":
        return guarded_lshift(target, value)
    elif op == "%=":
        return guarded_mod(target, value)
    function = _INPLACE.get(op)
    if function is None:
        raise ScriptRefused(f"the operator {op} is not allowed")
    return function(target, value)


def _imul_list(target: list, value: Any) -> list:
    if isinstance(value, int):
        _too_long(len(target) * value)
    target *= value
    return target


def guarded_range(*args: Any) -> range:
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = MAX_SEQUENCE_LENGTH + 1
    _too_long(length, "range")
    return result


def _checked_extend(target: list) -> Callable[[Iterable[Any]], None]:
    def extend(items: Iterable[Any]) -> None:
        items = items if isinstance(items, (list, tuple, str)) else list(items)
        _too_long(len(target) + len(items))
        target.extend(items)
    return extend


def _checked_join(separator: str) -> Callable[[Iterable[str]], str]:
    def join(items: Iterable[str]) -> str:
        items = list(items)
        _too_long(sum(len(item) for item in items if isinstance(item, str)) + len(separator) * len(items), "text")
        return separator.join(items)
    return join


def _checked_replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            hits = text.count(old) if old else len(text) + 1
            if count >= 0:
                hits = min(hits, count)
            _too_long(len(text) + hits * (len(new) - len(old)), "text")
        return text.replace(old, new, count)
    return replace


def _checked_width(method: Callable[..., str]) -> Callable[..., str]:
    def padded(width: int = 8, *args: Any) -> str:
        if isinstance(width, int):
            _too_long(width, "text")
        return method(width, *args)
    return padded


def _checked_expandtabs(text: str) -> Callable[..., str]:
    def expandtabs(tabsize: int = 8) -> str:
        if isinstance(tabsize, int):
            _too_long(len(text) + text.count("\t") * max(tabsize, 0), "text")
        return text.expandtabs(tabsize)
    return expandtabs


def _checked_translate(text: str) -> Callable[[Any], str]:
    def translate(table: Any) -> str:
        if isinstance(table, dict):
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            _too_long(len(text) * max(longest, 1), "text")
        return text.translate(table)
    return translate


def _checked_to_bytes(number: int) -> Callable[..., bytes]:
    def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> bytes:
        if isinstance(length, int):
            _too_long(length, "byte string")
        return number.to_bytes(length, *args, **kwargs)
    return to_bytes


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    if not isinstance(name, str):
        raise ScriptRefused("attribute names must be text")
    reason = forbidden_attribute(name)
    if reason:
        raise ScriptRefused(f"attribute {reason}")
    if isinstance(obj, type) or not isinstance(obj, ATTRIBUTE_TYPES):
        raise ScriptRefused(f"attributes of {type(obj).__name__} values are not available in diagram scripts")
    value = getattr(obj, name, *default)
    if isinstance(obj, list) and name == "extend":
        return _checked_extend(obj)
    if isinstance(obj, str):
        if name == "join":
            return _checked_join(obj)
        if name == "replace":
            return _checked_replace(obj)
        if name in ("ljust", "rjust", "center", "zfill"):
            return _checked_width(value)
        if name == "expandtabs":
            return _checked_expandtabs(obj)
        if name == "translate":
            return _checked_translate(obj)
    if isinstance(obj, int) and name == "to_bytes":
        return _checked_to_bytes(obj)
    return value


def guarded_getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def guarded_write(obj: Any) -> Any:
    if isinstance(obj, (dict, list)):
        return obj
    raise ScriptRefused(f"{type(obj).__name__} values cannot be changed in diagram scripts (only dicts and lists)")


def guarded_apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


_BUILTINS: dict[str, Any] = {**ALLOWED_BUILTINS, "range": guarded_range}

_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": iter,
    "_write_": guarded_write,
    "_inplacevar_": guarded_inplacevar,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_apply_": guarded_apply,
    "_add_": guarded_add,
    "_mul_": guarded_mul,
    "_pow_": guarded_pow,
    "_lshift_": guarded_lshift,
    "_mod_": guarded_mod,
    "_str_": guarded_str,
    "_fmt_": check_rendered_size,
}

RESERVED_NAMES = frozenset(_GUARDS)
CALLABLE_BUILTIN_NAMES = frozenset(name for name, value in _BUILTINS.items() if callable(value))


def guard_globals() -> dict[str, Any]:
    """A fresh dict of the builtins and guards restricted code needs (callers add data and helpers)."""
    return dict(_GUARDS)
