"""whether an inspection was recorded on audio/video from start to end (全程音像记录, R22; issue 12)

Revision ID: 0016_inspection_audio_video
Revises: 0015_single_runner_duties
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = '0016_inspection_audio_video'
down_revision = '0015_single_runner_duties'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inspection') as batch:
        batch.add_column(sa.Column('audio_video', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inspection') as batch:
        batch.drop_column('audio_video')
