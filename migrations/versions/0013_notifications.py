"""notifications and each user's channels (issue 12 item 7)

Revision ID: 0013_notifications
Revises: 0012_attachments
Create Date: 2026-11-29
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0013_notifications'
down_revision = '0012_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in with the tables of its feature


def downgrade() -> None:
    pass
