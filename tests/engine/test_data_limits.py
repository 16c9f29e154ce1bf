"""Task data the databases can store (engine.runtime.data_limits) and finite numbers from forms: refused naming
the field, whichever adapter (API, CLI, page) hands the data to the engine."""

from __future__ import annotations

import pytest

from engine.bpmn.forms import FieldProblem, FormField, FormInvalid, FormSpec
from engine.runtime import InvalidTaskData
from engine.runtime.data_limits import MAX_DEPTH, check_data, data_problem, storable_problem


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("data, where, problem", [
    ({"x": float("nan")}, "data.x", "not a finite number"),
    ({"x": [1, {"y": float("-inf")}]}, "data.x[1].y", "not a finite number"),
    ({"x": "a\x00b"}, "data.x", "NUL"),
    ({"x": "\udc80"}, "data.x", "unpaired surrogate"),
    ({"x\x00": 1}, "data", "has a key that contains a NUL"),
    ({"x": 2**64}, "data.x", "beyond 64 bits"),
    ({"x": nested(MAX_DEPTH)}, "data.x" + "[0]" * (MAX_DEPTH - 1), f"deeper than {MAX_DEPTH}"),
    ({"agency": "A" * 121}, "data.agency", "longer than 120"),
    ({"complaint_id": 2**31}, "data.complaint_id", "not a record id"),
    ({"inspection_id": -1}, "data.inspection_id", "not a record id"),
])
def test_unstorable_data_is_named_by_its_path(data, where, problem):
    found = data_problem(data)
    assert found is not None and found[0] == where and problem in found[1]
    with pytest.raises(InvalidTaskData) as refused:
        check_data(data)
    assert refused.value.code == "invalid_task_data" and list(refused.value.details["fields"]) == [
        where.removeprefix("data.").split(".")[0].split("[")[0]]


def test_ordinary_data_passes_and_a_deep_document_does_not_exhaust_the_stack():
    assert data_problem({"agency": "A" * 120, "inspection_id": 2**31 - 1, "items": [{"a": [1.5, "行\n"]}],
                         "flag": True, "none": None}) is None
    assert storable_problem(nested(200_000), root="body")[1] == f"is nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e999"])
def test_a_number_field_refuses_what_is_not_a_finite_number(typed):
    form = FormSpec((FormField("amount", "number", "金额"),))
    with pytest.raises(FormInvalid) as refused:
        form.clean({"amount": typed})
    problem = refused.value.problems["amount"]
    assert isinstance(problem, FieldProblem) and problem.code == "not_number"
    assert form.clean({"amount": "12.5"}) == {"amount": 12.5}
