"""portal writes: the portal throttle's count of complaints and ratings per address, shared by every web
process and kept across restarts

Revision ID: 0008_portal_writes
Revises: 0007_sessions_and_token_expiry
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0008_portal_writes'
down_revision = '0007_sessions_and_token_expiry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_write',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('act', sa.String(length=20), nullable=False),
    sa.Column('at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_write'))
    )
    with op.batch_alter_table('portal_write', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_write_at'), ['at'], unique=False)
        batch_op.create_index('ix_portal_write_address_at', ['address', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('portal_write', schema=None) as batch_op:
        batch_op.drop_index('ix_portal_write_address_at')
        batch_op.drop_index(batch_op.f('ix_portal_write_at'))

    op.drop_table('portal_write')
