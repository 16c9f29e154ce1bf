"""A refused diagram's problems in the visitor's language, for the process owner's pages (the upload form and
the modeler): engine.bpmn.errors.DiagramError gives a stable `code` with `params`; a technical detail quoted
from a parser or the expression checker (`detail`) stays as it was written. A code not worded here shows the
engine's English sentence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.engine_messages import worded

DIAGRAM_PROBLEMS = {
    "no_process": _l("流程图里没有流程（bpmn:process）。"),
    "no_executable_process": _l("没有可执行的流程：请把要运行的流程标为可执行（isExecutable=\"true\"）。"),
    "duplicate_id": _l("标识「%(id)s」重复使用（第一次在第 %(first_line)s 行）。"),
    "no_start_event": _l("流程没有开始事件。"),
    "reserved_id": _l("标识「%(id)s」为引擎保留（Start、End 及含点号的标识），请改名。"),
    "unsupported_element": _l("引擎不支持 %(kind)s 元素，请改用脚本任务、用户任务或排他/包容网关等。"),
    "call_without_process": _l("调用活动没有指定要调用的流程（calledElement）。"),
    "call_to_non_executable": _l("调用活动调用的流程「%(called)s」被标为不可执行。"),
    "script_not_python": _l("脚本语言为「%(format)s」；只支持 Python 脚本。"),
    "unsupported_event": _l("不支持 %(kind)s 类事件定义。"),
    "bad_expression": _l("%(what)s有误：%(detail)s"),
    "form_misplaced": _l("表单（inspectflow:form）只能放在用户任务的扩展元素里。"),
    "form_field_name": _l("表单字段名「%(field)s」须是变量名（字母开头，只含字母、数字和下划线）。"),
    "form_field_twice": _l("表单字段「%(field)s」重复。"),
    "form_field_type": _l("表单字段「%(field)s」的类型「%(type)s」未知。"),
    "form_field_choices": _l("表单字段「%(field)s」是选择类，须给出选项（如 a|b|c）。"),
    "form_field_choices_from": _l("表单字段「%(field)s」的 choices_from「%(source)s」无效："
                                 "只用于选择类字段，可选 plan_inspectors、plan_items。"),
    "form_field_required": _l("表单字段「%(field)s」的必填只能是 true 或 false。"),
    "form_field_flag": _l("表单字段「%(field)s」的 %(flag)s 只用于附件字段（type=\"file\"），只能是 true 或 false。"),
    "form_field_accept": _l("表单字段「%(field)s」的 accept「%(accept)s」无效：只用于附件字段，可选 image、pdf、audio、"
                            "video（逗号分隔）。"),
    "form_field_when": _l("表单字段「%(field)s」的 when「%(when)s」须是同一表单中的是/否字段。"),
    "form_field_default": _l("表单字段「%(field)s」的默认值「%(default)s」无效：只有日期字段可写 default=\"today\"。"),
    "shows_misplaced": _l("案情展示（inspectflow:shows）只能放在用户任务的扩展元素里。"),
    "shows_unknown_section": _l("任务「%(task)s」要展示的案情部分「%(section)s」不存在。"),
    "shows_unknown_step": _l("任务「%(task)s」要展示「%(step)s」的意见，但本流程图没有这个用户任务。"),
    "copy_misplaced": _l("抄送（inspectflow:copy）只能放在用户任务的扩展元素里。"),
    "copy_unknown_group": _l("任务「%(task)s」抄送给的岗位「%(group)s」不存在（可选：%(known)s）。"),
    "check_point_misplaced": _l("检查点只能放在任务的扩展元素里。"),
    "check_point_without_stage": _l("检查点没有指定环节规则（stage）。"),
    "check_point_blocking": _l("检查点的 blocking 只能是 true 或 false。"),
    "check_point_unknown_stage": _l("检查点的环节规则「%(stage)s」不存在。"),
    "too_large": _l("流程图文件超过 %(limit_mb)s MB。"),
    "empty": _l("流程图文件是空的。"),
    "doctype": _l("流程图不得包含 DOCTYPE 或实体声明（出于安全考虑）。"),
    "malformed_xml": _l("XML 格式错误：%(detail)s"),
    "not_bpmn": _l("这不是 BPMN 流程图：根元素须是 bpmn:definitions。"),
    "too_deep": _l("流程图嵌套过深或过长，无法解析。"),
    "bpmn_invalid": _l("BPMN 结构有误：%(detail)s"),
    "id_too_long": _l("标识有 %(length)s 个字符，超过可保存的 %(limit)s 个。"),
    "name_too_long": _l("名称有 %(length)s 个字符，超过可保存的 %(limit)s 个。"),
}
EXPRESSION_KINDS = {
    "condition": _l("条件表达式"),
    "script": _l("脚本"),
    "pre-script": _l("前置脚本"),
    "post-script": _l("后置脚本"),
    "timeDate": _l("定时表达式（时间点）"),
    "timeDuration": _l("定时表达式（时长）"),
    "timeCycle": _l("定时表达式（周期）"),
    "loop condition": _l("循环条件"),
    "loop cardinality": _l("循环次数"),
    "completion condition": _l("完成条件"),
    "message payload": _l("消息内容"),
    "payload expression": _l("消息内容表达式"),
    "correlation expression": _l("关联表达式"),
}


def problem_words(code: str | None, params: dict | None, reason: str) -> str:
    """The problem in the visitor's language; `reason` (the engine's English) when it cannot be worded."""
    values = dict(params or {})
    if "what" in values:
        values["what"] = str(EXPRESSION_KINDS.get(values["what"], values["what"]))
    return worded(DIAGRAM_PROBLEMS, code, values, reason)
