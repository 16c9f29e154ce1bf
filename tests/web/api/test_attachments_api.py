"""Attachments through the API (issue 12 item 3): an API client uploads a step's photos, completes the step
naming them by id, and fetches them; a refused file names its field; another agency's user gets 404; a step
cannot name another case's attachment."""

from __future__ import annotations

import io

from tests.processes.helpers import only_task, task_data
from tests.processes.test_inspection_lifecycle import AGENCY, record, waiting_at_record
from tests.web.api.conftest import Api

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"api photo " * 20


def test_an_api_client_attaches_photos_and_completes_the_record(app, svc, clock):
    api = Api(app, svc, clock)
    step = waiting_at_record(svc, clock)
    api.user("inspector", "staff", agency=AGENCY)
    api.user("outsider", "staff", agency="STHJ")

    refused = api.post(f"/api/v1/tasks/{step}/attachments", as_user="inspector",
                       data={"photos": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "photo.jpg")})
    assert refused.status_code == 422
    assert refused.json["error"]["details"]["problems"]["photos"] == {
        "code": "file_type", "params": {"detected": "EXE", "file": "photo.jpg", "label": "现场照片"}}
    assert api.post(f"/api/v1/tasks/{step}/attachments", as_user="outsider",
                    data={"photos": (io.BytesIO(JPEG), "a.jpg")}).status_code == 403

    sent = api.post(f"/api/v1/tasks/{step}/attachments", as_user="inspector",
                    data={"photos": [(io.BytesIO(JPEG), "现场.jpg"), (io.BytesIO(JPEG), "again.jpg")]})
    assert sent.status_code == 201
    first, second = sent.json
    assert (first["field"], first["name"], first["type"], first["size"]) == ("photos", "现场.jpg", "image/jpeg",
                                                                            len(JPEG))
    assert first["sha256"] == second["sha256"]

    done = api.post(f"/api/v1/tasks/{step}/complete", as_user="inspector",
                    json={"data": {**record(False), "photos": [first["id"], second["id"]]}})
    assert done.status_code == 200, done.json
    kept = task_data(svc, only_task(svc, done.json["instance_id"], "Task_rating").id)["photos"]
    assert [p["name"] for p in kept] == ["现场.jpg", "again.jpg"] and set(kept[0]) == {
        "id", "name", "type", "size", "sha256"}

    fetched = api.get(f"/api/v1/attachments/{first['id']}", as_user="inspector")
    assert fetched.status_code == 200 and fetched.data == JPEG and fetched.mimetype == "image/jpeg"
    assert api.get(f"/api/v1/attachments/{first['id']}", as_user="outsider").status_code == 404


def test_a_step_cannot_name_another_cases_attachment(app, svc, clock):
    api = Api(app, svc, clock)
    api.user("inspector", "staff", agency=AGENCY)
    first, other = waiting_at_record(svc, clock), None
    sent = api.post(f"/api/v1/tasks/{first}/attachments", as_user="inspector",
                    data={"photos": (io.BytesIO(JPEG), "a.jpg")}).json
    clock.set("2026-09-30T10:00:00+08:00")
    other = waiting_at_record(svc, clock)
    forged = api.post(f"/api/v1/tasks/{other}/complete", as_user="inspector",
                      json={"data": {**record(False), "photos": [sent[0]["id"]]}})
    assert forged.status_code == 422
    assert forged.json["error"]["details"]["problems"]["photos"]["code"] == "not_an_attachment"
