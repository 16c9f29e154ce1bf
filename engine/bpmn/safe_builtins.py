"""The builtins diagram code can call, each a guard around the real one (see `engine.bpmn.limits`).

Every callable here looks at the clock first, so a C loop that calls it item by item (`all(map(len, x))`)
stops at the deadline. Those whose cost grows with their input beyond a copy bound it before they run:
`sorted`/`min`/`max` (comparisons, keys computed once and measured), `sum` (of numbers, or of lists, where
every addition copies what came before), `set`/`frozenset`/`dict` (hashing), `str` (the text's length, and
only C-implemented encodings), `int` (the result's bits), `round` (the power of ten it computes) and
`isinstance` (class tuples may nest). `map`, `filter`, `zip`, `enumerate` and `reversed` hand out paced
iterators that look at the clock per item. Iterables are materialised before their items are hashed or
compared, so the cost is measured on what will really be compared.

Type-like wrappers (`str`, `int`, `list`, …) still work with `isinstance`, which maps them to their types.
Exception classes are offered as they are: constructing one costs nothing, and the script engine bounds
the text of an error that leaves a script.
"""

from __future__ import annotations

import builtins
import codecs
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from math import ceil, log2
from typing import Any

from .errors import ScriptRefused
from .limits import (
    MAX_INT_BITS,
    MAX_OPERATION_STEPS,
    charge,
    charge_walk,
    check_rendered_size,
    check_time,
    int_too_big,
    timed,
    too_long,
)

# Encodings implemented in C: a pure-Python codec (punycode, idna) would run uninterrupted and punycode
# is quadratic.
TEXT_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-32", "ascii", "latin-1", "iso8859-1", "gbk", "gb2312",
                            "gb18030", "big5"})
_MISSING = object()
_MATERIALISED = (list, tuple, str, bytes, dict, set, frozenset, range)


def materialise(iterable: Iterable[Any]) -> Any:
    """The iterable itself if it is a container, else its items in a list (consumed through its guards)."""
    return iterable if type(iterable) in _MATERIALISED else list(iterable)


def check_encoding(encoding: object) -> None:
    if not isinstance(encoding, str):
        return  # the real call refuses it
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return
    if name not in TEXT_ENCODINGS:
        raise ScriptRefused(f"the encoding '{encoding}' is not available; use one of "
                            + ", ".join(sorted(TEXT_ENCODINGS)))


def paced(iterator: Iterator[Any]) -> Iterator[Any]:
    """`iterator`'s items, looking at the clock before each."""
    for item in iterator:
        check_time()
        yield item


