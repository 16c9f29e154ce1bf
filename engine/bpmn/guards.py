"""Run-time guards for restricted code: the operators, attributes and items it can reach.

Stateless and shared by every engine and thread. RestrictedPython rewrites attribute access, item
access, iteration, unpacking and augmented assignment, and `engine.bpmn.restricted`'s policy rewrites
arithmetic and bit operators, comparisons and membership tests, dict and set keys, and starred items, into
calls to the functions here; `guard_globals()` gives the dict they are found in, with the builtins of
`engine.bpmn.safe_builtins`.

Attribute access is allowed only on plain data values (str, numbers, list, tuple, dict, set, dates,
times, timedeltas), never on functions, classes, generators or anything else, and never for underscore
or introspection names — so even a value smuggled into task data cannot reach a frame. Methods come
wrapped by `engine.bpmn.safe_methods`. `datetime`/`date`/`timedelta` classes are deliberately not offered:
time comes from the injected clock and working-day arithmetic from the calendar helpers; date values
found in task data are usable.

Costs (see `engine.bpmn.limits`): sequence results of `+ * +=`, `int` results of `* ** <<`, the text of
`%` and f-string values, `%` widths are capped before they are built; comparisons and `in` are charged
for what they walk, keys for what hashing them walks; starred items are materialised and capped.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from .errors import ScriptRefused
from .limits import (
    MAX_FORMAT_WIDTH,
    MAX_OPERATION_STEPS,
    NESTED_TYPES,
    charge,
    charge_walk,
    check_rendered_size,
    check_time,
    int_too_big,
    too_long,
    tree_size,
)
from .safe_builtins import BUILTINS, materialise
from .safe_methods import charge_key, guard_method

ALLOWED_BUILTINS = BUILTINS

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


def _size(value: Any) -> int | None:
    try:
        return len(value)
    except TypeError:
        return None


# -- arithmetic ---------------------------------------------------------------------------------------------

def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        too_long(len(a) + len(b))
    return a + b


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        too_long(len(a) * b)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        too_long(len(b) * a)
    elif isinstance(a, int) and isinstance(b, int):
        int_too_big(a.bit_length() + b.bit_length())
    return a * b


def guarded_pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        int_too_big(a.bit_length() * b)
    return a**b


def guarded_lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a:
        int_too_big(a.bit_length() + b)
    return a << b


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, (str, bytes)):
        check_rendered_size(b)
        pattern = a if isinstance(a, str) else a.decode("latin-1")
        for width, precision in _PERCENT_FIELD.findall(pattern):
            for number in (width, precision):
                if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                    raise ScriptRefused(f"%-format widths must be literal numbers up to {MAX_FORMAT_WIDTH}")
    return a % b


_DICT_VIEWS = frozenset(NESTED_TYPES - {list, tuple, set, frozenset, dict})
_SET_OPERATORS = {"-": operator.sub, "&": operator.and_, "|": operator.or_, "^": operator.xor}


def guarded_set_operator(op: str, a: Any, b: Any) -> Any:
    """`- & | ^`: a dict view (or `dict |`) takes any iterable and hashes its items; sets reuse stored
    hashes."""
    check_time()
    if type(a) in _DICT_VIEWS or type(b) in _DICT_VIEWS or type(a) is dict:
        charge_walk([a, b], f"the {op} operation")
    return _SET_OPERATORS[op](a, b)


# -- comparisons -----------------------------------------------------------------------------------------------

# Comparing with one of these never walks a structure: at worst it compares two capped texts or numbers.
_FLAT = frozenset({type(None), bool, int, float, complex, str, bytes, Decimal, date, time, timedelta, range})
_HASHED = frozenset({dict, set, frozenset, type({}.keys()), type({}.items())})
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge,
}


def _member(item: Any, container: Any) -> bool:
    kind = type(container)
    if kind in (str, bytes, range):
        return item in container
    if kind in _HASHED:
        if type(item) not in _FLAT:
            charge_walk(item, "looking this value up")
        return item in container
    if kind in NESTED_TYPES:
        charge_walk(container, "searching the collection")
        return item in container
    for candidate in container:  # an iterator: compare as `in` would, one charged comparison at a time
        check_time()
        if candidate is item or guarded_compare(candidate, "==", item):
            return True
    return False


def guarded_compare(left: Any, op: str, right: Any) -> Any:
    """`left op right` for one comparison or membership test, charged for the walk it takes."""
    if op == "in":
        return _member(left, right)
    if op == "not in":
        return not _member(left, right)
    if type(left) not in _FLAT and type(right) not in _FLAT:
        # A comparison stops at the end of the smaller side.
        if tree_size(left) > MAX_OPERATION_STEPS:
            charge(tree_size(right), "comparing these values")
    return _COMPARISONS[op](left, right)


def guarded_operand(value: Any) -> Any:
    """An operand of a chained comparison (`a < b < c`): it must be cheap to walk on its own."""
    if type(value) not in _FLAT:
        charge_walk(value, "comparing this value")
    return value


# -- keys and starred items --------------------------------------------------------------------------------

def guarded_key(key: Any) -> Any:
    """A dict key or set item being stored or looked up."""
    return charge_key(key)


def guarded_star(items: Iterable[Any]) -> Any:
    """`*items` in a list, tuple or call; `**items` in a dict. Capped like `+` results."""
    check_time()
    materialised = materialise(items)
    too_long(len(materialised))
    return materialised


def guarded_star_keys(items: Iterable[Any]) -> Any:
    """`*items` in a set display: capped, and charged for hashing."""
    items = guarded_star(items)
    charge_walk(items, "hashing the items")
    return items


# -- augmented assignment -----------------------------------------------------------------------------------

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
}


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    check_time()
    if op == "+=":
        if isinstance(target, list):
            added = _size(value)
            if added is not None:
                too_long(len(target) + added)
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
    elif op in ("|=", "&=", "^=", "-=") and isinstance(target, dict):
        charge_walk(value, f"the {op} operation")
    function = _INPLACE.get(op)
    if function is None:
        raise ScriptRefused(f"the operator {op} is not allowed")
    return function(target, value)


def _imul_list(target: list, value: Any) -> list:
    if isinstance(value, int):
        too_long(len(target) * value)
    target *= value
    return target


# -- attributes and items -----------------------------------------------------------------------------------

def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    check_time()
    if not isinstance(name, str):
        raise ScriptRefused("attribute names must be text")
    reason = forbidden_attribute(name)
    if reason:
        raise ScriptRefused(f"attribute {reason}")
    if isinstance(obj, type) or not isinstance(obj, ATTRIBUTE_TYPES):
        raise ScriptRefused(f"attributes of {type(obj).__name__} values are not available in diagram scripts")
    value = getattr(obj, name, *default)
    return guard_method(obj, name, value) if callable(value) else value


def guarded_getitem(obj: Any, key: Any) -> Any:
    check_time()
    if type(obj) is dict:
        charge_key(key)
    return obj[key]


def guarded_write(obj: Any) -> Any:
    if isinstance(obj, (dict, list)):
        return obj
    raise ScriptRefused(f"{type(obj).__name__} values cannot be changed in diagram scripts (only dicts and lists)")


def guarded_apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    check_time()
    return function(*args, **kwargs)


_GUARDS: dict[str, Any] = {
    "__builtins__": BUILTINS,
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
    "_setop_": guarded_set_operator,
    "_compare_": guarded_compare,
    "_operand_": guarded_operand,
    "_key_": guarded_key,
    "_star_": guarded_star,
    "_star_keys_": guarded_star_keys,
    "_str_": BUILTINS["str"],
    "_fmt_": check_rendered_size,
}

RESERVED_NAMES = frozenset(_GUARDS)
CALLABLE_BUILTIN_NAMES = frozenset(name for name, value in BUILTINS.items() if callable(value))


def guard_globals() -> dict[str, Any]:
    """A fresh dict of the builtins and guards restricted code needs (callers add data and helpers)."""
    return dict(_GUARDS)
