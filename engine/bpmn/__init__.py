"""Accepting BPMN diagrams safely and running their scripts in a restricted environment.

`load_diagram` turns uploaded XML into SpiffWorkflow specs or refuses it (`DiagramError`, with the
element id and line); `RestrictedScriptEngine` is the script engine every workflow runs with. Nothing in
this package touches the database, the clock or Flask.
"""

from .errors import DiagramError, ScriptRefused, ScriptTimeout
from .forms import INSPECTFLOW_NS, FormField, FormInvalid, FormSpec
from .loader import LoadedDiagram, diagram_problems, load_diagram
from .safe_xml import parse_diagram_xml
from .scripting import CALENDAR_HELPER_NAMES, RestrictedEnvironment, RestrictedScriptEngine, is_iso_literal

__all__ = [
    "CALENDAR_HELPER_NAMES",
    "DiagramError",
    "INSPECTFLOW_NS",
    "FormField",
    "FormInvalid",
    "FormSpec",
    "LoadedDiagram",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "ScriptRefused",
    "ScriptTimeout",
    "diagram_problems",
    "is_iso_literal",
    "load_diagram",
    "parse_diagram_xml",
]
