"""engine.bpmn.limits and the guards built on it: one C-level operation cannot outlast a script's limit.

Refusals are asserted with a time limit far beyond what the operations would take on a fast machine, so a
`ScriptRefused` shows the guard measured the cost and refused before anything ran (a timeout could not
have fired). Where only the clock can stop a script, a counting helper shows how many calls happened.
"""

from __future__ import annotations

import re

import pytest

from engine.bpmn import limits
from engine.bpmn.errors import ScriptRefused, ScriptTimeout
from engine.bpmn.guards import ATTRIBUTE_TYPES, BUILTINS, guarded_getattr
from engine.bpmn.safe_builtins import EXCEPTION_CLASSES
from engine.bpmn.scripting import RestrictedEnvironment

LONG_TEXTS = "s = 'x' * 10**6\nt = 'x' * (10**6 - 1) + 'y'\n"
# A tuple, a list and a class tuple holding their predecessor twice: tiny in memory, 2**60 leaves unfolded.
DOUBLED_TUPLE = "d = (1,)\nfor i in range(60):\n    d = (d, d)\n"
DOUBLED_LIST = "l = [1]\nfor i in range(60):\n    l = [l, l]\n"


@pytest.fixture
def patient() -> RestrictedEnvironment:
    """An environment whose time limit no refused operation could reach."""
    return RestrictedEnvironment({}, time_limit_s=120)


ISSUE_PAYLOADS = [
    "x = len(sum([[1]] * 100000, []))",
    LONG_TEXTS + "x = ([s] * 10**6).count(t)",
]

RELATIVES = [
    # Those on long texts and integers are scaled so that they finish within seconds when nothing bounds
    # them; those on doubled structures (2**60 leaves) would never finish.
    "x = len(sum([[1]] * 20000, []))",
    "x = sum([(1,)] * 20000, ())",
    LONG_TEXTS + "x = ([s] * 300).count(t)",
    LONG_TEXTS + "x = ([s] * 300).index(t)",
    LONG_TEXTS + "x = t in [s] * 300",
    LONG_TEXTS + "x = t not in ([s] * 300)",
    LONG_TEXTS + "x = [s] * 300 == [t] * 300",
    LONG_TEXTS + "x = ([s] * 300).remove(t)",
    LONG_TEXTS + "x = sorted([s, t] * 200)",
    LONG_TEXTS + "x = max([s, t] * 200)",
    LONG_TEXTS + "x = min([s] * 300, key=lambda v: v)",
    LONG_TEXTS + "x = sorted(range(300), key=lambda i: [s])",
    LONG_TEXTS + "x = s.startswith((t,) * 300)",
    LONG_TEXTS + "x = [t] * 300\nx.sort()",
    "x = ('a' * 10**6).strip('b' * 10**4 + 'a')",
    DOUBLED_TUPLE + "x = {d}",
    DOUBLED_TUPLE + "x = {d: 1}",
    DOUBLED_TUPLE + "x = {}\nx[d] = 1",
    DOUBLED_TUPLE + "x = d in {1}",
    DOUBLED_TUPLE + "x = {}.get(d)",
    DOUBLED_TUPLE + "x = set([d])",
    DOUBLED_TUPLE + "x = {*[d]}",
    DOUBLED_TUPLE + "x = {v for v in [d]}",
    DOUBLED_TUPLE + "x = {v: 1 for v in [d]}",
    DOUBLED_TUPLE + "x = dict([(d, 1)])",
    DOUBLED_TUPLE + "x = {}.fromkeys([d])",
    DOUBLED_TUPLE + "x = set()\nx.add(d)",
    DOUBLED_TUPLE + "x = {1: 2}.keys() & [d]",
    DOUBLED_TUPLE + "e = (1,)\nfor i in range(60):\n    e = (e, e)\nx = d == e",
    DOUBLED_TUPLE + "e = (1,)\nfor i in range(60):\n    e = (e, e)\nx = 0 < d < e",
    DOUBLED_LIST + "x = list(map(str, [l]))",
    DOUBLED_LIST + "x = sorted([l, l])",
    "c = (int,)\nfor i in range(60):\n    c = (c, c)\nx = isinstance('a', c)",
    "x = int('1' * 10**6, 2)",
    "x = round(5, -10**8)",
    "x = (0).from_bytes(('x' * 10**6).encode(), 'big')",
    "b = 2 ** 99999\nx = sum([b] * 10**6)",
    "x = ('\u4e00' * 10**5).encode('punycode')",
    "x = str(('\u4e00' * 10**5).encode(), 'punycode')",
    "x = {*[1] * 10**6, *[2] * 10**6}",
]


@pytest.mark.parametrize("script", ISSUE_PAYLOADS + RELATIVES)
def test_costly_operations_are_refused_before_they_run(patient, script):
    with pytest.raises(ScriptRefused, match="limit|not available"):
        patient.execute(script, {})


def test_a_refusal_says_what_was_too_costly(patient):
    with pytest.raises(ScriptRefused) as refused:
        patient.execute(ISSUE_PAYLOADS[0], {})
    assert refused.value.reason == (
        "sum() of sequences would take more than 1,000,000 steps (the limit for one operation); "
        "the values are too large"
    )


