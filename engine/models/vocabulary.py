"""Closed lists the rules name: machine codes stored in records, each with the seeds' Chinese term.

Records store the English code; pages show the Chinese label. Policy documents may restrict or
extend the exemption lists per jurisdiction, but only with codes from here, so that reports group alike.
"""

from __future__ import annotations

# R1: who may take part in an inspection. Only an enforcement officer (执法人员 holding a 执法证) may.
INSPECTOR_KINDS = {
    "enforcement_officer": "执法人员",
    "auxiliary": "辅助人员",
    "grid_worker": "网格员",
    "temporary": "临时聘用人员",
    "third_party": "第三方人员",
    "intermediary": "中介机构人员",
}
QUALIFIED_INSPECTOR_KIND = "enforcement_officer"
INSPECTOR_STATUSES = ("active", "suspended", "revoked")

CREDIT_CLASSES = ("A", "B", "C", "D")  # R17 精准画像 grades

# R16: triggers of 触发式检查 (000 §9, 001); "routine" is 日常检查.
TRIGGER_KINDS = {
    "complaint_report": "投诉举报",
    "referral_assignment": "转办交办",
    "data_monitoring": "数据监测",
    "patrol_finding": "巡查发现",
    "enterprise_request": "应企业申请",
}
INSPECTION_TRIGGERS = ("routine", "triggered")
INSPECTION_MODES = ("onsite", "non_onsite")
# R7: why an inspection could not be approved beforehand.
URGENT_REASONS = {
    "temporary": "临时性检查",
    "four_nots_two_directs": "四不两直",
    "unannounced": "暗查暗访",
    "special_reason": "特殊原因",
}

# R12 (Yunhe 002(三)): reasons an inspection may enter the quiet period.
QUIET_PERIOD_EXEMPTIONS = {
    "life_property_safety": "人民群众生命财产安全",
    "major_public_interest": "重大公共利益",
    "major_public_safety": "重大公共安全",
    "major_social_impact": "重大社会影响",
    "emergency": "突发事件",
    "complaint_report": "投诉举报",
    "case_investigation": "案件查处",
    "superior_assignment": "上级安排部署",
    "seriously_dishonest": "企业被列入严重失信主体",
}
# R14 (Kaifeng 003(一)): reasons a routine inspection may happen outside the allowed window.
ALLOWED_WINDOW_EXEMPTIONS = {
    "superior_assignment": "上级交办",
    "department_referral": "部门转办",
    "complaint_report": "投诉举报",
    "case_investigation": "案件查处",
    "licence_site_survey": "行政许可现场勘验",
}
# R14: enterprise sector tags that exempt by themselves (特殊行业、重点领域, 国有独资或控股企业).
SECTOR_TAGS = {
    "public_safety": "公众安全",
    "life_health": "人民群众生命健康",
    "state_owned": "国有独资或控股",
}
# R8 (001, 002(五)): why advance notice may be skipped.
NOTICE_EXEMPTIONS = {
    "not_public_by_law": "依法不予公开",
    "unsuitable_for_prior_notice": "不适宜事先通知",
}
NOTICE_METHODS = ("platform", "sms", "phone", "letter", "in_person")

COMPLAINT_KINDS = {
    "no_code_entry": "无码入企",  # R22
    "misconduct": "违反五个严禁、八个不得",  # R23
    "other": "其他",
}
# R26 outcomes; a substantiated complaint always gets order_correction.
COMPLAINT_OUTCOMES = {
    "order_correction": "责令改正",
    "public_interview": "公开约谈",
    "supervise_and_expose": "督办通报",
    "transfer_to_discipline": "移送纪检监察",
}

# 五个严禁、八个不得 (001 (2)): what an enterprise can tick when it rates an inspection (R23).
PROHIBITIONS = {
    "profit_seeking": "严禁逐利检查",
    "disrupting_business": "严禁干扰企业正常生产经营",
    "arbitrary_penalties": "严禁任性处罚企业",
    "inspection_quotas": "严禁下达检查指标",
    "disguised_inspection": "严禁变相检查",
    "gifts": "不得接受被检查企业的馈赠、报酬、福利待遇",
    "banquets_trips": "不得参加被检查企业提供的宴请、娱乐、旅游等活动",
    "costs_shifted": "不得由被检查企业支付消费开支或者将检查费用转嫁给企业",
    "designated_intermediary": "不得强制企业接受指定的中介机构提供服务",
    "legal_representative_summoned": "不得刻意要求法定代表人到场",
    "arbitrary_seizure": "不得乱查封、乱扣押、乱冻结、动辄责令停产停业",
    "fines_tied_to_appraisal": "不得将考核考评、预算项目绩效与检查频次、罚款数额挂钩",
    "visits_as_inspections": "不得以观摩、督导、考察、走访等名义行检查之实",
}
