"""Attachments (issue 12 item 3): the content-addressed store checks files by their bytes and keeps the same
bytes once; a form's file field keeps only summaries; a completion may name only its own case's attachments."""

from __future__ import annotations

import pytest

from engine.bpmn import DiagramError, FormInvalid, load_diagram
from engine.domain.attachments import Place, Upload, store_uploads
from engine.models import Attachment
from engine.platform.attachment_store import AttachmentRefused, AttachmentStore, detect, safe_name
from engine.runtime import InvalidTaskData
from engine.runtime.attachment_refs import bind_attachments
from tests.conftest import fixture_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo" * 20
PDF = b"%PDF-1.7\n" + b"0" * 50
HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20


def test_the_same_bytes_are_stored_once_under_their_sha256(tmp_path):
    store = AttachmentStore(tmp_path)
    first, again = store.put(JPEG), store.put(JPEG)
    assert first == again and first.media_type == "image/jpeg" and first.size == len(JPEG)
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert stored == [tmp_path / first.sha256[:2] / first.sha256[2:4] / first.sha256]
    assert store.read(first.sha256) == JPEG


@pytest.mark.parametrize("content, kind", [(JPEG, "image/jpeg"), (PDF, "application/pdf"), (HEIC, "image/heic"),
                                           (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png"),
                                           (b"\x00\x00\x00\x20ftypisom" + b"\x00" * 8, "video/mp4")])
def test_the_type_comes_from_the_bytes(content, kind):
    assert detect(content[:16]) == kind


@pytest.mark.parametrize("content, code, detected", [
    (b"MZ\x90\x00" + b"\x00" * 60, "file_type", "EXE"),
    (b"<!DOCTYPE html><script>alert(1)</script>", "file_type", "HTML"),
    (b"just some text", "file_type_unknown", None),
    (b"", "file_empty", None),
])
def test_other_files_are_refused_whatever_their_name(tmp_path, content, code, detected):
    with pytest.raises(AttachmentRefused) as refused:
        AttachmentStore(tmp_path).put(content)
    assert refused.value.code == code and refused.value.params.get("detected") == detected
    assert not any(tmp_path.iterdir())


def test_a_file_over_the_limit_is_refused(tmp_path):
    with pytest.raises(AttachmentRefused) as refused:
        AttachmentStore(tmp_path, max_bytes=2**20).put(JPEG + b"\x00" * 2**20)
    assert refused.value.code == "file_too_large" and refused.value.params == {"limit": 1}


def test_names_are_sanitised():
    assert safe_name("C:\\Users\\x\\..\\现场.jpg") == "现场.jpg"
    assert safe_name("../../etc/pass\x00wd\"") == "passwd"
    assert safe_name("") == "file" and len(safe_name("a" * 300 + ".jpg")) == 120


FILE_FIELD = '<inspectflow:field name="photos" type="file" multiple="true" capture="true" label="现场照片"/>'


def form_with(field_xml: str):
    xml = fixture_bytes("form_task.bpmn").decode().replace(
        '<inspectflow:field name="note" type="text" label="备注"/>', field_xml)
    return load_diagram(xml).forms["GiveNotice"]


def summary(number: int) -> dict:
    return {"id": number, "name": "a.jpg", "type": "image/jpeg", "size": 3, "sha256": "0" * 64}


def test_a_file_field_keeps_summaries_only():
    form = form_with(FILE_FIELD)
    photos = next(f for f in form.fields if f.name == "photos")
    assert (photos.type, photos.multiple, photos.capture) == ("file", True, True)
    assert photos.to_dict()["multiple"] is True
    base = {"notice_date": "2026-09-30", "method": "书面", "inspectors": "2", "exempt": "false", "items": ["消防"]}
    assert form.clean({**base, "photos": [summary(1), summary(2)]})["photos"] == [summary(1), summary(2)]
    with pytest.raises(FormInvalid) as caught:
        form.clean({**base, "photos": [{**summary(1), "bytes": "…"}]})
    assert caught.value.problems["photos"].code == "not_attachments"
    single = form_with(FILE_FIELD.replace(' multiple="true"', ""))
    with pytest.raises(FormInvalid) as caught:
        single.clean({**base, "photos": [summary(1), summary(2)]})
    assert caught.value.problems["photos"].code == "one_file"


@pytest.mark.parametrize("field_xml", [
    '<inspectflow:field name="note" type="text" multiple="true"/>',
    '<inspectflow:field name="photos" type="file" capture="yes"/>',
])
def test_file_flags_are_checked_at_deploy(field_xml):
    with pytest.raises(DiagramError) as caught:
        load_diagram(fixture_bytes("form_task.bpmn").decode().replace(
            '<inspectflow:field name="note" type="text" label="备注"/>', field_xml))
    assert caught.value.code == "form_field_flag"


def test_a_completion_names_only_attachments_of_its_own_case(svc, clock, tmp_path):
    from tests.engine.helpers import deploy, start

    deploy(svc, clock, "inbox_task.bpmn")
    ours, theirs = (start(svc, clock, "inbox_task", {"agency": "SCJG", "inspection_date": "2026-09-30"}).id
                    for _ in range(2))
    form = form_with(FILE_FIELD)
    store = AttachmentStore(tmp_path)
    with svc.transaction() as session:
        kept = store_uploads(session, store, Place(ours), {"photos": [Upload("现场.jpg", JPEG)]},
                             labels={"photos": "现场照片"}, actor="staff", now=clock.now())["photos"]
        other = store_uploads(session, store, Place(theirs), {"photos": [Upload("别家.jpg", JPEG)]},
                              labels={}, actor="staff", now=clock.now())["photos"]
        row = session.get_one(Attachment, kept[0])
        assert bind_attachments(session, form, ours, {"photos": [{"id": kept[0], "name": "forged.exe"}]}) == \
            {"photos": [row.summary]}
        assert row.summary["name"] == "现场.jpg" and row.summary["type"] == "image/jpeg"
        with pytest.raises(InvalidTaskData) as refused:
            bind_attachments(session, form, ours, {"photos": other})
        assert refused.value.details["problems"]["photos"]["code"] == "not_an_attachment"
