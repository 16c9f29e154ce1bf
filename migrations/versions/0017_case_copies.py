"""抄送: cases copied to a group when a step completes, and each reader's mark of having opened them (issue 12 item 4)

Revision ID: 0017_case_copies
Revises: 0016_inspection_audio_video
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = '0017_case_copies'
down_revision = '0016_inspection_audio_video'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('element_id', sa.String(length=255), nullable=False),
        sa.Column('step_name', sa.String(length=255), nullable=False),
        sa.Column('candidate_group', sa.String(length=255), nullable=False),
        sa.Column('agency', sa.String(length=120), nullable=True),
        sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
        sa.Column('copied_by', sa.String(length=120), nullable=False),
        sa.Column('copied_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_copy_instance_id', 'case_copy', ['instance_id'], unique=False)
    op.create_index('ix_case_copy_candidate_group_copied_at', 'case_copy', ['candidate_group', 'copied_at'],
                    unique=False)
    op.create_table(
        'case_copy_read',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('username', 'instance_id'),
    )


def downgrade() -> None:
    op.drop_table('case_copy_read')
    op.drop_index('ix_case_copy_candidate_group_copied_at', table_name='case_copy')
    op.drop_index('ix_case_copy_instance_id', table_name='case_copy')
    op.drop_table('case_copy')
