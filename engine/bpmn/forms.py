"""User-task forms: their definitions in the diagram, and the checking of submitted data against them.

A user task declares its form in its extensionElements (namespace `INSPECTFLOW_NS`):

    <inspectflow:form>
      <inspectflow:field name="notice_date" type="date" label="告知日期" required="true"/>
      <inspectflow:field name="method" type="choice" label="告知方式" choices="书面|电话"/>
    </inspectflow:form>

A date field of a step that records the day it is done says `default="today"`: the page offers the clock's
date in Asia/Shanghai (`FormSpec.defaults`) instead of an empty box.

A file field takes photos and PDFs unless it says which kinds it accepts: `accept="audio,video"` (of
`ACCEPT_KINDS`) for the recording of an audio/video record (R22); a file of another kind is refused. A field
that only applies when a yes/no of the same form is 是 says `when="audio_video"`: the page shows it only then, and
`clean` refuses a value for it otherwise.

A choice or multichoice field may take its choices from the case instead of the diagram:
`choices_from="plan_inspectors"` (one of `CHOICE_SOURCES`) offers the inspectors the plan chose, so data typed
once is chosen again rather than retyped; the runtime resolves them per task (`FormSpec.with_choices`, from
sources the domain registers) and `clean` then refuses a value outside them. A case with nothing to choose
from (a procedure started without a plan) gets a text field instead.

`form_problems` refuses malformed definitions at deploy (with the element id and line); `parse_forms`
reads them; `FormSpec.clean` turns submitted values into the task data the diagram's scripts and gateways
see (ISO strings for dates, real numbers and booleans) or raises `FormInvalid` naming every bad field.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from lxml import etree

from .errors import DiagramError

INSPECTFLOW_NS = "http://inspectflow.org/schema/bpmn/1.0"
FIELD_TYPES = ("string", "text", "integer", "number", "boolean", "date", "datetime", "choice", "multichoice", "file")
# A file field (附件) keeps in the task data only each attachment's summary, never the bytes (the store holds them,
# engine.platform.attachment_store); `multiple="true"` takes several, `capture="true"` asks a phone for its camera.
ATTACHMENT_KEYS = ("id", "name", "type", "size", "sha256")
_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否", ""}
MAX_TEXT = 10_000
# choices_from: the plan's inspectors ("姓名（执法证号）") and listed items ("代码 名称"), the agencies of a
# complaint's county ("代码 名称"); engine.domain.case_choices computes them
CHOICE_SOURCES = ("plan_inspectors", "plan_items", "complaint_agencies")
DEFAULTS = ("today",)  # default=: what a date field starts from on the page
# accept=: the kinds of file a file field takes, each a media type prefix of the attachment store's types
ACCEPT_KINDS = {"image": "image/", "pdf": "application/pdf", "audio": "audio/", "video": "video/"}
DEFAULT_ACCEPT = ("image", "pdf")


class FieldProblem(ValueError):
    """Why a submitted value does not fit its field: a stable `code` with JSON-safe `params`, so that a page can
    word it in its visitor's language; str() is the plain English reason (the API's and the logs')."""

    def __init__(self, code: str, reason: str, **params: str | int):
        super().__init__(reason)
        self.code, self.params = code, params

    def to_dict(self) -> dict:
        return {"code": self.code, "params": self.params}


class FormInvalid(ValueError):
    """Submitted data does not fit the form; `problems` maps each bad field to its FieldProblem."""

    def __init__(self, problems: dict[str, FieldProblem]):
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))
        self.problems = problems

    @property
    def errors(self) -> dict[str, str]:
        """Each bad field's plain English reason."""
        return {name: str(problem) for name, problem in self.problems.items()}


@dataclass(frozen=True)
class FormField:
    name: str
    type: str
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    choices_from: str = ""  # one of CHOICE_SOURCES: the choices come from the case (FormSpec.with_choices)
    default: str = ""  # one of DEFAULTS, or none
    multiple: bool = False  # file fields: several files
    capture: bool = False  # file fields: a photo taken with the phone's camera
    accept: tuple[str, ...] = DEFAULT_ACCEPT  # file fields: the kinds of file (ACCEPT_KINDS) it takes
    when: str = ""  # a boolean field of the form: this one applies only when that one is true

    def to_dict(self) -> dict:
        found = {"name": self.name, "type": self.type, "label": self.label, "required": self.required,
                 "choices": list(self.choices)}
        if self.type == "file":
            found.update(multiple=self.multiple, capture=self.capture, accept=list(self.accept))
        extra = {key: value for key, value in (("choices_from", self.choices_from), ("default", self.default),
                                               ("when", self.when)) if value}
        return {**found, **extra}

    def accepts(self, media_type: str) -> bool:
        """Whether a file of this media type (as the store detected it) fits this file field."""
        return any(media_type.startswith(ACCEPT_KINDS[kind]) for kind in self.accept)


