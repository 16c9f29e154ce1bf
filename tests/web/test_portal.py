"""The public enterprise portal: code verification (typed or from the QR link), rating, complaints and
their tracking numbers; unknown codes and numbers reveal nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.commands import Actor, NotPermitted, portal
from engine.domain import behavior_code
from engine.domain.enterprise_side import (
    CODE_LIMIT,
    COMMENT_LIMIT,
    CONTACT_LIMIT,
    CONTENT_LIMIT,
    PortalInputInvalid,
)
from engine.identity import portal_throttle
from engine.models import AuditEntry, Complaint
from engine.models.vocabulary import COMPLAINT_KINDS, PROHIBITIONS
from engine.runtime.deploy import deploy
from tests.factories import make_code, make_inspection, make_inspector, make_jurisdiction
from tests.web.pages import in_english, leftover_chinese
from web import create_app
from web.services import services

COMPLAINTS = Path(__file__).resolve().parents[2] / "processes" / "bpmn" / "complaint_correction.bpmn"


@pytest.fixture
def client(app, svc, clock):
    with svc.transaction() as session:
        # The county the portal serves: where complaints naming no inspection or enterprise are placed.
        app.config["PORTAL_JURISDICTION"] = make_jurisdiction(session).code
        deploy(svc.runtime, session, clock, xml=COMPLAINTS.read_bytes(), source_name=COMPLAINTS.name, actor="owner")
    return app.test_client()


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def rating_form(client, code: str, check: str) -> dict:
    """The rating form's token and the case it rates: the code and the 校验码 the enterprise was handed."""
    return {"csrf_token": token(client, "/rate"), "code": code, "check": check}


@pytest.fixture
def visited(app) -> tuple[str, str]:
    """A visited inspection's 行政行为码 and the 校验码 the enterprise was handed with it."""
    with app.app_context(), services().transaction() as session:
        inspection = make_inspection(session, approved_by="局长")
        code = make_code(session, inspection=inspection)
        inspection.status = "completed"
        return code.code, code.check_code


@pytest.fixture
def visited_code(visited) -> str:
    return visited[0]


@pytest.fixture
def visited_check(visited) -> str:
    return visited[1]


def test_verifying_a_code_from_the_qr_link_and_by_typing_it(client, visited_code):
    page = client.get(f"/codes/{visited_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "有效" in text and "示范县市场监督管理局" in text and "执法证" in text
    typed = client.get(f"/verify?code={visited_code.lower()}")
    assert typed.headers["Location"].endswith(f"/codes/{visited_code.lower()}")
    unknown = client.get("/codes/FAKE-123")
    assert unknown.status_code == 404 and "没有查到" in unknown.get_data(as_text=True)
    assert "执法证" not in unknown.get_data(as_text=True)


def test_the_verify_page_lists_the_assistants_apart_and_the_code_stays_valid(app, client):
    with app.app_context(), services().transaction() as session:
        inspection = make_inspection(session, approved_by="局长")
        inspection.assistants = [make_inspector(session, agency=inspection.agency, name="钱辅助", kind="auxiliary")]
        code = make_code(session, inspection=inspection).code
    page = client.get(f"/codes/{code}").get_data(as_text=True)
    assert f"有效：{code}" in page and "无效" not in page
    assert "辅助人员：钱辅助（辅助人员）（事先确定，不得独立实施检查）" in page
    in_english(client)
    english = client.get(f"/codes/{code}").get_data(as_text=True)
    assert "Assistants: 钱辅助 (auxiliary staff)" in english


def test_rating_with_a_reported_breach_opens_a_complaint(client, visited_code, visited_check):
    response = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "2",
                                          "breaches": ["gifts"], "comment": "送了礼品"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "查询编号" in text
    number = re.search(r'<strong id="tracking">([^<]+)</strong>', text).group(1)
    progress = client.get(f"/complaints/track?number={number}").get_data(as_text=True)
    assert "违反五个严禁、八个不得" in progress
    again = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "5"})
    assert again.status_code == 422 and "已经评价过" in again.get_data(as_text=True)


