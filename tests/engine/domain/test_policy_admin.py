"""Finding the jurisdiction whose policy is meant: by code or name, the only one when none is named, and an
error — never another jurisdiction — when the named one does not exist."""

from __future__ import annotations

import pytest

from engine.domain.policy_admin import resolve_jurisdiction
from tests.factories import make_jurisdiction


def test_a_jurisdiction_is_found_by_code_or_by_name(session):
    county = make_jurisdiction(session, code="331125", name="云和县")
    assert resolve_jurisdiction(session, "331125") is county
    assert resolve_jurisdiction(session, "云和县") is county


def test_with_none_named_the_only_jurisdiction_is_meant(session):
    county = make_jurisdiction(session, code="331125", name="云和县")
    assert resolve_jurisdiction(session, None) is county
    assert resolve_jurisdiction(session, "") is county


def test_a_named_jurisdiction_that_does_not_exist_is_an_error_even_when_only_one_exists(session):
    make_jurisdiction(session, code="331125", name="云和县")
    with pytest.raises(LookupError, match="no jurisdiction '开封市'"):
        resolve_jurisdiction(session, "开封市")


def test_with_several_and_none_named_the_caller_must_choose(session):
    make_jurisdiction(session, code="331125", name="云和县")
    make_jurisdiction(session, code="410200", name="开封市")
    with pytest.raises(LookupError, match="name the jurisdiction"):
        resolve_jurisdiction(session, None)