@dataclass(frozen=True)
class FormSpec:
    fields: tuple[FormField, ...]

    def to_dict(self) -> dict:
        return {"fields": [f.to_dict() for f in self.fields]}

    def defaults(self, today: date) -> dict[str, str]:
        """What the fields with a `default` start from: today's date (the caller's clock, in Asia/Shanghai)
        for a step that records the day it is done, also when an earlier round left another date."""
        return {f.name: today.isoformat() for f in self.fields if f.default == "today"}

    @property
    def choice_sources(self) -> set[str]:
        return {f.choices_from for f in self.fields if f.choices_from}

    def with_choices(self, found: Mapping[str, tuple[str, ...] | None]) -> FormSpec:
        """The form with each `choices_from` field's choices as `found` for this case; a source with nothing
        for it (None) leaves the field to be typed as text."""
        def resolved(field: FormField) -> FormField:
            choices = found.get(field.choices_from) if field.choices_from else None
            if not field.choices_from:
                return field
            return replace(field, type="text", choices_from="") if choices is None else replace(field, choices=choices)

        return FormSpec(tuple(resolved(f) for f in self.fields))

    def clean(self, data: dict) -> dict:
        """Check `data` against the form; return it with values in their task-data form."""
        known = {f.name: f for f in self.fields}
        problems = {name: FieldProblem("unknown_field", "this form has no such field (the form may have changed; "
                                                        "reload it)") for name in data if name not in known}
        cleaned: dict[str, Any] = {}
        for field_def in self.fields:
            value = data.get(field_def.name)
            if _is_empty(value):
                if field_def.required:
                    problems[field_def.name] = FieldProblem("required", f"「{field_def.label}」is required")
                elif field_def.name in data:
                    cleaned[field_def.name] = [] if field_def.type in ("multichoice", "file") else None
                continue
            try:
                cleaned[field_def.name] = _convert(field_def, value)
            except FieldProblem as problem:
                problems[field_def.name] = FieldProblem(problem.code, f"「{field_def.label}」: {problem}",
                                                        **problem.params)
        for field_def in self.fields:
            if field_def.when and cleaned.get(field_def.name) not in (None, []) \
                    and cleaned.get(field_def.when, data.get(field_def.when)) is not True:
                flag = known[field_def.when].label if field_def.when in known else field_def.when
                problems[field_def.name] = FieldProblem("only_when", f"「{field_def.label}」only goes with "
                                                                     f"「{flag}」: 是", flag=flag)
        if problems:
            raise FormInvalid(problems)
        return cleaned


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _shown(value: Any) -> str:
    """A submitted value as a message may quote it: text, cut short."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _convert(field_def: FormField, value: Any) -> Any:
    kind = field_def.type
    if kind in ("string", "text"):
        if not isinstance(value, str):
            raise FieldProblem("not_text", "expected text")
        limit = 500 if kind == "string" else MAX_TEXT
        if len(value) > limit:
            raise FieldProblem("too_long", f"at most {limit} characters", limit=limit)
        return value.strip() if kind == "string" else value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().lstrip("-").isdigit():
            raise FieldProblem("not_integer", f"not a whole number: {value!r}", value=_shown(value))
        return int(value)
    if kind == "number":
        if isinstance(value, bool):
            raise FieldProblem("not_number", "not a number", value=_shown(value))
        try:
            number = float(value) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            raise FieldProblem("not_number", f"not a number: {value!r}", value=_shown(value)) from None
        if not math.isfinite(number):  # "nan", "inf", "1e999": no JSON number, and PostgreSQL's json refuses them
            raise FieldProblem("not_number", f"not a finite number: {value!r}", value=_shown(value))
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FieldProblem("not_boolean", f"not yes or no: {value!r}", value=_shown(value))
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise FieldProblem("not_date", f"not a date (YYYY-MM-DD): {value!r}", value=_shown(value)) from None
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise FieldProblem("not_datetime", f"not a date and time: {value!r}", value=_shown(value)) from None
        if moment.tzinfo is None:
            raise FieldProblem("needs_offset", "a date and time needs its UTC offset, e.g. +08:00")
        return moment.isoformat()
    if kind == "choice":
        if value not in field_def.choices:
            raise FieldProblem("not_a_choice", f"choose one of {'、'.join(field_def.choices)}",
                               choices="、".join(field_def.choices))
        return value
    if kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        unknown = [v for v in values if v not in field_def.choices]
        if unknown:
            raise FieldProblem("not_among_choices", f"not among the choices: {'、'.join(map(str, unknown))}",
                               values="、".join(map(_shown, unknown)))
        return values
    if kind == "file":
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, dict) and set(v) == set(ATTACHMENT_KEYS) for v in values):
            raise FieldProblem("not_attachments", "expected attachments, each {id, name, type, size, sha256}")
        if len(values) > 1 and not field_def.multiple:
            raise FieldProblem("one_file", "one file only")
        refused = [v["name"] for v in values if not field_def.accepts(str(v["type"]))]
        if refused:
            raise FieldProblem("file_kind", f"not a file this field takes: {'、'.join(map(_shown, refused))}",
                               file="、".join(map(_shown, refused)))
        return values
    # Definitions are checked at deploy; kept for safety.
    raise FieldProblem("unknown_type", f"unknown field type {kind}")


def _form_elements(root: etree._Element):
    for form in root.iter(f"{{{INSPECTFLOW_NS}}}form"):
        task = form.getparent().getparent() if form.getparent() is not None else None
        yield form, task


def form_problems(root: etree._Element) -> list[DiagramError]:
    problems: list[DiagramError] = []
    for form, task in _form_elements(root):
        owner_id = task.get("id") if task is not None else None
        if task is None or etree.QName(task).localname not in ("userTask", "manualTask"):
            problems.append(DiagramError("an inspectflow:form belongs in a user task's extensionElements",
                                         element_id=owner_id, line=form.sourceline, code="form_misplaced"))
            continue
        seen: set[str] = set()
        flags = {(e.get("name") or "").strip() for e in form.iter(f"{{{INSPECTFLOW_NS}}}field")
                 if (e.get("type") or "").strip() == "boolean"}
        for field_element in form.iter(f"{{{INSPECTFLOW_NS}}}field"):
            found = _field_problem(field_element, seen, flags)
            if found:
                problems.append(DiagramError(f"form of '{owner_id}': {found}", element_id=owner_id,
                                             line=field_element.sourceline, code=found.code, params=found.params))
    return problems


def _field_problem(element: etree._Element, seen: set[str], flags: set[str]) -> FieldProblem | None:
    name = (element.get("name") or "").strip()
    kind = (element.get("type") or "string").strip()
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        return FieldProblem("form_field_name", f"field name '{name}' must be a variable name (letters, digits, _; "
                                               "not starting with _)", field=name)
    if name in seen:
        return FieldProblem("form_field_twice", f"field '{name}' appears twice", field=name)
    seen.add(name)
    if kind not in FIELD_TYPES:
        return FieldProblem("form_field_type", f"field '{name}' has unknown type '{kind}' (one of "
                                               f"{', '.join(FIELD_TYPES)})", field=name, type=kind)
    source = (element.get("choices_from") or "").strip()
    if source and (kind not in ("choice", "multichoice") or source not in CHOICE_SOURCES):
        return FieldProblem("form_field_choices_from", f"field '{name}': choices_from is for choice and multichoice "
                                                       f"fields, one of {', '.join(CHOICE_SOURCES)}",
                            field=name, source=source)
    if kind in ("choice", "multichoice") and not _choices(element) and not source:
        return FieldProblem("form_field_choices", f"field '{name}' of type {kind} needs choices=\"a|b|c\"",
                            field=name)
    for flag in ("multiple", "capture"):
        if element.get(flag) is not None and (kind != "file" or element.get(flag).strip() not in ("true", "false")):
            return FieldProblem("form_field_flag", f"field '{name}': {flag} is true or false, on file fields",
                                field=name, flag=flag)
    accept = element.get("accept")
    if accept is not None and (kind != "file" or not _kinds(accept) or not set(_kinds(accept)) <= set(ACCEPT_KINDS)):
        return FieldProblem("form_field_accept", f"field '{name}': accept is for file fields, some of "
                                                 f"{', '.join(ACCEPT_KINDS)} (e.g. accept=\"audio,video\")",
                            field=name, accept=accept)
    when = (element.get("when") or "").strip()
    if when and (when not in flags or when == name):
        return FieldProblem("form_field_when", f"field '{name}': when names a yes/no (boolean) field of the same "
                                               "form", field=name, when=when)
    default = (element.get("default") or "").strip()
    if default and (kind != "date" or default not in DEFAULTS):
        return FieldProblem("form_field_default", f"field '{name}': default=\"today\" is for date fields",
                            field=name, default=default)
    if (element.get("required") or "false").strip().lower() not in ("true", "false"):
        return FieldProblem("form_field_required", f"field '{name}': required must be true or false", field=name)
    return None


def _kinds(text: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (text or "").split(",") if k.strip())


def _choices(element: etree._Element) -> tuple[str, ...]:
    return tuple(c.strip() for c in (element.get("choices") or "").split("|") if c.strip())


def parse_forms(root: etree._Element) -> dict[str, FormSpec]:
    """{user task element id: its form} for every form in the diagram (definitions already checked)."""
    forms = {}
    for form, task in _form_elements(root):
        if task is None or not task.get("id"):
            continue
        forms[task.get("id")] = FormSpec(tuple(
            FormField(
                name=element.get("name").strip(),
                type=(element.get("type") or "string").strip(),
                label=(element.get("label") or element.get("name")).strip(),
                required=(element.get("required") or "false").strip().lower() == "true",
                choices=_choices(element),
                choices_from=(element.get("choices_from") or "").strip(),
                default=(element.get("default") or "").strip(),
                multiple=(element.get("multiple") or "").strip() == "true",
                capture=(element.get("capture") or "").strip() == "true",
                accept=_kinds(element.get("accept")) or DEFAULT_ACCEPT,
                when=(element.get("when") or "").strip(),
            )
            for element in form.iter(f"{{{INSPECTFLOW_NS}}}field")
        ))
    return forms
