"""The printable documents' templates (执法文书, issue 12 item 6), after the Ministry of Justice's
行政检查文书基本格式文本(试行) (2025): placeholder text shipped in engine/data/documents/, each replaceable by an
administrator's version (engine.models.DocumentTemplate).

The national set's seven templates along 审批—通知—实施—记录—反馈, by name here:
  审批 approval 行政检查审批表 · 通知 notice 行政检查通知书 · 实施 onsite 现场检查笔录 ·
  记录, the special ones: sampling 抽样记录, survey 勘验笔录, inquiry 询问笔录 · 反馈 result 行政检查结果告知书.
Two more follow from our procedures: rectification 责令整改通知书 (a penalty's 整改, R25) and complaint_reply
投诉举报答复书 (R26). The records are forms filled in on site: the case's facts are printed, what is written by hand
is a ruled blank.

Markup, one line each (engine.platform.pdf draws it): `# 标题` a title line (the document's title; an agency
name above it is a title line too), `## 小标题` a section, `左 || 右` one line with the right part flush right
(文号 and 行政行为码), `|| 右` a flush-right line (signature, seal and date), a line ending in `___` a blank ruled
to the right margin, anything else a paragraph. `{{ name }}` puts in a field (engine.domain.paper_fields;
lists come as ready lines; `fields_of` names those a document may use). Nothing else runs: a template is text
an administrator types, so it gets placeholders, not a language (no loops, no attribute access, nothing to
escape from). A new version is accepted only when every placeholder names a field the document has and it
still carries the parts every document of the national set carries (REQUIRED)."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from engine.models import DocumentTemplate

# name → title, in the order of the national set's 审批—通知—实施—记录—反馈, then the 整改 notice and the reply.
DOCUMENTS = {
    "approval": "行政检查审批表",
    "notice": "行政检查通知书",
    "onsite": "现场检查笔录",
    "sampling": "抽样记录",
    "survey": "勘验笔录",
    "inquiry": "询问笔录",
    "result": "行政检查结果告知书",
    "rectification": "责令整改通知书",
    "complaint_reply": "投诉举报答复书",
}
INSPECTION_DOCUMENTS = ("approval", "notice", "onsite", "sampling", "survey", "inquiry", "result", "rectification")
COMPLAINT_DOCUMENTS = ("complaint_reply",)
# What every document must keep: the enterprise's rights (回避申请, remedies) and the 五个严禁 notice.
REQUIRED = {"rights_text": "当事人权利告知（回避申请、救济途径）", "prohibitions_text": "五个严禁"}
BODY_LIMIT = 20_000

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


class TemplateProblem(ValueError):
    """A template that cannot be used: the message names the problem (line, name or missing part)."""


def shipped(name: str) -> str:
    _known(name)
    return (resources.files("engine") / "data" / "documents" / f"{name}.txt").read_text(encoding="utf-8")


def current(session: Session, name: str) -> tuple[str, DocumentTemplate | None]:
    """The template in force: the administrator's version when there is one, else the shipped text."""
    _known(name)
    override = session.get(DocumentTemplate, name)
    return (override.body if override is not None else shipped(name)), override


def render(body: str, fields: dict[str, Any]) -> str:
    """The template with each `{{ name }}` replaced by its field (a dotted path into `fields`)."""
    lines = []
    for number, line in enumerate(body.splitlines(), start=1):
        def field(match: re.Match, number: int = number) -> str:
            value = _lookup(fields, match.group(1))
            if value is None:
                raise TemplateProblem(f"第 {number} 行：没有字段「{match.group(1)}」")
            return str(value)
        text = PLACEHOLDER.sub(field, line)
        if "{{" in text or "}}" in text:
            raise TemplateProblem(f"第 {number} 行：花括号不成对或占位符写法有误（应为两对花括号括起字段名）")
        lines.append(text)
    return "\n".join(lines)


def _lookup(fields: dict[str, Any], path: str) -> Any:
    value: Any = fields
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return None if isinstance(value, dict | list) else value


def fields_of(name: str, sample: dict[str, Any]) -> list[str]:
    """The placeholders the document `name` may use, as dotted names (the complaint's only in its reply)."""
    return sorted(_scalars(document_sample(name, sample)))


def document_sample(name: str, sample: dict[str, Any]) -> dict[str, Any]:
    """The sample case as the document `name` sees it: an inspection's documents have no complaint."""
    _known(name)
    return sample if name in COMPLAINT_DOCUMENTS else {k: v for k, v in sample.items() if k != "complaint"}


def _scalars(fields: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in fields.items():
        if isinstance(value, dict):
            found += _scalars(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            found.append(prefix + key)
    return found


def check(name: str, body: str, sample: dict[str, Any]) -> str:
    """The sample document the template makes, or TemplateProblem naming what is wrong with it."""
    _known(name)
    if not body.strip():
        raise TemplateProblem("模板为空")
    if len(body) > BODY_LIMIT:
        raise TemplateProblem(f"模板超过 {BODY_LIMIT} 字")
    text = render(body, document_sample(name, sample))
    if not any(line.startswith("# ") for line in text.splitlines()):
        raise TemplateProblem("缺少以「# 」开头的文书标题行")
    for variable, part in REQUIRED.items():
        if variable not in body:
            raise TemplateProblem(f"缺少{part}（字段 {variable}）：国家文书格式要求每份文书载明")
    return text


def _known(name: str) -> None:
    if name not in DOCUMENTS:
        raise LookupError(f"no document template {name!r}")
