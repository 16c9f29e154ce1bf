"""enterprise check codes (校验码): the per-case secret with which the enterprise acts on the portal — kept in
clear on behaviour codes (handed over with the notice), as a digest on complaints (shown once when filing)

Revision ID: 0010_enterprise_check_codes
Revises: 0009_deadline_attempts
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from engine.models.check_code import new_check_code

revision = '0010_enterprise_check_codes'
down_revision = '0009_deadline_attempts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('behavior_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_code', sa.String(length=12), nullable=True))
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_digest', sa.String(length=64), nullable=True))
    # Codes issued before: each gets its own check code, so their enterprises can act too. Complaints filed
    # before keep none (their complainants never saw one): they can still follow them by tracking number.
    codes = sa.table('behavior_code', sa.column('id', sa.Integer), sa.column('check_code', sa.String))
    bind = op.get_bind()
    for (code_id,) in bind.execute(sa.select(codes.c.id)).all():
        bind.execute(codes.update().where(codes.c.id == code_id).values(check_code=new_check_code()))


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('check_digest')
    with op.batch_alter_table('behavior_code', schema=None) as batch_op:
        batch_op.drop_column('check_code')
