"""A task form's decision as buttons: a required yes/no field whose name marks a decision (`…_approved`: 同意 /
不同意; `…_passed` and `verified`: 通过 / 不通过) is two submit buttons beside the opinion box instead of a select
(web/templates/_form_fields.html; processes/bpmn/README.md, Forms). Other yes/no fields stay a select."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

APPROVE = (_l("同意"), _l("不同意"))
PASS = (_l("通过"), _l("不通过"))


def decision_words(field) -> tuple | None:
    """The (yes, no) button words for a decision field, None for any other field."""
    if field.type != "boolean" or not field.required:
        return None
    if field.name.endswith("_approved"):
        return APPROVE
    if field.name.endswith("_passed") or field.name == "verified":
        return PASS
    return None
