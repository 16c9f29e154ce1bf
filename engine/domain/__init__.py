"""Domain rules of 涉企行政检查 that are plain functions over records.

- policy: a jurisdiction's policy document (figures of DOMAIN.md as data), presets, JSON validation
- credit_code: 统一社会信用代码 validation and check character
- behavior_code: issuing 行政行为码 through the approval path (R6/R7) and verifying them
- decisions: the log of refusals, overrides and violations a supervisor reads
- vocabulary: the closed lists (exemption reasons, triggers, outcomes) with their Chinese terms
- errors: `Refused`, the exception every rule raises with its R-number and figures
"""
