"""task comments, assignments and delegations (issue 12 items 2 and 10)

Revision ID: 0011_task_comments
Revises: 0010_enterprise_check_codes
Create Date: 2026-11-29
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0011_task_comments'
down_revision = '0010_enterprise_check_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in with the tables of its feature


def downgrade() -> None:
    pass
