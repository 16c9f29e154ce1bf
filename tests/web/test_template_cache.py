"""Templates compiled once per process for every app built in it (web.template_cache), and compiled anew when
their source changes."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from web.template_cache import ProcessBytecodeCache


def counting_environment(cache: ProcessBytecodeCache, sources: dict[str, str]) -> tuple[Environment, list[str]]:
    compiled: list[str] = []

    class Counting(Environment):
        def _compile(self, source, filename):  # type: ignore[no-untyped-def]
            compiled.append(filename)
            return super()._compile(source, filename)

    return Counting(loader=DictLoader(sources), bytecode_cache=cache), compiled


def test_a_second_environment_reuses_what_the_first_compiled():
    cache, sources = ProcessBytecodeCache(), {"page.html": "你好 {{ name }}"}
    first, first_compiled = counting_environment(cache, sources)
    second, second_compiled = counting_environment(cache, sources)
    assert first.get_template("page.html").render(name="甲") == "你好 甲"
    assert second.get_template("page.html").render(name="乙") == "你好 乙"
    assert (len(first_compiled), second_compiled) == (1, [])


def test_an_edited_template_is_compiled_again():
    cache = ProcessBytecodeCache()
    before, _ = counting_environment(cache, {"page.html": "旧 {{ name }}"})
    assert before.get_template("page.html").render(name="x") == "旧 x"
    after, compiled = counting_environment(cache, {"page.html": "新 {{ name }}"})
    assert after.get_template("page.html").render(name="x") == "新 x" and len(compiled) == 1


def test_every_app_shares_the_process_cache(app):
    from web.template_cache import COMPILED_TEMPLATES

    assert app.jinja_env.bytecode_cache is COMPILED_TEMPLATES
