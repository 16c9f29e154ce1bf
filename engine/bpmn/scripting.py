"""The script engine every workflow runs with: restricted, time-bounded, shareable.

SpiffWorkflow's default engine is plain `eval`/`exec` with full builtins, so anyone who can upload a
diagram could run OS commands. `RestrictedEnvironment` replaces it: code is compiled by
`engine.bpmn.restricted` (RestrictedPython plus our refusals; cached by source text) and runs with task
data, the injected helpers (calendar functions) and a short allow-list of pure builtins — nothing else.
Task data flows in and out exactly as with SpiffWorkflow's `TaskDataEnvironment`: an expression sees a
copy, a script runs in the task's data dict, so `approved = score > 3` and `items.append('x')` change it,
and the helpers, guards and any functions the script defined are removed afterwards.

Every run is bounded (`engine.bpmn.limits`): a deadline (`time_limit_s`) watched by a per-thread trace
hook and by every guard, a cap on the memory it may add, and a cost bound on each operation it sets off.
A runaway raises `ScriptTimeout`, which SpiffWorkflow's engine wraps into a `WorkflowTaskException`. A
script must leave task data that can be saved (`engine.bpmn.task_data`: JSON values, within a size cap);
otherwise it is refused there, naming what it left. An error that leaves diagram code carries at most a
capped text, so reporting it cannot walk a huge value.

Bare ISO 8601 literals (`PT1H`, `R3/PT10M`, `2026-10-08T09:00:00+08:00`) evaluate to their text; see
`engine.bpmn.iso8601`.

Concurrency: an engine holds only its helpers and limits, never per-workflow state, so one instance can
be shared by every workflow and thread. SpiffWorkflow's deserializer attaches its own default engine to
restored workflows; the runtime must set `workflow.script_engine = engine` after every restore.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import ScriptRefused, ScriptTimeout
from .guards import CALLABLE_BUILTIN_NAMES, RESERVED_NAMES, guard_globals
from .iso8601 import TIMER_KINDS, is_iso_literal, iso_literal_kind, looks_like_iso_literal
from .limits import MAX_SCRIPT_MEMORY_MB, check_rendered_size, deadline, timed
from .restricted import called_names, compile_expression, compile_script
from .task_data import data_problem

__all__ = [
    "CALENDAR_HELPER_NAMES",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "is_iso_literal",
]

# The helpers the calendar contract (DESIGN.md) promises to diagrams; the loader checks diagrams
# against these names when it is not given the runtime's own engine.
CALENDAR_HELPER_NAMES = ("working_days_after", "is_working_day")


_ERROR_TEXT_TOO_LONG = "(the error's value is too large to show)"


def _bounded_error(exc: BaseException) -> None:
    """Cap the values an error raised in diagram code carries (`KeyError(huge)` would be rendered whole by
    whoever reports it), along its chain of causes."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        try:
            check_rendered_size(current.args)
        except ScriptRefused:
            current.args = (_ERROR_TEXT_TOO_LONG,)
        current = current.__cause__ or current.__context__
        seen += 1


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs diagram code with task data, helpers and allow-listed builtins only (see module doc)."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None, time_limit_s: float = 2.0,
                 memory_limit_mb: float = MAX_SCRIPT_MEMORY_MB):
        helpers = dict(helpers or {})
        for name, helper in helpers.items():
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"helper name {name!r} must be an identifier without a leading underscore")
            if not callable(helper):
                raise ValueError(f"helper {name!r} is not callable")
        super().__init__(helpers)
        self.helpers = helpers
        self._timed_helpers = {name: timed(helper) for name, helper in helpers.items()}
        self.time_limit_s = time_limit_s
        self.memory_limit_mb = memory_limit_mb
        self.callable_names = frozenset(CALLABLE_BUILTIN_NAMES | helpers.keys())

    def _run_globals(self) -> dict[str, Any]:
        names = guard_globals()
        names.update(self._timed_helpers)
        return names

    def _bounded(self) -> Any:
        return deadline(self.time_limit_s, self.memory_limit_mb)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        if isinstance(expression, str) and is_iso_literal(expression):
            return expression.strip()
        code = compile_expression(expression)
        scope: dict[str, Any] = dict(external_context or {})
        scope.update(context)
        scope.update(self._run_globals())  # last, so task data can never shadow a guard or helper
        try:
            with self._bounded():
                result = eval(code, scope)
        except Exception as exc:
            _bounded_error(exc)
            raise
        if isinstance(result, Iterator):
            # Lazily evaluated later by the library, it would run outside the time limit.
            raise ScriptRefused("an expression must give a value, not a generator or iterator; wrap it in list()")
        return result

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        external_context = dict(external_context or {})
        self.check_for_overwrite(context, external_context)
        code = compile_script(script)
        context.update(external_context)
        context.update(self._run_globals())
        try:
            with self._bounded():
                exec(code, context)
        except Exception as exc:
            _bounded_error(exc)
            raise
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        lazy = sorted(key for key, value in context.items() if isinstance(value, Iterator))
        if lazy:
            raise ScriptRefused(
                "a script may not leave generators or iterators in task data (use a list): " + ", ".join(lazy)
            )
        problem = data_problem(context)
        if problem:
            raise ScriptRefused(f"the script left task data that cannot be saved: {problem}")
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptRefused("service tasks are not supported by this engine")

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        clashes = (set(self.helpers) | RESERVED_NAMES | set(external_context)) & set(context)
        if clashes:
            raise ValueError(
                "task data uses names reserved for helper functions; rename these fields: "
                + ", ".join(sorted(clashes))
            )

    def _remove_globals_and_functions_from_context(
        self, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> None:
        # As TaskDataEnvironment does: drop builtins, guards, helpers, external context and any callable
        # (functions a script defined) so only data is left in the task.
        for key in list(context):
            if (
                key in RESERVED_NAMES
                or key in self.helpers
                or (external_context and key in external_context)
                or callable(context[key])
            ):
                context.pop(key)

    # --- compile-time checks used by the loader -----------------------------------------------------

    def check_expression(self, text: str) -> None:
        if isinstance(text, str) and is_iso_literal(text):
            return
        code_text = text.strip() if isinstance(text, str) else text
        compile_expression(code_text)
        self._check_calls(ast.parse(code_text, mode="eval"))

    def check_script(self, text: str | None) -> None:
        compile_script(text or "")
        self._check_calls(ast.parse(textwrap.dedent(text or "").strip("\n")))

    def check_timer(self, text: str | None, kind: str) -> None:
        """Check a timer's text for `kind` ('timeDate', 'timeDuration' or 'timeCycle')."""
        expected = TIMER_KINDS[kind]
        if text is None or not text.strip():
            raise ScriptRefused(f"the {kind} is empty")
        literal = iso_literal_kind(text)
        if literal is not None:
            if literal != expected:
                raise ScriptRefused(f"{text.strip()!r} is an ISO 8601 {literal}, but {kind} needs a {expected}")
            if literal in ("date", "cycle") and _has_naive_date_time(text.strip()):
                raise ScriptRefused(
                    f"{text.strip()!r} has no UTC offset; write one (e.g. +08:00), otherwise SpiffWorkflow "
                    "reads it in the server's local time zone"
                )
            return
        if looks_like_iso_literal(text):
            raise ScriptRefused(f"{text.strip()!r} is not a valid ISO 8601 {expected}")
        self.check_expression(text)

    def _check_calls(self, tree: ast.AST) -> None:
        for name, line in called_names(tree):
            if name not in self.callable_names:
                raise ScriptRefused(f"'{name}' is not a function available to diagrams", line=line)


def _has_naive_date_time(text: str) -> bool:
    for part in text.split("/"):
        if part[:1].isdigit():
            if datetime.fromisoformat(part.replace("Z", "+00:00")).tzinfo is None:
                return True
    return False


class RestrictedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow script engine over `RestrictedEnvironment`; cheap to share between workflows."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None, time_limit_s: float = 2.0,
                 memory_limit_mb: float = MAX_SCRIPT_MEMORY_MB):
        super().__init__(environment=RestrictedEnvironment(helpers, time_limit_s, memory_limit_mb))

    environment: RestrictedEnvironment

    @property
    def helpers(self) -> Mapping[str, Callable[..., Any]]:
        return self.environment.helpers

    @property
    def time_limit_s(self) -> float:
        return self.environment.time_limit_s

    def validate(self, expression: str) -> None:
        self.check_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except (ScriptRefused, ScriptTimeout) as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {exc}", task=task, exception=exc
            ) from exc
        except Exception as exc:
            message = f"Error evaluating expression '{expression}'"
            raise WorkflowTaskException(message, task=task, exception=exc) from exc

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("service tasks are not supported by this engine", task=task)

    def check_expression(self, text: str) -> None:
        """Raise `ScriptRefused` unless `text` is an allowed expression (or a bare ISO 8601 literal)."""
        self.environment.check_expression(text)

    def check_script(self, text: str | None) -> None:
        """Raise `ScriptRefused` unless `text` is an allowed script."""
        self.environment.check_script(text)

    def check_timer(self, text: str | None, kind: str) -> None:
        """Raise `ScriptRefused` unless `text` is a usable timeDate/timeDuration/timeCycle."""
        self.environment.check_timer(text, kind)