def test_a_no_code_complaint_is_tracked_by_its_number(client):
    response = client.post("/complaints/new", data={
        "csrf_token": token(client, "/complaints/new"), "kind": "other", "code": "FAKE-999",
        "content": "有人自称执法人员入店检查", "contact": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "无码入企" in page and "已收到" in page
    number = re.search(r"number=([\w-]+)", response.headers["Location"]).group(1)
    assert f"投诉已提交。请记下查询编号 {number}" in page
    assert "投诉已提交" not in client.get(response.headers["Location"]).get_data(as_text=True)  # said once
    missing = client.get("/complaints/track?number=nope")
    assert missing.status_code == 404 and "没有查到" in missing.get_data(as_text=True)


def test_an_empty_complaint_is_refused_with_a_plain_message(client):
    response = client.post("/complaints/new", data={"csrf_token": token(client, "/complaints/new"),
                                                    "kind": "misconduct", "content": " ", "contact": ""})
    assert response.status_code == 422 and "情况说明：必填" in response.get_data(as_text=True)



# -- the same pages in English: the portal's words translated, the engine's legal wording kept -------------


def names_on(app, code: str) -> list[str]:
    """The verified code's own data (enterprise, agencies, inspectors, items and their legal basis), Chinese by
    nature."""
    with app.app_context(), services().sessions() as session:
        found = behavior_code.lookup(session, code, services().clock().now())
    return [found.enterprise, *(a["name"] for a in found.agencies), *(p["name"] for p in found.inspectors),
            *(i[key] for i in found.items for key in ("name", "legal_basis"))]


def test_verifying_a_code_in_english(app, client, visited_code):
    in_english(client)
    page = client.get(f"/codes/{visited_code}").get_data(as_text=True)
    assert f"Valid: {visited_code} (issued)" in page and "Enforcement agencies: 示范县市场监督管理局" in page
    assert "Valid from 30 Sep 2026, 10:00 to 16 Oct 2026, 23:59" in page and "enforcement certificate" in page
    assert leftover_chinese(page, *names_on(app, visited_code)) == []
    unknown = client.get("/codes/FAKE-123")
    assert unknown.status_code == 404 and leftover_chinese(unknown.get_data(as_text=True)) == []
    assert ('The administrative action code “FAKE-123” was not found' in unknown.get_data(as_text=True)
            and 'href="/complaints/new?code=FAKE-123">report an inspection without a code</a>'
            in unknown.get_data(as_text=True))


def test_rating_and_following_the_complaint_in_english(client, visited_code, visited_check):
    in_english(client)
    form = client.get("/rate").get_data(as_text=True)
    assert "Satisfaction" in form and "1 point<" in form and "5 points" in form
    assert leftover_chinese(form, *PROHIBITIONS.values()) == []  # the prohibitions are quoted as written
    thanks = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "2",
                                        "breaches": ["gifts"]}).get_data(as_text=True)
    assert "taken up as a complaint" in thanks and leftover_chinese(thanks) == []
    number = re.search(r'<strong id="tracking">([^<]+)</strong>', thanks).group(1)
    progress = client.get(f"/complaints/track?number={number}").get_data(as_text=True)
    assert "status: received" in progress and "Received: 30 Sep 2026, 10:00 · to be accepted by 8 Oct 2026" in progress
    assert leftover_chinese(progress, *COMPLAINT_KINDS.values()) == []
    again = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "5"})
    assert again.status_code == 422 and "已经评价过" in again.get_data(as_text=True)  # the engine's refusal


def test_the_complaint_form_and_an_unknown_number_in_english(client):
    in_english(client)
    form = client.get("/complaints/new").get_data(as_text=True)
    assert "Administrative action code (if any)" in form and "Contact (optional)" in form
    assert leftover_chinese(form, *COMPLAINT_KINDS.values()) == []
    missing = client.get("/complaints/track?number=nope")
    assert missing.status_code == 404 and "No complaint has the number “nope”" in missing.get_data(as_text=True)
    home = client.get("/portal").get_data(as_text=True)
    assert "Verify an administrative action code" in home and leftover_chinese(home) == []


def test_the_progress_page_shows_shanghai_time_in_chinese(client, visited_code, visited_check):
    thanks = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "1",
                                        "breaches": ["gifts"]}).get_data(as_text=True)
    number = re.search(r'<strong id="tracking">([^<]+)</strong>', thanks).group(1)
    progress = client.get(f"/complaints/track?number={number}").get_data(as_text=True)
    assert "收到：2026-09-30 10:00 · 应于 2026-10-08 前受理" in progress and "状态：已收到" in progress


