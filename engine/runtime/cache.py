"""Bounded caches: parsed diagrams per deployed version, and restored workflows per instance.

The workflow cache hands an object out to one caller at a time (`take` removes it), so two threads never
mutate the same workflow; the caller puts it back only after its transaction committed, tagged with the
lock_version it committed. A rolled-back change never returns to the cache.
Memory is bounded by `capacity`, not by the number of open instances.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def take(self, key: Hashable) -> V | None:
        with self._lock:
            return self._items.pop(key, None)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