@pytest.mark.parametrize(
    "script",
    [
        "x = all(map(tick, range(1, 10**5)))",
        "x = [0] * 10**5\ny = list(map(tick, x))",
        "x = sorted(range(10**5), key=tick)",
        "x = set(filter(tick, range(10**5)))",
        "x = any(v == 0 for v in map(tick, range(1, 10**5)))",
    ],
)
def test_a_c_loop_calling_back_into_guarded_code_stops_at_the_deadline(script):
    calls = []

    def tick(value):
        calls.append(value)
        sum(range(2000))  # about ten microseconds of trusted work: 10**5 calls take a second or more
        return value

    env = RestrictedEnvironment({"tick": tick}, time_limit_s=0.05)
    with pytest.raises(ScriptTimeout):
        env.execute(script, {})
    assert len(calls) < 10**5 // 4


GUARD_MODULES = {"engine.bpmn.limits", "engine.bpmn.safe_builtins", "engine.bpmn.safe_methods"}


def test_every_builtin_diagram_code_can_call_is_a_guard():
    for name, value in BUILTINS.items():
        if callable(value) and value not in EXCEPTION_CLASSES:
            assert value.__module__ in GUARD_MODULES, name


SAMPLES = {str: "abc", int: 7, float: 1.5, complex: 1j, list: [1], tuple: (1,), dict: {"a": 1}, set: {1},
           frozenset: frozenset({1})}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_method_diagram_code_can_call_is_a_guard(kind):
    value = SAMPLES[kind]
    assert isinstance(value, ATTRIBUTE_TYPES)
    for name in dir(value):
        if name.startswith("_") or name in ("format", "format_map", "mro"):
            continue
        got = guarded_getattr(value, name)
        if callable(getattr(value, name)):
            assert got.__module__ in GUARD_MODULES, f"{kind.__name__}.{name}"


def test_the_cost_walk_counts_shared_parts_each_time_and_stops_at_its_limit():
    text = "x" * 6400
    assert limits.tree_size([text] * 1000) == 16 + 1000 + 1000 * 100
    nested = (1,)
    for _ in range(60):
        nested = (nested, nested)
    assert limits.MAX_OPERATION_STEPS < limits.tree_size(nested) < 2 * limits.MAX_OPERATION_STEPS
    loop: list = []
    loop.append(loop)
    assert limits.tree_size(loop) > limits.MAX_OPERATION_STEPS


@pytest.mark.parametrize(
    "script, expected",
    [
        ("x = sorted(items, key=lambda v: -v)", [3, 2, 1]),
        ("x = sorted(items, reverse=True)", [3, 2, 1]),
        ("x = max(items, key=lambda v: -v)", 1),
        ("x = min(3, 1, 2)", 1),
        ("x = max([], default=0)", 0),
        ("x = sum(items) + sum([[1], [2]], [])[1]", 8),
        ("x = 2 in items and 'a' in {'a': 1} and (1, 2) in {(1, 2)} and 'b' in 'abc'", True),
        ("x = sorted({1, 2} - {2} | {3})", [1, 3]),
        ("x = 7 - 2 & 6 ^ 1", 5),
        ("d = {}\nd[(1, 2)] = 'p'\nx = d[(1, 2)] + d.get((1, 2)) + str(len({**d, 'q': 1}))\ndel d", "pp2"),
        ("x = [*items, *range(2)] + list({*items})", [1, 3, 2, 0, 1, 1, 2, 3]),
        ("x = isinstance('a', (int, str)) and isinstance(1, int) and not isinstance(1, (str, list))", True),
        ("x = list(zip(items, map(str, items), enumerate(reversed(items))))[0]", (1, "1", (0, 2))),
        ("x = items.copy()\nx.sort()\nx = x + [items.index(3), items.count(2)]", [1, 2, 3, 1, 1]),
        ("x = 'a,b'.split(',') + [' x '.strip(), 'ab'.startswith(('a', 'c'))]", ["a", "b", "x", True]),
        ("x = int('ff', 16) + round(2.567, 2)", 257.57),
        ("x = 1 < 2 <= 2 != 3", True),
    ],
)
def test_ordinary_code_still_works(patient, script, expected):
    data = {"items": [1, 3, 2]}
    patient.execute(script, data)
    assert data["x"] == expected


def test_memory_growth_of_one_script_is_capped():
    env = RestrictedEnvironment({}, time_limit_s=120, memory_limit_mb=64)
    with pytest.raises(ScriptRefused, match="more than 64 MB"):
        env.execute("x = []\nfor i in range(200):\n    x.append([i] * 10**6)", {})


@pytest.mark.parametrize(
    "script, problem",
    [
        ("s = 'x' * 10**6\nx = [s] * 10**6", "more than 2,000,000 characters"),
        (DOUBLED_LIST, "more than 2,000,000 characters"),
        ("x = [{1, 2}]", "'x[0]' is a set"),
        ("x = {'f': lambda: 1}", "'x.f' is a function"),
        ("x = [(v for v in [1])]", "'x[0]' is a generator"),
        ("x = {(1, 2): 'a'}", "has a key that is a tuple"),
        ("x = [2 ** 100]", "'x[0]' is an integer beyond 64 bits"),
        ("x = float('nan')", "'x' is not a finite number"),
        ("x = []\nfor i in range(200):\n    x = [x]", "nested deeper than 100 levels"),
    ],
)
def test_a_script_must_leave_task_data_that_can_be_saved(patient, script, problem):
    with pytest.raises(ScriptRefused, match="the script left task data that cannot be saved: .*" + re.escape(problem)):
        patient.execute(script, {})


def test_an_error_carrying_a_huge_value_is_reported_in_a_few_words(patient):
    with pytest.raises(KeyError) as raised:
        patient.execute("key = ('x' * 10**6, 'y')\nx = {}[key]", {})
    assert str(raised.value) == repr("(the error's value is too large to show)")