def test_a_verified_code_leads_to_a_complaint_about_that_inspection(client, visited_code):
    page = client.get(f"/codes/{visited_code}").get_data(as_text=True)
    link = re.search(r'href="(/complaints/new\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert f'name="code" value="{visited_code}"' in form
    assert re.search(r'<option value="misconduct" selected>', form)  # not 无码入企: the code was shown


def test_visitors_find_the_portal_and_the_login_from_every_page(client):
    header = client.get("/complaints/track").get_data(as_text=True).split("</header>")[0]
    assert 'href="/portal"' in header and 'href="/login"' in header and 'href="/"' in header


# -- limits: text sizes, the per-address throttle, the body size (issue 10 defect 6) ----------------------------


def complain_from(client, address: str, **form):
    data = {"csrf_token": token(client, "/complaints/new"), "kind": "other", "content": "有人自称执法人员入店检查",
            "contact": "", **form}
    return client.post("/complaints/new", data=data, environ_base={"REMOTE_ADDR": address})


def complaints(app) -> int:
    with app.app_context(), services().sessions() as session:
        return session.scalar(select(func.count()).select_from(Complaint))


def test_the_forms_say_each_limit_and_text_beyond_it_is_refused_naming_the_field(app, client, visited_code,
                                                                                visited_check):
    form = client.get("/complaints/new").get_data(as_text=True)
    assert f'maxlength="{CONTENT_LIMIT}"' in form and f"最多 {CONTENT_LIMIT} 个字" in form
    assert f'maxlength="{CONTACT_LIMIT}"' in form and f"最多 {CONTACT_LIMIT} 个字" in form
    for field, text, said in (("content", "投" * (CONTENT_LIMIT + 1), f"情况说明：最多 {CONTENT_LIMIT} 个字"),
                              ("contact", "1" * (CONTACT_LIMIT + 1), f"联系方式：最多 {CONTACT_LIMIT} 个字"),
                              ("code", "X" * (CODE_LIMIT + 1), f"行政行为码：最多 {CODE_LIMIT} 个字")):
        refused = complain_from(client, "192.0.2.1", **{field: text})
        assert refused.status_code == 422 and said in refused.get_data(as_text=True), field
    assert complain_from(client, "192.0.2.1", content="投" * CONTENT_LIMIT).status_code == 302
    assert f"最多 {COMMENT_LIMIT} 个字" in client.get("/rate").get_data(as_text=True)
    rating = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "4",
                                        "comment": "好" * (COMMENT_LIMIT + 1)})
    assert rating.status_code == 422 and f"意见：最多 {COMMENT_LIMIT} 个字" in rating.get_data(as_text=True)
    huge = complain_from(client, "192.0.2.1", content="x" * 600_000)  # accepted before
    assert huge.status_code == 422 and f"情况说明：最多 {CONTENT_LIMIT} 个字" in huge.get_data(as_text=True)
    assert complaints(app) == 1


def test_the_portal_throttles_complaints_and_ratings_per_address_in_the_database(app, client, clock, visited_code,
                                                                                visited_check):
    for _ in range(portal_throttle.LIMIT):
        assert complain_from(client, "203.0.113.5").status_code == 302
    refused = complain_from(client, "203.0.113.5")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 3601
    assert "提交的投诉和评价过多，请于 2026-09-30 11:00 之后再试" in refused.get_data(as_text=True)
    rating = client.post("/rate", data={**rating_form(client, visited_code, visited_check), "score": "5"},
                         environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert rating.status_code == 429
    assert complain_from(client, "198.51.100.7").status_code == 302  # another address is not held up
    # Another process of the app (its own engine and sessions) counts the same writes.
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "CLOCK_FACTORY": lambda: clock,
                        "TESTING": True, "SECRET_KEY": "test"})
    other_client = other.test_client()
    assert complain_from(other_client, "203.0.113.5").status_code == 429
    other.extensions["inspectflow"].engine.dispose()
    assert complaints(app) == portal_throttle.LIMIT + 1
    clock.advance(portal_throttle.WINDOW)
    assert complain_from(client, "203.0.113.5").status_code == 302


class UnreadBody(io.RawIOBase):
    """A request body of `size` bytes that fails the test if anything reads it."""

    def __init__(self, size: int):
        super().__init__()
        self.size, self.position = size, 0

    def seek(self, offset: int, whence: int = 0) -> int:  # the test client measures the length this way
        self.position = self.size if whence == io.SEEK_END else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_over_the_limit_is_refused_before_it_is_read(app, client):
    size = 400 * 2**20
    page = client.post("/complaints/new", input_stream=UnreadBody(size),
                       content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "提交的内容超过 16 MB 的上限" in page.get_data(as_text=True)
    api = client.post("/api/v1/process-instances", input_stream=UnreadBody(size), content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"
    assert set(api.get_json()["error"]) == {"code", "message", "details"}


def test_the_portal_commands_act_only_for_the_portal_and_write_nothing_when_refused(app, svc, client):
    with svc.work() as work:
        with pytest.raises(NotPermitted):
            portal.file_complaint(work, Actor("clerk", "staff", agency="SCJG"), address="192.0.2.9", kind="other",
                                  content="x", contact=None, code_text=None)
        complaint = portal.file_complaint(work, Actor.enterprise(), address="192.0.2.9", kind="other",
                                          content="来人检查未出示行政行为码", contact=None, code_text=None).complaint
        assert complaint.process_instance_id is not None
        assert portal_throttle.portal_writes(work.session, "192.0.2.9", work.now()) == 1
        actions = work.session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "portal")).all()
        assert "portal.complaint" in actions
    with pytest.raises(PortalInputInvalid) as refused, svc.work() as work:
        portal.file_complaint(work, Actor.enterprise(), address="192.0.2.9", kind="other", content="投" * 5001,
                              contact=None, code_text=None)
    assert refused.value.field == "content" and refused.value.problem.code == "too_long"
    with svc.sessions() as session:
        assert portal_throttle.portal_writes(session, "192.0.2.9", svc.clock().now()) == 1
