"""Jurisdiction policy documents: DOMAIN.md defaults, the Yunhe and Kaifeng presets, JSON round trips, and
refusals that name the offending field."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine.domain.policy import Policy, PolicyError, dumps, from_json, kaifeng_style, to_json, yunhe_style
from engine.models.vocabulary import ALLOWED_WINDOW_EXEMPTIONS, QUIET_PERIOD_EXEMPTIONS


def test_defaults_are_the_domain_figures():
    policy = Policy()
    assert policy.caps == {"A": 0, "B": 1, "C": 2, "D": None}  # R15, R17
    assert policy.cap_for("B") == 1 and policy.cap_for(None) == 2 and policy.cap_for("D") is None
    assert policy.alerts.triggered_reasonable_per_year == 4  # R16
    assert policy.notice.working_days == 5  # R8
    assert set(policy.notice.exemptions) == {"not_public_by_law", "unsuitable_for_prior_notice"}
    assert policy.deadlines.quiet_override_filing == 3  # R11
    assert policy.deadlines.retroactive_approval == 1  # R7
    assert (policy.alerts.multi_head_agencies, policy.alerts.multi_head_window_days,
            policy.alerts.repeat_window_days) == (3, 30, 30)  # R21
    assert policy.joint_rate_targets == {2025: 0.6, 2026: 0.7, 2027: 0.8}  # R19
    deadlines = policy.deadlines
    assert (deadlines.complaint_accept, deadlines.complaint_reply, deadlines.revisit) == (1, 15, 10)


def test_yunhe_style_blocks_the_last_third_longer_for_b_class():
    policy = yunhe_style()
    assert policy.window.mode == "blocked" and policy.window.applies_to == "all"  # R10
    assert policy.window_first_day(None) == 21 and policy.window_first_day("C") == 21
    assert policy.window_first_day("B") == 16  # R17: B-class has a longer quiet period
    assert policy.window.exemptions == tuple(QUIET_PERIOD_EXEMPTIONS) and len(policy.window.exemptions) == 9  # R12


def test_kaifeng_style_allows_routine_only_in_the_last_third():
    policy = kaifeng_style()
    assert policy.window.mode == "allowed" and policy.window.applies_to == "routine"  # R14
    assert policy.window.first_day == 21 and policy.window.last_day is None
    assert policy.window.exemptions == tuple(ALLOWED_WINDOW_EXEMPTIONS)
    assert set(policy.window.exempt_sectors) == {"public_safety", "life_health", "state_owned"}


def test_joint_rate_target_carries_the_last_year_forward():
    policy = Policy()
    assert policy.joint_rate_target(2024) is None
    assert policy.joint_rate_target(2026) == 0.7
    assert policy.joint_rate_target(2030) == 0.8


@pytest.mark.parametrize("preset", [yunhe_style, kaifeng_style, Policy])
def test_presets_round_trip_through_json(preset):
    policy = preset()
    document = to_json(policy)
    assert json.loads(json.dumps(document)) == document  # plain JSON
    assert from_json(document) == policy
    assert from_json(dumps(policy)) == policy


def test_missing_fields_take_the_defaults():
    assert from_json({}) == Policy()
    assert from_json({"window": {"mode": "allowed"}}).window == kaifeng_style().window


def test_an_edited_document_keeps_its_edits():
    document = to_json(yunhe_style())
    document["caps"]["D"] = 6
    document["window"]["first_day_by_credit_class"] = {"B": 11, "A": 1}
    document["joint_rate_targets"]["2028"] = 0.85
    policy = from_json(document)
    assert policy.cap_for("D") == 6
    assert policy.window_first_day("B") == 11 and policy.window_first_day("A") == 1
    assert policy.joint_rate_target(2028) == 0.85


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["window"].update(mode="quiet"), "window.mode"),
        (lambda d: d["window"].update(first_day=0), "window.first_day"),
        (lambda d: d["window"].update(first_day=32), "window.first_day"),
        (lambda d: d["window"].update(last_day=10), "window.last_day"),
        (lambda d: d["window"].update(first_day_by_credit_class={"E": 10}), "window.first_day_by_credit_class.E"),
        (lambda d: d["window"].update(exemptions=["life_property_safety", "because"]), "window.exemptions[1]"),
        (lambda d: d["window"].update(exemptions="emergency"), "window.exemptions"),
        (lambda d: d["window"].update(colour="red"), "window.colour"),
        (lambda d: d["caps"].update(B=-1), "caps.B"),
        (lambda d: d["caps"].update(C="2"), "caps.C"),
        (lambda d: d["caps"].pop("A"), "caps.A"),
        (lambda d: d["caps"].update(E=1), "caps.E"),
        (lambda d: d["notice"].update(working_days=True), "notice.working_days"),
        (lambda d: d["notice"].update(exemptions=["secret"]), "notice.exemptions[0]"),
        (lambda d: d["alerts"].update(multi_head_agencies=0), "alerts.multi_head_agencies"),
        (lambda d: d["deadlines"].update(quiet_override_filing=2.5), "deadlines.quiet_override_filing"),
        (lambda d: d["deadlines"].update(weekly=1), "deadlines.weekly"),
        (lambda d: d["joint_rate_targets"].update({"2026": 70}), "joint_rate_targets.2026"),
        (lambda d: d["joint_rate_targets"].update({"next": 0.9}), "joint_rate_targets.next"),
        (lambda d: d.update(trigger_kinds=["rumour"]), "trigger_kinds[0]"),
        (lambda d: d.update(schema=2), "schema"),
        (lambda d: d.update(quiet=True), "quiet"),
        (lambda d: d.update(window=[]), "window"),
    ],
)
def test_bad_documents_are_refused_naming_the_field(edit, field):
    document = to_json(yunhe_style())
    edit(document)
    with pytest.raises(PolicyError) as info:
        from_json(document)
    assert info.value.field == field
    assert repr(field) in str(info.value)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(PolicyError, match="not JSON"):
        from_json("{caps:")


def test_window_days_of_the_month():
    yunhe, kaifeng = yunhe_style(), kaifeng_style()
    assert not yunhe.window_contains(date(2026, 2, 20)) and yunhe.window_contains(date(2026, 2, 21))
    assert yunhe.window_contains(date(2026, 2, 28))  # 下旬 runs to the month's last day
    assert yunhe.window_contains(date(2026, 2, 16), "B") and not yunhe.window_contains(date(2026, 2, 16), "C")
    assert kaifeng.window_contains(date(2026, 10, 31)) and not kaifeng.window_contains(date(2026, 10, 16), "B")
    short = from_json({"window": {"first_day": 21, "last_day": 25}})
    assert short.window_contains(date(2026, 3, 25)) and not short.window_contains(date(2026, 3, 26))
