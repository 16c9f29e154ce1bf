"""行政行为码 (administrative behaviour code): the code an inspection team shows at the door (R6, R7, R22).

It covers either one inspection or one joint group (exactly one of the two). Issued only by
engine.domain.behavior_code.issue_code; `code` is unique and unguessable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.check_code import new_check_code
from engine.models.inspection import Inspection, JointInspectionGroup

CODE_STATUSES = ("issued", "revoked", "expired")


class BehaviorCode(Base):
    __tablename__ = "behavior_code"
    __table_args__ = (
        CheckConstraint("(inspection_id IS NULL) != (joint_group_id IS NULL)", name="covers_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    joint_group_id: Mapped[int | None] = mapped_column(ForeignKey("joint_inspection_group.id"), index=True)
    approved_by: Mapped[str] = mapped_column(String(120))  # the head whose approval it rests on (R6)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime())
    retroactive: Mapped[bool] = mapped_column(Boolean, default=False)  # 补码 after an urgent inspection (R7)
    issued_late: Mapped[bool] = mapped_column(Boolean, default=False)  # past the R7 deadline: 无码入企
    retroactive_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="issued")  # CODE_STATUSES
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # The enterprise's 校验码 for acting on this case on the portal (engine.models.check_code); handed over with
    # the notice. Every code gets one when it is made, whichever path issues it.
    check_code: Mapped[str | None] = mapped_column(String(12), default=new_check_code)

    inspection: Mapped[Inspection | None] = relationship()
    joint_group: Mapped[JointInspectionGroup | None] = relationship()
