"""deadline attempts: sweeps that began firing a deadline without finishing, so one that kills the sweeper
is given up after a bounded number of tries

Revision ID: 0009_deadline_attempts
Revises: 0008_portal_writes
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_deadline_attempts'
down_revision = '0008_portal_writes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_column('attempts')
