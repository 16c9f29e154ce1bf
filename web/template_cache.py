"""Compiled templates kept for the whole process (a Jinja bytecode cache in memory).

Jinja caches what it compiled on one app's environment, so every app built in a process compiled the same
templates again: `serve` builds one, but a restart of the app in a long-lived worker, the command line's
`load-demo` job runner and the test suite build many (the acceptance tests spent a fifth of their time there).
A bucket is found by template name and file and used only while the source's checksum matches (Jinja checks
it), so an edited template is compiled anew. Every app of inspectflow's builds its environment with the same
options, which is what makes one compiled template fit them all.
"""

from __future__ import annotations

import threading

from jinja2.bccache import Bucket, BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        compiled = bucket.bytecode_to_string()
        with self._lock:
            self._compiled[bucket.key] = compiled


COMPILED_TEMPLATES = ProcessBytecodeCache()
