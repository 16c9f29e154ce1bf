"""Errors raised while accepting a diagram or running one of its scripts.

`DiagramError` is what a process owner sees when a diagram is refused at deploy: one sentence with the
reason and where it is (BPMN element id and/or source line), plus `to_dict()` for the API and the modeler,
which pins it to the element. Its `code` and `params` name the kind of problem for pages that word it in
their visitor's language (web/diagram_messages.py); `reason` stays the plain English sentence.

`ScriptRefused` and `ScriptTimeout` concern one expression or script; the loader wraps them into
`DiagramError`, and at run time SpiffWorkflow's script engine wraps them into `WorkflowTaskException`.
"""

from __future__ import annotations


class DiagramError(Exception):
    """A diagram was refused: malformed, unsafe, or using something the engine does not run."""

    def __init__(self, reason: str, element_id: str | None = None, line: int | None = None, *,
                 code: str = "diagram_invalid", params: dict[str, str | int] | None = None):
        self.reason = reason
        self.element_id = element_id
        self.line = line
        self.code = code
        self.params = dict(params or {})
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.element_id:
            where.append(f"element {self.element_id}")
        if self.line:
            where.append(f"line {self.line}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"diagram refused: {self.reason}{suffix}"

    def __repr__(self) -> str:
        return f"DiagramError({self.reason!r}, element_id={self.element_id!r}, line={self.line!r})"

    def to_dict(self) -> dict:
        return {"reason": self.reason, "element_id": self.element_id, "line": self.line, "code": self.code,
                "params": self.params}


class ScriptRefused(Exception):
    """One expression or script is not allowed in the restricted environment.

    Raised when it is compiled (forbidden name, import, underscore attribute, syntax error) and when a
    guard refuses an operation while it runs (attribute of a forbidden kind, result too large).
    """

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line
        super().__init__(reason)


class ScriptTimeout(Exception):
    """A script or expression ran past the engine's time limit and was stopped."""
