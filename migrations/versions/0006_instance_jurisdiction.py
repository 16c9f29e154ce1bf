"""instance jurisdiction: where a process instance (and a complaint) is placed when no agency places it

Revision ID: 0006_instance_jurisdiction
Revises: 0005_login_failures
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_instance_jurisdiction'
down_revision = '0005_login_failures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jurisdiction_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_process_instance_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_process_instance_jurisdiction_id_jurisdiction'), 'jurisdiction',
                                    ['jurisdiction_id'], ['id'])
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jurisdiction_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_complaint_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_complaint_jurisdiction_id_jurisdiction'), 'jurisdiction',
                                    ['jurisdiction_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_jurisdiction_id_jurisdiction'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_complaint_jurisdiction_id'))
        batch_op.drop_column('jurisdiction_id')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_process_instance_jurisdiction_id_jurisdiction'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_process_instance_jurisdiction_id'))
        batch_op.drop_column('jurisdiction_id')
