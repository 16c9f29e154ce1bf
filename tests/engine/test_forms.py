"""User-task forms: declared in the diagram, checked at deploy, enforced when a task is completed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bpmn import DiagramError, FormField, FormInvalid, FormSpec, load_diagram
from engine.models import AuditEntry
from engine.runtime import DeployRefused, InvalidTaskData, instances
from engine.runtime.deploy import deploy as deploy_xml
from tests.conftest import fixture_bytes
from tests.engine.helpers import complete, deploy, only_task, start

GOOD = {"notice_date": "2026-09-30", "method": "书面", "inspectors": "2", "exempt": "false",
        "items": ["消防"], "note": "第一次告知"}


def test_forms_are_read_from_the_diagram():
    diagram = load_diagram(fixture_bytes("form_task.bpmn"))
    form = diagram.forms["GiveNotice"]
    assert [f.name for f in form.fields] == ["notice_date", "method", "inspectors", "exempt", "items", "note"]
    assert form.fields[1] == FormField("method", "choice", "告知方式", True, ("书面", "电话", "短信"))
    assert "Inspect" not in diagram.forms


def test_clean_converts_values_to_task_data():
    form = load_diagram(fixture_bytes("form_task.bpmn")).forms["GiveNotice"]
    assert form.clean(GOOD) == {"notice_date": "2026-09-30", "method": "书面", "inspectors": 2, "exempt": False,
                                "items": ["消防"], "note": "第一次告知"}


@pytest.mark.parametrize("change, field, reason", [
    ({"notice_date": ""}, "notice_date", "required"),
    ({"notice_date": "2026-02-30"}, "notice_date", "not a date"),
    ({"method": "微信"}, "method", "choose one of"),
    ({"inspectors": "two"}, "inspectors", "whole number"),
    ({"exempt": "perhaps"}, "exempt", "yes or no"),
    ({"items": ["消防", "税务"]}, "items", "税务"),
    ({"surprise": 1}, "surprise", "no such field"),
])
def test_bad_values_name_the_field(change, field, reason):
    form = load_diagram(fixture_bytes("form_task.bpmn")).forms["GiveNotice"]
    with pytest.raises(FormInvalid) as caught:
        form.clean({**GOOD, **change})
    assert list(caught.value.errors) == [field] and reason in caught.value.errors[field]


@pytest.mark.parametrize("field_xml, reason", [
    ('<inspectflow:field name="1st" type="string"/>', "must be a variable name"),
    ('<inspectflow:field name="_x" type="string"/>', "must be a variable name"),
    ('<inspectflow:field name="when" type="timestamp"/>', "unknown type 'timestamp'"),
    ('<inspectflow:field name="pick" type="choice"/>', "needs choices"),
    ('<inspectflow:field name="a" type="string"/><inspectflow:field name="a" type="text"/>', "appears twice"),
    ('<inspectflow:field name="tape" type="file" accept="audio,tape"/>', "accept is for file fields"),
    ('<inspectflow:field name="note2" type="text" accept="audio"/>', "accept is for file fields"),
    ('<inspectflow:field name="tape" type="file" when="note2"/><inspectflow:field name="note2" type="text"/>',
     "when names a yes/no"),
])
def test_malformed_form_definitions_are_refused_at_deploy(field_xml, reason):
    xml = fixture_bytes("form_task.bpmn").decode().replace(
        '<inspectflow:field name="note" type="text" label="备注"/>', field_xml)
    with pytest.raises(DiagramError) as caught:
        load_diagram(xml)
    assert caught.value.element_id == "GiveNotice" and reason in caught.value.reason


RECORDING = {"id": 1, "name": "全程.mp4", "type": "video/mp4", "size": 9, "sha256": "0" * 64}


def test_a_file_field_takes_only_its_kinds_and_a_when_field_only_with_its_flag():
    form = FormSpec((FormField("audio_video", "boolean", "已全程音像记录"),
                     FormField("recording", "file", "音像记录文件", multiple=True, accept=("audio", "video"),
                               when="audio_video"),
                     FormField("photos", "file", "现场照片", multiple=True)))
    assert form.clean({"audio_video": True, "recording": [RECORDING]})["recording"] == [RECORDING]
    for data, field, reason in (({"audio_video": False, "recording": [RECORDING]}, "recording", "only goes with"),
                                ({"recording": [RECORDING]}, "recording", "only goes with"),
                                ({"photos": [RECORDING]}, "photos", "not a file this field takes"),
                                ({"audio_video": True, "recording": [{**RECORDING, "type": "application/pdf"}]},
                                 "recording", "not a file this field takes")):
        with pytest.raises(FormInvalid) as caught:
            form.clean(data)
        assert list(caught.value.errors) == [field] and reason in caught.value.errors[field], data
    assert form.clean({"audio_video": False, "recording": []}) == {"audio_video": False, "recording": []}


def test_completing_a_task_checks_its_form_and_keeps_nothing_on_error(svc, clock):
    deploy(svc, clock, "form_task.bpmn")
    started = start(svc, clock, "form_task")
    notice = only_task(svc, started.id, "GiveNotice")
    with pytest.raises(InvalidTaskData) as caught:
        complete(svc, clock, notice.id, {**GOOD, "method": "微信", "notice_date": ""})
    assert set(caught.value.details["fields"]) == {"method", "notice_date"}
    assert only_task(svc, started.id, "GiveNotice").id == notice.id  # still open, nothing saved
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "task.completed")) == 0

    complete(svc, clock, notice.id, GOOD)
    # The gateway saw the cleaned integer, not the submitted string.
    assert only_task(svc, started.id, "Inspect")


def test_task_form_gives_the_definition_and_current_data(svc, clock):
    deploy(svc, clock, "form_task.bpmn")
    started = start(svc, clock, "form_task", {"enterprise": "某食品公司"})
    notice = only_task(svc, started.id, "GiveNotice")
    with svc.sessions() as session:
        form, data = instances.task_form(svc.runtime, session, notice.id)
    assert isinstance(form, FormSpec) and form.fields[0].name == "notice_date"
    assert data["enterprise"] == "某食品公司"


def test_deploy_refuses_a_bad_form_through_the_runtime(svc, clock):
    bad = fixture_bytes("form_task.bpmn").replace(b'type="integer"', b'type="int"')
    with svc.transaction() as session, pytest.raises(DeployRefused, match="unknown type 'int'"):
        deploy_xml(svc.runtime, session, clock, xml=bad, source_name="bad.bpmn", actor="owner")


def test_form_labels_name_every_field_of_every_form_in_a_version(svc, clock):
    (version,) = deploy(svc, clock, "form_task.bpmn")
    with svc.sessions() as session:
        labels = instances.form_labels(svc.runtime, session, version.id)
    assert set(labels) == {"GiveNotice"}  # "Inspect" has no form
    assert labels["GiveNotice"]["method"] == "告知方式"
    assert list(labels["GiveNotice"]) == ["notice_date", "method", "inspectors", "exempt", "items", "note"]
