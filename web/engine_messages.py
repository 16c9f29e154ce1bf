"""The runtime's refusals in the visitor's language, for the pages: a task someone else claimed or finished, a
diagram that moved on, a change made at the same moment, a check point's refusal, a form field that does not
fit, the policy form's and the calendar import's refusals. The engine gives stable codes and details
(engine.runtime.errors, engine.bpmn.forms.FieldProblem, PolicyError, ScheduleInvalid); its English messages
stay for the API and the logs, and are what shows for anything not worded here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from engine.domain.policy import PolicyError
from engine.runtime import ConcurrentUpdate, InvalidTaskData, PolicyRefused, StepFailed, TaskNotOpen, WorkflowError
from web.presenters import shanghai

FIELD_PROBLEMS = {
    "required": _l("必填"),
    "unknown_field": _l("表单里没有这一项（表单可能已更新，请刷新页面）"),
    "not_text": _l("请填写文字"),
    "too_long": _l("最多 %(limit)s 个字"),
    "not_integer": _l("请填写整数（收到：%(value)s）"),
    "not_number": _l("请填写数字（收到：%(value)s）"),
    "not_boolean": _l("请选择是或否（收到：%(value)s）"),
    "not_date": _l("请填写日期，格式 YYYY-MM-DD（收到：%(value)s）"),
    "not_datetime": _l("请填写日期和时间（收到：%(value)s）"),
    "needs_offset": _l("日期和时间须带时区，例如 +08:00"),
    "not_a_choice": _l("请从这些选项中选择：%(choices)s"),
    "not_among_choices": _l("不在选项中：%(values)s"),
    "unknown_type": _l("表单定义有误（未知的字段类型），请告知流程负责人"),
    # file fields (engine.platform.attachment_store, engine.domain.attachments): the type is read from the bytes
    "file_type": _l("%(label)s：「%(file)s」的内容是 %(detected)s 文件，不能作为附件；"
                    "请上传照片（JPEG、PNG、HEIC）、PDF 或音视频（MP4、MOV、MP3、M4A、WAV）"),
    "file_type_unknown": _l("%(label)s：「%(file)s」不是可接受的文件类型；请上传照片（JPEG、PNG、HEIC）、PDF 或音视频"
                            "（MP4、MOV、MP3、M4A、WAV）"),
    "file_too_large": _l("%(label)s：「%(file)s」超过 %(limit)s MB"),
    "file_empty": _l("%(label)s：「%(file)s」是空文件"),
    "too_many_files": _l("%(label)s：最多 %(limit)s 个文件"),
    "not_an_attachment": _l("不是本案件已上传的附件"),
    "not_attachments": _l("请上传文件"),
    "one_file": _l("只能上传一个文件"),
    "file_kind": _l("此处不接受这类文件：%(file)s"),
    "only_when": _l("仅在「%(flag)s」选“是”时上传"),
}


# The policy form's refusals (engine.domain.policy.PolicyError codes). The form asks for percentages where the
# document keeps shares, so a share out of range is said as a percentage.
POLICY_PROBLEMS = {
    "not_json": _l("不是有效的 JSON 文档"),
    "unsupported_schema": _l("不支持的政策文档版本：%(value)s"),
    "not_one_of": _l("不是可选的值：%(value)s"),
    "before_first_day": _l("结束日（%(value)s 日）早于开始日（%(first)s 日）"),
    "after_last_day": _l("%(value)s 日晚于结束日（%(last)s 日）"),
    "unknown_credit_class": _l("没有这个信用等级"),
    "missing": _l("必填（不设上限请留空）"),
    "not_a_year": _l("须为年份"),
    "year_out_of_range": _l("年份 %(year)s 超出 2000—2100"),
    "not_a_share": _l("请填写 0 到 100 之间的百分比"),
    "not_an_object": _l("格式不对"),
    "unknown_field": _l("没有这一项"),
    "not_whole_number": _l("请填写整数"),
    "below_minimum": _l("不能小于 %(minimum)s"),
    "not_a_day": _l("每月的日期须在 1 到 31 之间（收到：%(value)s）"),
    "not_a_list": _l("须为列表"),
    "unknown_code": _l("没有这个选项：%(value)s"),
    "duplicate_code": _l("同一选项列了两次"),
}
# The working calendar's import refusals (engine.calendar.ScheduleInvalid codes).
SCHEDULE_PROBLEMS = {
    "field_count": _l("第 %(line)s 行应为「日期,类型」两项，实为 %(count)s 项：%(text)s"),
    "bad_date": _l("第 %(line)s 行的日期 %(value)s 有误（格式 YYYY-MM-DD）"),
    "unknown_kind": _l("第 %(line)s 行的类型 %(value)s 有误（应为 holiday 或 workday）"),
    "listed_twice": _l("第 %(line)s 行的 %(value)s 重复（第 %(first)s 行已列出）"),
    "empty": _l("文件里没有「日期,类型」行"),
}


def policy_problem(err: PolicyError) -> str:
    return worded(POLICY_PROBLEMS, err.code, err.params, str(err))


def schedule_problem(err: ValueError) -> str:
    """A refused calendar file's reason; a reason the page worded itself (a ValueError without a code) stays."""
    return worded(SCHEDULE_PROBLEMS, getattr(err, "code", None), getattr(err, "params", None), str(err))


