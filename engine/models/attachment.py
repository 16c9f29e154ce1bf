"""Files attached to a case (附件: photos of the 现场检查笔录, evidence of a complaint or a 整改 report, R22, R25,
R26): one row per attachment, the bytes kept outside the database in the content-addressed store
(engine.platform.attachment_store) under their sha256 — the same bytes attached twice are stored once.

Access is decided by the case: `instance_id` (the procedure the file was attached in) and, for a complaint's
evidence, `complaint_id`. The workflow data keeps only the metadata (`Attachment.summary`), never the bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))  # as detected from the bytes, never the name
    name: Mapped[str] = mapped_column(String(120))  # the uploaded file's name, sanitised
    field: Mapped[str] = mapped_column(String(64))  # the form field (or "evidence") it was attached through
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))  # the step it was attached on, if any
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def summary(self) -> dict:
        """What the task data keeps of it."""
        return {"id": self.id, "name": self.name, "type": self.media_type, "size": self.size, "sha256": self.sha256}
