"""assistants (辅助人员) named in advance on an inspection, apart from its inspectors (R1)

Revision ID: 0018_inspection_assistants
Revises: 0017_case_copies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0018_inspection_assistants'
down_revision = '0017_case_copies'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inspection_assistant',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_assistant_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['inspector_id'], ['inspector.id'], name=op.f('fk_inspection_assistant_inspector_id_inspector')),
    sa.PrimaryKeyConstraint('inspection_id', 'inspector_id', name=op.f('pk_inspection_assistant'))
    )
    with op.batch_alter_table('inspection_assistant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_assistant_inspector_id'), ['inspector_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inspection_assistant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_assistant_inspector_id'))
    op.drop_table('inspection_assistant')
