"""An administrator's version of a printable document's template (执法文书, issue 12 item 6). The shipped text
lives in engine/data/documents/; a row here replaces it until the administrator restores the shipped one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class DocumentTemplate(Base):
    __tablename__ = "document_template"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # engine.domain.paper_templates.DOCUMENTS
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