def worded(templates: Mapping[str, Any], code: str | None, params: Mapping[str, Any] | None, fallback: str) -> str:
    """The template for `code` filled with `params`; `fallback` (the engine's English) when there is no template,
    or when it names placeholders the params lack (a translation gone astray)."""
    template = templates.get(code or "")
    if template is None:
        return fallback
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return fallback


def field_errors(err: InvalidTaskData) -> dict[str, str]:
    """Each bad field's reason in words; a field without a known code keeps the engine's text."""
    fields = dict(err.details.get("fields") or {})
    for name, problem in (err.details.get("problems") or {}).items():
        fields[name] = worded(FIELD_PROBLEMS, problem.get("code"), problem.get("params"), fields.get(name, ""))
    return fields


def refusal(err: WorkflowError) -> str:
    """One sentence for the page's message box."""
    details = err.details
    if isinstance(err, TaskNotOpen):
        return _task_not_open(details)
    if isinstance(err, ConcurrentUpdate):
        return _("其他人在同一时刻处理了这个流程，您的操作未保存。")
    if isinstance(err, InvalidTaskData) and details.get("problems"):
        count = len(details["problems"])
        return ngettext("有 %(num)d 处需要修改。", "有 %(num)d 处需要修改。", count)
    if isinstance(err, PolicyRefused) and details.get("refusals"):
        reasons = "；".join(f"{r.get('rule')}：{r.get('message')}" for r in details["refusals"])
        return _("「%(name)s」不能提交：%(reasons)s", name=details.get("name", ""), reasons=reasons)
    if isinstance(err, StepFailed):
        return _("流程图运行出错，未保存任何内容。技术信息：%(detail)s", detail=err.message)
    return err.message


def _task_not_open(details: dict) -> str:
    name = details.get("name", "")
    reason = details.get("reason")
    if reason == "claimed_by_other":
        return _("「%(name)s」已被 %(who)s 签收，只有签收人可以办理。", name=name, who=details.get("assignee"))
    if reason == "not_claimed_by_you":
        return _("「%(name)s」不是您签收的，不能放弃签收。", name=name)
    if reason == "moved_on":
        return _("「%(name)s」已不在待办中：流程已经往下走了。", name=name)
    if reason == "closed" and details.get("state") == "completed":
        when = shanghai(details["completed_at"]) if details.get("completed_at") else ""
        return _("「%(name)s」已由 %(who)s 办理（%(when)s）。", name=name, who=details.get("completed_by") or "—",
                 when=when or "—")
    if reason == "closed":
        return _("「%(name)s」已取消：流程已经往下走了。", name=name)
    return _("「%(name)s」已不能办理。", name=name) if name else _("这项任务已不能办理。")
