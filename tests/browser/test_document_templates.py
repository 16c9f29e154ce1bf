"""The administrator's document templates in a real browser (issue 12 item 6): no placeholder syntax shows as page
text (the seat walk flags a visible `{{` as leaked template text), and a field's button inserts its placeholder
into the template at the cursor."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shot
from tests.web.pages import PASSWORD, make_user


def test_a_fields_button_inserts_its_placeholder_at_the_cursor_and_no_braces_show(page: Page, app):
    make_user(app, "root", "administrator", agency=None)
    log_in(page, "root", PASSWORD)
    page.goto("/admin/documents")
    assert "{{" not in page.evaluate("document.body.innerText")
    notice = page.locator("section#notice")
    template = notice.locator("textarea")
    template.evaluate("area => { area.value = '# 标题\\n甲乙'; area.setSelectionRange(6, 6); }")  # between 甲 and 乙
    notice.get_by_text("可用字段（点击插入到光标处）").click()
    notice.get_by_role("button", name="企业名称", exact=True).click()
    expect(template).to_have_value("# 标题\n甲{{ enterprise.name }}乙")
    expect(template).to_be_focused()
    shot(page, "admin-document-templates")
    assert "{{" not in page.evaluate("document.body.innerText")