def _lazy(function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
        check_time()
        return paced(function(*args, **kwargs))
    call.__name__ = call.__qualname__ = function.__name__
    return call


# -- comparisons: sorted, min, max ------------------------------------------------------------------------

def _keys(items: list[Any], key: Callable[..., Any] | None, what: str, comparisons_per_item: int) -> list[Any]:
    """The values `items` are compared by (computed once), after charging for the comparisons."""
    keys = items if key is None else list(map(key, items))
    charge_walk(keys, what, comparisons_per_item)
    return keys


def sorted_in_place(items: list[Any], key: Callable[..., Any] | None = None, reverse: bool = False) -> None:
    """`items.sort(key=key, reverse=reverse)` with its comparisons bounded."""
    keys = _keys(items, key, "sorting", max(1, ceil(log2(len(items) + 1))))
    if key is None:
        items.sort(reverse=reverse)
        return
    order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    items[:] = [items[index] for index in order]


def guarded_sorted(iterable: Iterable[Any], /, *, key: Callable[..., Any] | None = None,
                   reverse: bool = False) -> list[Any]:
    check_time()
    items = list(iterable)
    sorted_in_place(items, key, reverse)
    return items


def _extreme(name: str, choose: Callable[..., Any]) -> Callable[..., Any]:
    def extreme(*args: Any, key: Callable[..., Any] | None = None, default: Any = _MISSING) -> Any:
        check_time()
        if not args:
            raise TypeError(f"{name} expected at least 1 argument, got 0")
        if len(args) > 1 and default is not _MISSING:
            raise TypeError(f"Cannot specify a default for {name}() with multiple positional arguments")
        items = list(args[0]) if len(args) == 1 else list(args)
        if not items:
            if default is _MISSING:
                raise ValueError(f"{name}() arg is an empty sequence")
            return default
        keys = _keys(items, key, f"{name}()", 1)
        if key is None:
            return choose(items)
        return items[choose(range(len(items)), key=keys.__getitem__)]
    extreme.__name__ = extreme.__qualname__ = name
    return extreme


def guarded_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    check_time()
    items = list(iterable)
    if isinstance(start, (list, tuple)):
        # Each addition copies everything added so far: the cost is the sum of the running lengths.
        try:
            steps = sum(accumulate(map(len, items), initial=len(start)))
        except TypeError:
            steps = 0  # sum() refuses the mix itself
        charge(steps, "sum() of sequences")
    else:
        charge_walk(items, "sum()")
    return sum(items, start)


# -- hashing: set, frozenset, dict ------------------------------------------------------------------------

def guarded_set(iterable: Iterable[Any] = (), /) -> set[Any]:
    check_time()
    items = materialise(iterable)
    charge_walk(items, "set()")
    return set(items)


def guarded_frozenset(iterable: Iterable[Any] = (), /) -> frozenset[Any]:
    check_time()
    items = materialise(iterable)
    charge_walk(items, "frozenset()")
    return frozenset(items)


def guarded_dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    check_time()
    if args:
        args = (materialise(args[0]), *args[1:])
        charge_walk(args[0], "dict()")
    return dict(*args, **kwargs)


# -- numbers and text -------------------------------------------------------------------------------------

def guarded_str(*args: Any, **kwargs: Any) -> str:
    check_time()
    check_rendered_size(args[0] if args else kwargs.get("object"))
    if len(args) > 1 or "encoding" in kwargs:
        check_encoding(args[1] if len(args) > 1 else kwargs["encoding"])
    return str(*args, **kwargs)


def guarded_int(*args: Any, **kwargs: Any) -> int:
    check_time()
    result = int(*args, **kwargs)
    int_too_big(result.bit_length())  # binary, octal and hexadecimal text has no digit limit
    return result


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    check_time()
    if isinstance(ndigits, int):
        int_too_big(abs(ndigits) * 10 // 3)  # rounding an integer computes 10 ** -ndigits
    return round(number, ndigits)


def guarded_range(*args: Any) -> range:
    check_time()
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = MAX_INT_BITS * MAX_OPERATION_STEPS
    too_long(length, "range")
    return result


# -- the table ----------------------------------------------------------------------------------------------

_TYPE_WRAPPERS: dict[Any, type] = {}


def _type(cls: type, wrapper: Callable[..., Any] | None = None) -> Callable[..., Any]:
    wrapper = wrapper or timed(cls)
    _TYPE_WRAPPERS[wrapper] = cls
    return wrapper


def _classes(spec: Any) -> Any:
    """`isinstance`'s second argument with our wrappers replaced by their types (nested tuples flattened)."""
    if type(spec) is not tuple:
        return _TYPE_WRAPPERS.get(spec, spec)
    charge_walk(spec, "isinstance()")
    flat: list[Any] = []
    pending = [spec]
    while pending:
        item = pending.pop()
        if type(item) is tuple:
            pending.extend(item)
        else:
            flat.append(_TYPE_WRAPPERS.get(item, item))
    return tuple(flat)


def guarded_isinstance(obj: Any, classes: Any, /) -> bool:
    check_time()
    return isinstance(obj, _classes(classes))


_EXCEPTIONS = ("Exception", "ValueError", "KeyError", "TypeError", "ZeroDivisionError")

BUILTINS: dict[str, Any] = {
    "abs": timed(abs), "all": timed(all), "any": timed(any), "bool": _type(bool), "chr": timed(chr),
    "dict": _type(dict, guarded_dict), "divmod": timed(divmod), "float": _type(float),
    "frozenset": _type(frozenset, guarded_frozenset), "int": _type(int, guarded_int),
    "isinstance": guarded_isinstance, "len": timed(len), "list": _type(list), "ord": timed(ord),
    "round": guarded_round, "set": _type(set, guarded_set), "sorted": guarded_sorted,
    "str": _type(str, guarded_str), "sum": guarded_sum, "tuple": _type(tuple),
    "range": _type(range, guarded_range), "max": _extreme("max", max), "min": _extreme("min", min),
    "enumerate": _lazy(enumerate), "filter": _lazy(filter), "map": _lazy(map), "reversed": _lazy(reversed),
    "zip": _lazy(zip),
    **{name: getattr(builtins, name) for name in _EXCEPTIONS},
    "True": True, "False": False, "None": None,
}
EXCEPTION_CLASSES = frozenset(getattr(builtins, name) for name in _EXCEPTIONS)
