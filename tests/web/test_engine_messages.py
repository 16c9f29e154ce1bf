"""The runtime's refusals in words (web/engine_messages.py, web/diagram_messages.py): each reason the engine
codes, in both languages, and the engine's own text for anything not worded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.runtime import ConcurrentUpdate, InvalidTaskData, PolicyRefused, StepFailed, TaskNotOpen, WorkflowError
from web.diagram_messages import DIAGRAM_PROBLEMS
from web.engine_messages import FIELD_PROBLEMS, field_errors, refusal

ENGINE_BPMN = Path(__file__).resolve().parents[2] / "engine" / "bpmn"


@pytest.fixture
def chinese(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def closed(state: str) -> TaskNotOpen:
    return TaskNotOpen("task 'X' was already ...", reason="closed", name="送达检查预告", state=state,
                       completed_by="li", completed_at="2026-09-30T02:00:00+00:00")


def test_why_a_task_cannot_be_worked(chinese):
    assert refusal(closed("completed")) == "「送达检查预告」已由 li 办理（2026-09-30 10:00）。"
    assert refusal(closed("cancelled")) == "「送达检查预告」已取消：流程已经往下走了。"
    moved_on = TaskNotOpen("...", reason="moved_on", name="现场检查")
    assert refusal(moved_on) == "「现场检查」已不在待办中：流程已经往下走了。"
    assert refusal(TaskNotOpen("...")) == "这项任务已不能办理。"
    assert refusal(ConcurrentUpdate("...", instance_id=3)) == "其他人在同一时刻处理了这个流程，您的操作未保存。"


def test_check_points_and_diagram_failures(chinese):
    refused = PolicyRefused("'制定检查计划' cannot be completed (R8): ...", name="制定检查计划",
                            refusals=[{"rule": "R8", "message": "预告不足 5 个工作日"}])
    assert refusal(refused) == "「制定检查计划」不能提交：R8：预告不足 5 个工作日"
    failed = StepFailed("the diagram failed at 'Gateway_1': name 'x' is not defined; nothing was saved")
    assert refusal(failed).startswith("流程图运行出错，未保存任何内容。") and "Gateway_1" in refusal(failed)
    assert refusal(WorkflowError("something new")) == "something new"


def test_field_problems_in_words_and_the_engines_text_for_the_rest(chinese):
    err = InvalidTaskData("...", fields={"a": "「甲」is required", "b": "「乙」: too long", "c": "reserved name"},
                          problems={"a": {"code": "required", "params": {}},
                                    "b": {"code": "too_long", "params": {"limit": 500}},
                                    "c": {"code": "something_new", "params": {}}})
    assert field_errors(err) == {"a": "必填", "b": "最多 500 个字", "c": "reserved name"}
    assert refusal(err) == "有 3 处需要修改。"


def test_in_english(english):
    assert refusal(closed("completed")) == "“送达检查预告” was completed by li (30 Sep 2026, 10:00)."
    err = InvalidTaskData("...", fields={"d": "..."}, problems={"d": {"code": "not_date", "params": {"value": "x"}}})
    assert field_errors(err) == {"d": "enter a date as YYYY-MM-DD (got: x)"}
    assert refusal(err) == "1 field needs correcting."


def test_every_problem_code_the_engine_gives_is_worded():
    """A new code in engine/bpmn without words here would show the engine's English on a Chinese page."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in ENGINE_BPMN.glob("*.py"))
    codes = set(re.findall(r'code="(\w+)"', source)) | set(re.findall(r'FieldProblem\(\s*"(\w+)"', source))
    assert codes, "the pattern no longer finds the codes"
    worded = set(FIELD_PROBLEMS) | set(DIAGRAM_PROBLEMS) | {"diagram_invalid"}  # the latter: no particular kind
    assert sorted(codes - worded) == []
