"""Attachments from each person's seat (issue 12 item 3, R22, R25, R26): the inspector adds photos to the
现场检查笔录 through the task page, files are checked by their bytes and size, the case's people see them and
nobody else does; the enterprise attaches evidence to a complaint and to its 整改 report on the portal, and only
its own case's 校验码 fetches them. The store keeps each distinct content once."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.acceptance.harness import County, text_of
from tests.acceptance.test_complaint_correction import file_complaint
from tests.acceptance.test_enterprise_case import rectification_assigned
from tests.acceptance.test_inspection_lifecycle import visit_on_site
from tests.conftest import TEST_NOW
from tests.web.pages import token_of

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"site photo " * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n%evidence\n" + b"0" * 200
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
RECORD = {"record_date": "2026-10-19", "record_text": "冷库温度记录缺失", "problems_found": "true",
          "penalty_needed": "true"}
LINK = re.compile(r'href="/attachments/(\d+)"[^>]*>(?:<img[^>]*>)?([^<]+)</a>')
OUTSIDER = "hb-staff"


@pytest.fixture
def county(database_url, demo, monkeypatch, tmp_path):
    monkeypatch.setenv("INSPECTFLOW_ATTACHMENTS", str(tmp_path / "attachments"))
    running = County(database_url, monkeypatch, TEST_NOW)
    running.cli("users", "create", OUTSIDER, "--role", "staff", "--agency", "STHJ", "--password", "outsider pass 1")
    yield running
    running.close()


def stored_files(tmp_path) -> list:
    return sorted(p for p in (tmp_path / "attachments").rglob("*") if p.is_file())


def file_of(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


def attachments_on(person, task_name: str) -> dict[str, str]:
    """{file name: attachment id} as the task page of the inbox's 「task_name」 lists them."""
    task_id = person.task(task_name)
    return {name.strip(): number for number, name in LINK.findall(person.get(f"/tasks/{task_id}"))}


def test_photos_of_the_on_site_record_are_checked_stored_and_shown_only_to_the_case(county, tmp_path):
    _, code, check = visit_on_site(county)
    staff, head = county.person("staff"), county.person("head")
    task_id = staff.task("制作现场检查笔录")
    page = staff.get(f"/tasks/{task_id}")
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input type="file" id="photos" name="photos" accept="image/\*,application/pdf"\s+'
                     r'capture="environment"\s+multiple>', page), page

    # A name says .jpg, the bytes say otherwise; a photo over 10 MB: refused beside 现场照片, nothing kept.
    for content, name, said in ((EXE, "现场.jpg", "「现场.jpg」的内容是 EXE 文件"),
                                (HTML, "photo.jpg", "「photo.jpg」的内容是 HTML 文件"),
                                (JPEG + b"\x00" * (10 * 2**20), "big.jpg", "「big.jpg」超过 10 MB")):
        refused = staff.client.post(f"/tasks/{task_id}", data={"csrf_token": token_of(page), **RECORD,
                                                                "photos": file_of(content, name)})
        assert refused.status_code == 422
        shown = text_of(refused.get_data(as_text=True))
        assert f"现场照片：{said}" in shown, shown
    assert stored_files(tmp_path) == [] and staff.task("制作现场检查笔录") == task_id

    staff.complete("制作现场检查笔录", {**RECORD, "photos": [file_of(JPEG, "现场1.jpg"), file_of(PNG, "现场2.png"),
                                                         file_of(JPEG, "同一张.jpg")]})
    assert len(stored_files(tmp_path)) == 2  # content-addressed: the same bytes twice are stored once

    done = {n.strip(): i for i, n in LINK.findall(staff.get(f"/tasks/{task_id}"))}  # the record's page lists them
    enterprise = county.visitor()
    enterprise.post_form("/rate", {"code": code, "check": check, "score": "4"}, status=200,
                         form_page=f"/rate?code={code}&check={check}")
    listed = attachments_on(head, "作出行政处罚决定")  # so does the next staff step's
    assert listed == done
    assert list(listed) == ["现场1.jpg", "现场2.png", "同一张.jpg"]
    served = head.client.get(f"/attachments/{listed['现场1.jpg']}")
    assert served.status_code == 200 and served.data == JPEG and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline; filename*=UTF-8''%E7%8E%B0%E5%9C%BA1.jpg"
    assert head.client.get(f"/attachments/{listed['现场2.png']}").mimetype == "image/png"

    # Another agency's inspector, a visitor without login, a visitor with the code but no 校验码: nothing.
    outsider = county.person(OUTSIDER, "outsider pass 1")
    assert outsider.client.get(f"/attachments/{listed['现场1.jpg']}").status_code == 404
    assert county.visitor().client.get(f"/attachments/{listed['现场1.jpg']}").status_code == 302
    assert enterprise.client.get(f"/portal/attachments/{listed['现场1.jpg']}?code={code}").status_code == 404
    # The inspectors' photos stay inside the procedure: not even the case's 校验码 fetches them from the portal.
    assert enterprise.client.get(
        f"/portal/attachments/{listed['现场1.jpg']}?code={code}&check={check}").status_code == 404


