"""attachments: files stored outside the workflow data (issue 12 item 3)

Revision ID: 0012_attachments
Revises: 0011_task_comments
Create Date: 2026-11-29
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0012_attachments'
down_revision = '0011_task_comments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in with the tables of its feature


def downgrade() -> None:
    pass
