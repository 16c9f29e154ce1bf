"""task comments (issue 12 item 2); assignments and delegations are kept in the audit trail (item 10)

Revision ID: 0011_task_comments
Revises: 0010_enterprise_check_codes
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = '0011_task_comments'
down_revision = '0010_enterprise_check_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_task_comment_instance_id_id', 'task_comment', ['instance_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_task_comment_instance_id_id', table_name='task_comment')
    op.drop_table('task_comment')