def test_the_enterprise_attaches_evidence_to_its_rectification_and_to_a_complaint(county, tmp_path):
    code, check, step = rectification_assigned(county)
    enterprise, staff, office = county.visitor(), county.person("staff"), county.person("office")
    case_page = f"/portal/case?code={code}&check={check}"
    assert 'name="rectification_evidence"' in enterprise.get(case_page)
    enterprise.post_form(f"/portal/case/steps/{step}", {
        "code": code, "check": check, "rectified_date": "2026-10-20", "rectification_report": "已补建台账",
        "rectification_evidence": [file_of(JPEG, "台账.jpg"), file_of(PDF, "整改报告.pdf")]}, form_page=case_page)
    own = re.findall(r'href="/portal/attachments/(\d+)\?[^"]*"[^>]*>([^<]+)</a>', enterprise.get(case_page))
    assert [name for _, name in own] == ["台账.jpg", "整改报告.pdf"]  # the case page lists what it sent
    rectified = attachments_on(staff, "整改评价")
    assert [number for number, _ in own] == list(rectified.values())
    assert enterprise.client.get(f"/portal/attachments/{own[0][0]}?code={code}&check={check}").data == JPEG
    assert list(rectified) == ["台账.jpg", "整改报告.pdf"]
    report = staff.client.get(f"/attachments/{rectified['整改报告.pdf']}")
    assert report.status_code == 200 and report.data == PDF and report.mimetype == "application/pdf"

    # A complaint with evidence: a page disguised as a photo is refused naming the field; a PDF is taken.
    complainant = county.visitor()
    refused = complainant.post_form("/complaints/new", {"kind": "misconduct", "content": "检查时索要礼品",
                                                        "evidence": file_of(HTML, "照片.jpg")}, status=422)
    assert "证据材料：「照片.jpg」的内容是 HTML 文件" in text_of(refused.get_data(as_text=True))
    number, complaint_check = file_complaint(complainant, "检查时索要礼品", evidence=file_of(PDF, "录音文字.pdf"))
    county.focus = f"q={number}"
    filed = attachments_on(office, "受理投诉")
    assert list(filed) == ["录音文字.pdf"]
    assert office.client.get(f"/attachments/{filed['录音文字.pdf']}").data == PDF
    assert county.person(OUTSIDER, "outsider pass 1").client.get(
        f"/attachments/{filed['录音文字.pdf']}").status_code == 404

    # Each case's 校验码 fetches its own files and not the other case's.
    by_complaint = f"number={number}&check={complaint_check}"
    assert complainant.client.get(f"/portal/attachments/{filed['录音文字.pdf']}?{by_complaint}").data == PDF
    assert complainant.client.get(f"/portal/attachments/{rectified['台账.jpg']}?{by_complaint}").status_code == 404
    assert enterprise.client.get(
        f"/portal/attachments/{filed['录音文字.pdf']}?code={code}&check={check}").status_code == 404
    assert len(stored_files(tmp_path)) == 2  # 台账.jpg and one PDF content (the same bytes twice)


MP4 = b"\x00\x00\x00\x20ftypisom" + b"\x00" * 300
MP3 = b"ID3\x04\x00\x00" + b"\x00" * 300


def test_the_record_step_shows_the_visits_audio_video_flag_and_takes_the_recording(county, tmp_path):
    """R22: 制作现场检查笔录 shows what the on-site step said (音像记录 是), offers the flag already chosen and a
    recording field for audio and video only; the 现场检查笔录 PDF states the recording."""
    visit_on_site(county)
    staff = county.person("staff")
    task_id, shown = staff.open("制作现场检查笔录")
    assert "现场检查情况" in shown and "已全程音像记录 是" in shown, shown
    page = staff.get(f"/tasks/{task_id}")
    chosen = re.search(r'<select id="audio_video"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'value="true"\s+selected', chosen), chosen  # the on-site step's choice, prefilled
    assert re.search(r'<div class="field shown-when-audio_video">\s*<label for="recording">音像记录文件</label>.*?'
                     r'<input type="file" id="recording" name="recording" accept="audio/\*,video/\*"', page, re.S)

    # A photo is no recording; a recording without the flag is refused beside the field; nothing is completed.
    for fields, said in (({"audio_video": "true", "recording": file_of(JPEG, "现场.jpg")},
                          "此处不接受这类文件：现场.jpg"),
                         ({"audio_video": "false", "recording": file_of(MP4, "全程.mp4")},
                          "仅在「已全程音像记录」选“是”时上传")):
        refused = staff.client.post(f"/tasks/{task_id}", data={"csrf_token": token_of(page), **RECORD, **fields})
        assert refused.status_code == 422 and said in text_of(refused.get_data(as_text=True)), fields
    assert staff.task("制作现场检查笔录") == task_id

    staff.complete("制作现场检查笔录", {**RECORD, "audio_video": "true",
                                  "recording": [file_of(MP4, "全程.mp4"), file_of(MP3, "问询.mp3")]})
    done = staff.get(f"/tasks/{task_id}")
    listed = {name.strip(): number for number, name in LINK.findall(done)}
    assert list(listed) == ["全程.mp4", "问询.mp3"]
    assert staff.client.get(f"/attachments/{listed['全程.mp4']}").mimetype == "video/mp4"
    instance = re.search(r'href="/papers/(\d+)"', done).group(1)
    record = PdfReader(io.BytesIO(staff.client.get(f"/papers/{instance}/onsite.pdf").data))
    assert "全过程记录：已全程音像记录" in "".join(p.extract_text() for p in record.pages)
