"""engine.bpmn.scripting: what diagram code can and cannot do at run time, and how long it may run."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from engine.bpmn.errors import ScriptRefused, ScriptTimeout
from engine.bpmn.scripting import RestrictedEnvironment, RestrictedScriptEngine, is_iso_literal


def fake_working_days_after(day, n):
    return f"{day}+{n}wd"


def fake_is_working_day(day):
    return day != "2026-10-01"


HELPERS = {"working_days_after": fake_working_days_after, "is_working_day": fake_is_working_day}


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment(HELPERS, time_limit_s=0.2)


# --- data flows like SpiffWorkflow's TaskDataEnvironment ---------------------------------------------

def test_expressions_see_task_data_helpers_and_allowed_builtins(env):
    data = {"score": 5, "items": [3, 1, 2], "day": "2026-10-01"}
    assert env.evaluate("score > 3 and len(items) == 3", data) is True
    assert env.evaluate("sorted(items)[0] + max(items)", data) == 4
    assert env.evaluate("working_days_after(day, 1)", data) == "2026-10-01+1wd"
    assert env.evaluate("not is_working_day(day)", data) is True
    assert env.evaluate("{k: v for k, v in zip('ab', items)}", data) == {"a": 3, "b": 1}
    assert env.evaluate("f'{score:>3}|{day[:4]}'", data) == "  5|2026"
    assert env.evaluate("isinstance(day, str) and str(score) == '5' and '%s-%d' % (day, score)", data) == "2026-10-01-5"
    assert data == {"score": 5, "items": [3, 1, 2], "day": "2026-10-01"}


def test_scripts_assign_into_task_data_and_leave_no_functions_behind(env):
    data = {"score": 5, "items": [], "form": {"a": 1}}
    env.execute(
        "approved = score > 3\n"
        "items.append('x')\n"
        "form['b'] = 2\n"
        "total = 0\n"
        "for i, v in enumerate([10, 20]):\n"
        "    total += i * v\n"
        "def double(x):\n"
        "    return 2 * x\n"
        "doubled = double(total)\n"
        "due = working_days_after('2026-10-08', 3)\n"
        "first, *rest = [1, 2, 3]\n",
        data,
    )
    assert data == {
        "score": 5, "items": ["x"], "form": {"a": 1, "b": 2}, "approved": True, "total": 20, "i": 1,
        "v": 20, "doubled": 40, "due": "2026-10-08+3wd", "first": 1, "rest": [2, 3],
    }


def test_external_context_is_visible_but_not_kept(env):
    data = {"a": 1}
    assert env.evaluate("a + b", data, external_context={"b": 2}) == 3
    env.execute("c = a + b", data, external_context={"b": 2})
    assert data == {"a": 1, "c": 3}


def test_task_data_shadowing_a_helper_is_refused_like_spiffworkflow_does(env):
    with pytest.raises(ValueError, match="working_days_after"):
        env.execute("x = 1", {"working_days_after": "oops"})


def test_task_data_cannot_replace_guards_in_expressions(env):
    assert env.evaluate("len(a)", {"a": [1], "_getattr_": "x", "__builtins__": {}}) == 1


# --- escapes, at run time (a workflow restored from storage goes through the same path) -----------------

ESCAPES = [
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "[].__class__.__mro__",
    "getattr(items, '__class__')",
    "(g := getattr)(items, 'append')",
    "{'g': getattr}['g']",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "globals()",
    "vars()",
    "locals()",
    "dir()",
    "type(items)",
    "object()",
    "compile('1', 'f', 'eval')",
    "(lambda: 0).__globals__",
    "(lambda: 0).func_globals",
    "'{0.__class__}'.format(1)",
    "'{0.__class__}'.format_map({})",
    "str.format('{0.__class__}', 1)",
    "(x for x in []).gi_frame",
    "(x for x in []).gi_frame.f_back.f_globals",
    "(x for x in []).gi_code",
    "items.mro()",
    "items.append.__self__",
    "[*vars()]",
    "{**globals()}",
    "print(1)",
    "breakpoint()",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escape_expressions_are_refused(env, expression):
    with pytest.raises(ScriptRefused):
        env.evaluate(expression, {"items": [1]})


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "from os import system",
        "import builtins as b",
        "try:\n    x = 1\nexcept:\n    pass",
        "with x:\n    pass",
        "class A:\n    pass",
        "e = (x for x in [])\nf = e.gi_frame",
        "items.__class__ = dict",
    ],
)
def test_escape_scripts_are_refused(env, script):
    with pytest.raises(ScriptRefused):
        env.execute(script, {"items": [1]})


@pytest.mark.parametrize(
    "expression, data",
    [
        ("is_working_day.anything", {}),  # functions expose no attributes at all
        ("(x for x in []).send", {}),  # nor do generators
        ("str.join(',', items)", {"items": ["a"]}),  # nor do classes
        ("range(3).start", {}),
    ],
)
def test_attributes_of_anything_but_plain_data_are_refused(env, expression, data):
    with pytest.raises(ScriptRefused, match="not available"):
        env.evaluate(expression, data)


def test_builtin_names_missing_from_the_allow_list_are_simply_undefined(env):
    # `type` is not refused as a name (a task field may be called type), but there is no such builtin.
    assert env.evaluate("type", {"type": "urgent"}) == "urgent"
    with pytest.raises(NameError):
        env.evaluate("[type][0](1)", {})


def test_only_dicts_and_lists_can_be_modified(env):
    with pytest.raises(ScriptRefused, match="cannot be changed"):
        env.execute("s[0] = 'x'", {"s": "abc"})


# --- resource bounds --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "script",
    [
        "while True: pass",
        "while 1:\n    x = 1",
        "x = [i for i in range(10**6) for j in range(10**6)]",
        "def f():\n    while True:\n        yield 1\ntotal = sum(f())",
        "x = sorted(range(10**6), key=lambda i: [j for j in range(10**6)])",
    ],
)
def test_runaway_scripts_are_stopped(env, script):
    started = time.monotonic()
    with pytest.raises(ScriptTimeout):
        env.execute(script, {})
    assert time.monotonic() - started < 3


def test_runaway_expression_is_stopped(env):
    with pytest.raises(ScriptTimeout):
        env.evaluate("sum(1 for i in range(10**6) for j in range(10**6))", {})


def test_timeout_works_outside_the_main_thread(env):
    outcome = []

    def run():
        try:
            env.execute("while True: pass", {})
        except ScriptTimeout as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and len(outcome) == 1


def test_previous_trace_function_is_restored(env):
    def tracer(frame, event, arg):
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        env.execute("x = 1", {})
        with pytest.raises(ScriptTimeout):
            env.execute("while True: pass", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


@pytest.mark.parametrize(
    "script",
    [
        "x = 'a' * 10**10",
        "x = [0] * 10**9",
        "x = 2 ** 10**8",
        "x = 1 << 10**9",
        "x = 'ab'\nfor i in range(40):\n    x = x + x",
        "x = 'ab'\nfor i in range(40):\n    x += x",
        "x = [0]\nfor i in range(40):\n    x.extend(x)",
        "x = [0]\nfor i in range(40):\n    x *= 2",
        "x = range(10**12)",
        "x = 'a'.ljust(10**10)",
        "x = ('a' * 1000).replace('a', 'b' * 10**4)",
        "x = ','.join(['a' * 10**5] * 100)",
        "x = '%*s' % (10**10, 'a')",
        "x = '%10000000000s' % 'a'",
        "x = ('a' * 10).translate({97: 'b' * 10**6})",
        "x = (1).to_bytes(10**10, 'big')",
        "big = ['a' * 10**5] * 10**5\nx = str(big)",
        "big = ['a' * 10**5] * 10**5\nx = f'{big}'",
        "big = ['a' * 10**5] * 10**5\nx = '%s' % (big,)",
        "loop = []\nloop.append(loop)\nx = str(loop)",
    ],
)
def test_memory_blowups_are_refused(env, script):
    with pytest.raises(ScriptRefused, match="limit|widths"):
        env.execute(script, {})


def test_computed_fstring_widths_are_refused_at_compile_time(env):
    with pytest.raises(ScriptRefused, match="format spec"):
        env.evaluate("f'{1:>{n}}'", {"n": 10**10})
    with pytest.raises(ScriptRefused, match="widths"):
        env.evaluate("f'{1:>10000000000}'", {})


# --- bare ISO 8601 literals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "literal",
    ["PT1H", "P5D", "P1Y2M3DT4H5M6S", "PT0.5S", "P2W", "R3/PT10M", "R/P1D",
     "R2/2026-10-08T09:00:00+08:00/PT1H", "2026-10-08T09:00:00+08:00", "2026-10-08T01:00:00Z", "2026-10-08"],
)
def test_bare_iso_literals_evaluate_to_their_text(env, literal):
    assert is_iso_literal(literal)
    assert env.evaluate(f"  {literal}\n", {}) == literal
    RestrictedScriptEngine().check_expression(literal)


@pytest.mark.parametrize("text", ["P1X", "PT", "P", "PT1H30", "P1.5DT1H", "2026-13-01", "R3/2026-10-08", "pt1h",
                                  "'PT1H'", "P1D + x"])
def test_other_text_is_not_an_iso_literal(text):
    assert not is_iso_literal(text)


def test_quoted_and_computed_timer_values_still_work(env):
    assert env.evaluate("'PT' + str(n) + 'H'", {"n": 4}) == "PT4H"
    assert env.evaluate("working_days_after(day, 1)", {"day": "2026-10-08"}) == "2026-10-08+1wd"


@pytest.mark.parametrize(
    "text, kind, message",
    [
        ("P1X", "timeDuration", "not a valid ISO 8601 duration"),
        ("PT1H30", "timeDuration", "not a valid ISO 8601 duration"),
        ("PT1H", "timeDate", "needs a date"),
        ("2026-10-08T09:00:00+08:00", "timeCycle", "needs a cycle"),
        ("2026-10-08T09:00:00", "timeDate", "no UTC offset"),
        ("R2/2026-10-08T09:00:00/PT1H", "timeCycle", "no UTC offset"),
        ("   ", "timeDuration", "empty"),
        ("().__class__", "timeDate", "underscore|_"),
        ("due_date(x)", "timeDate", "not a function available"),
    ],
)
def test_timer_checks(text, kind, message):
    with pytest.raises(ScriptRefused, match=message):
        RestrictedScriptEngine(HELPERS).check_timer(text, kind)


@pytest.mark.parametrize(
    "text, kind",
    [("PT1H", "timeDuration"), ("R3/PT10M", "timeCycle"), ("2026-10-08T09:00:00+08:00", "timeDate"),
     ("working_days_after(inspection_date, 1)", "timeDate"), ("deadline", "timeDate")],
)
def test_timer_checks_accept(text, kind):
    RestrictedScriptEngine(HELPERS).check_timer(text, kind)


# --- compile-time checks ------------------------------------------------------------------------------------

def test_check_methods_report_restricted_pythons_message_and_line():
    engine = RestrictedScriptEngine(HELPERS)
    with pytest.raises(ScriptRefused) as caught:
        engine.check_script("x = 1\ny = x.__dict__")
    assert caught.value.line == 2 and "line 2" in caught.value.reason and "__dict__" in caught.value.reason
    with pytest.raises(ScriptRefused) as caught:
        engine.check_script("x = 1\nif x\n  y = 2")
    assert caught.value.line == 2 and "SyntaxError" in caught.value.reason
    with pytest.raises(ScriptRefused, match="not a function available"):
        engine.check_expression("send_mail(x)")
    engine.check_script("def f(x):\n    return x\ny = f(working_days_after('2026-10-08', 1))")
    engine.check_expression("sorted(items, key=lambda i: -i)")


def test_one_engine_is_shared_without_state():
    engine = RestrictedScriptEngine(HELPERS, time_limit_s=0.5)
    results = []

    def run(n):
        data = {"n": n}
        engine.environment.execute("m = n * 2", data)
        results.append(data["m"])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 2, 4, 6, 8, 10, 12, 14]
    assert engine.helpers == HELPERS and engine.time_limit_s == 0.5


def test_lazy_results_are_refused_so_nothing_runs_outside_the_time_limit(env):
    with pytest.raises(ScriptRefused, match="not a generator"):
        env.evaluate("(x for x in items)", {"items": [1]})
    with pytest.raises(ScriptRefused, match="not a generator"):
        env.evaluate("map(abs, items)", {"items": [1]})
    data = {"items": [1]}
    with pytest.raises(ScriptRefused, match="generators or iterators in task data.*: lazy"):
        env.execute("lazy = (x for x in items)", data)


@pytest.mark.parametrize(
    "script", ["x = " + "-" * 100_000 + "1", "x = " + "+".join(["1"] * 100_000), "x = " + "[" * 300 + "]" * 300,
               "x = 1\x00"],
)
def test_pathological_source_is_refused_not_crashing(script):
    with pytest.raises(ScriptRefused):
        RestrictedScriptEngine().check_script(script)


def test_a_slow_trusted_helper_is_not_interrupted_but_the_script_stops_after_it():
    finished = []

    def slow_helper():
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass
        finished.append(True)
        return 1

    env = RestrictedEnvironment({"slow_helper": slow_helper}, time_limit_s=0.1)
    with pytest.raises(ScriptTimeout):
        env.execute("x = slow_helper()\ny = 2", {})
    assert finished == [True]
