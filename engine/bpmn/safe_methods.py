"""Methods of plain data values as diagram code gets them: each a guard around the real bound method.

`guard_method(obj, name, method)` is what `guarded_getattr` hands out for a callable attribute. Every
guard looks at the clock first (`map(x.insert, ...)` would otherwise run a quadratic C loop unwatched);
those whose cost or result grows beyond a copy of their input bound it before they run:

- size of the result: `list.extend`, `str.join/replace/ljust/rjust/center/zfill/expandtabs/translate`,
  `int.to_bytes`, `int.from_bytes`, `date.strftime`;
- comparisons: `list/tuple.count/index`, `list.remove`, `list.sort`, `str.startswith/endswith` with a tuple;
- hashing: `dict.get/pop/setdefault/update/fromkeys`, `set.add/discard/remove` and the set algebra;
- `str.strip/lstrip/rstrip` with characters (each stripped character is looked up in them),
  `str.encode` (C-implemented encodings only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, time
from typing import Any

from .limits import charge, charge_walk, check_time, int_too_big, timed, too_long, tree_size
from .safe_builtins import check_encoding, materialise, sorted_in_place

Guard = Callable[[Any, Callable[..., Any]], Callable[..., Any]]


def charge_key(key: Any) -> Any:
    """Refuse a dict or set key whose hash would take too long (tuples rehash every item); return it."""
    if type(key) is tuple:
        charge_walk(key, "hashing this key")
    return key


def _searching(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def search(*args: Any) -> Any:
        check_time()
        charge_walk(obj, "searching the list")
        return method(*args)
    return search


def _keyed(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def keyed(*args: Any) -> Any:
        check_time()
        if args:
            charge_key(args[0])
        return method(*args)
    return keyed


def _hashing_all(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def hashing(*others: Any, **kwargs: Any) -> Any:
        check_time()
        others = tuple(materialise(other) for other in others)
        charge_walk([others, kwargs], "hashing the items")
        return method(*others, **kwargs)
    return hashing


def _sort(obj: list, method: Callable[..., Any]) -> Callable[..., None]:
    def sort(*, key: Callable[..., Any] | None = None, reverse: bool = False) -> None:
        check_time()
        sorted_in_place(obj, key, reverse)
    return sort


def _checked_extend(target: list, method: Callable[..., Any]) -> Callable[[Iterable[Any]], None]:
    def extend(items: Iterable[Any]) -> None:
        check_time()
        items = items if isinstance(items, (list, tuple, str)) else list(items)
        too_long(len(target) + len(items))
        target.extend(items)
    return extend


def _checked_join(separator: str, method: Callable[..., Any]) -> Callable[[Iterable[str]], str]:
    def join(items: Iterable[str]) -> str:
        check_time()
        items = list(items)
        too_long(sum(len(item) for item in items if isinstance(item, str)) + len(separator) * len(items), "text")
        return separator.join(items)
    return join


def _checked_replace(text: str, method: Callable[..., Any]) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        check_time()
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            hits = text.count(old) if old else len(text) + 1
            if count >= 0:
                hits = min(hits, count)
            too_long(len(text) + hits * (len(new) - len(old)), "text")
        return text.replace(old, new, count)
    return replace


def _checked_width(text: str, method: Callable[..., str]) -> Callable[..., str]:
    def padded(width: int = 8, *args: Any) -> str:
        check_time()
        if isinstance(width, int):
            too_long(width, "text")
        return method(width, *args)
    return padded


def _checked_expandtabs(text: str, method: Callable[..., Any]) -> Callable[..., str]:
    def expandtabs(tabsize: int = 8) -> str:
        check_time()
        if isinstance(tabsize, int):
            too_long(len(text) + text.count("\t") * max(tabsize, 0), "text")
        return text.expandtabs(tabsize)
    return expandtabs


def _checked_translate(text: str, method: Callable[..., Any]) -> Callable[[Any], str]:
    def translate(table: Any) -> str:
        check_time()
        if isinstance(table, dict):
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            too_long(len(text) * max(longest, 1), "text")
        return text.translate(table)
    return translate


def _checked_strip(text: str, method: Callable[..., Any]) -> Callable[..., str]:
    def strip(chars: Any = None) -> str:
        check_time()
        if isinstance(chars, str):
            # Every stripped character is searched for among `chars`.
            charge(len(text) * len(chars) // 4096, "stripping these characters")
        return method(chars)
    return strip


def _checked_affix(text: str, method: Callable[..., Any]) -> Callable[..., bool]:
    def affix(candidates: Any, *args: Any) -> bool:
        check_time()
        if isinstance(candidates, tuple):
            charge(tree_size(candidates), "comparing with these texts")
        return method(candidates, *args)
    return affix


def _checked_encode(text: str, method: Callable[..., Any]) -> Callable[..., bytes]:
    def encode(encoding: str = "utf-8", errors: str = "strict") -> bytes:
        check_time()
        check_encoding(encoding)
        return method(encoding, errors)
    return encode


def _checked_to_bytes(number: int, method: Callable[..., Any]) -> Callable[..., bytes]:
    def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> bytes:
        check_time()
        if isinstance(length, int):
            too_long(length, "byte string")
        return method(length, *args, **kwargs)
    return to_bytes


def _checked_from_bytes(number: int, method: Callable[..., Any]) -> Callable[..., int]:
    def from_bytes(data: Any, *args: Any, **kwargs: Any) -> int:
        check_time()
        data = materialise(data)
        if hasattr(data, "__len__"):
            int_too_big(len(data) * 8)
        return method(data, *args, **kwargs)
    return from_bytes


def _checked_strftime(moment: Any, method: Callable[..., Any]) -> Callable[[str], str]:
    def strftime(pattern: str) -> str:
        check_time()
        if isinstance(pattern, str):
            too_long(len(pattern) * 16, "text")  # no directive writes more than 16 characters per 2
        return method(pattern)
    return strftime


def _guards(types: tuple[type, ...], names: tuple[str, ...], guard: Guard) -> dict[tuple[type, str], Guard]:
    return {(kind, name): guard for kind in types for name in names}


_SET_ALGEBRA = ("union", "intersection", "difference", "symmetric_difference", "isdisjoint", "issubset",
                "issuperset")
_GUARDS: dict[tuple[type, str], Guard] = {
    **_guards((list, tuple), ("count", "index"), _searching),
    **_guards((list,), ("remove",), _searching),
    **_guards((list,), ("sort",), _sort),
    **_guards((list,), ("extend",), _checked_extend),
    **_guards((dict,), ("get", "pop", "setdefault"), _keyed),
    **_guards((dict,), ("update", "fromkeys"), _hashing_all),
    **_guards((set,), ("add", "discard", "remove"), _keyed),
    **_guards((set, frozenset), _SET_ALGEBRA, _hashing_all),
    **_guards((set,), ("update", "intersection_update", "difference_update", "symmetric_difference_update"),
              _hashing_all),
    **_guards((str,), ("join",), _checked_join),
    **_guards((str,), ("replace",), _checked_replace),
    **_guards((str,), ("ljust", "rjust", "center", "zfill"), _checked_width),
    **_guards((str,), ("expandtabs",), _checked_expandtabs),
    **_guards((str,), ("translate",), _checked_translate),
    **_guards((str,), ("strip", "lstrip", "rstrip"), _checked_strip),
    **_guards((str,), ("startswith", "endswith"), _checked_affix),
    **_guards((str,), ("encode",), _checked_encode),
    **_guards((str,), ("maketrans",), _hashing_all),
    **_guards((int, bool), ("to_bytes",), _checked_to_bytes),
    **_guards((int, bool), ("from_bytes",), _checked_from_bytes),
    **_guards((date, time), ("strftime",), _checked_strftime),
}


def guard_method(obj: Any, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """The guarded form of `obj.name` (`method`), a callable attribute of a plain data value."""
    for kind in type(obj).__mro__:
        guard = _GUARDS.get((kind, name))
        if guard is not None:
            return guard(obj, method)
    return timed(method)
