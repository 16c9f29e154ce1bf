"""The quiet-period override's filing follows its procedure (R11, issue 11 defect 6): 报县综合执法办备案 records when
and with whom the approved override was filed, 备案登记 the county office's filing number, on the override that
主要负责人审批 recorded (`override_id` in the instance's data, engine.domain.stages.record_override). Its filing
deadline (`filing_due_at`) is the deadlines' own business, not written here."""

from __future__ import annotations

from engine.domain.errors import Refused
from engine.domain.inspection_records import moment_of
from engine.models import Inspection, QuietPeriodOverride
from engine.models.base import column_length
from engine.runtime.stages import StageContext

FILED_WITH = "县综合执法办"  # the office that registers quiet-period filings (002(二)(九))


def record_override_filing(context: StageContext, inspection: Inspection) -> dict:
    """报县综合执法办备案."""
    override = _override(context, inspection)
    override.filed_at = moment_of(context.data.get("filing_date"), context.step.now) or context.step.now
    override.filed_with = FILED_WITH
    return {}


def record_filing_registered(context: StageContext, inspection: Inspection) -> dict:
    """备案登记: the county office's filing number."""
    override = _override(context, inspection)
    number = str(context.data.get("filing_no") or "").strip()
    override.filing_reference = number[:column_length(QuietPeriodOverride, "filing_reference")] or None
    return {}


def _override(context: StageContext, inspection: Inspection) -> QuietPeriodOverride:
    override_id = context.data.get("override_id")
    override = context.step.session.get(QuietPeriodOverride, override_id) if isinstance(override_id, int) else None
    if override is None or override.inspection_id != inspection.id:
        raise Refused("R11", "找不到本次检查经批准的安静期检查审批记录，无法登记备案", {"override_id": override_id})
    return override


OVERRIDE_STEPS = {"record_override_filing": record_override_filing,
                  "record_filing_registered": record_filing_registered}
