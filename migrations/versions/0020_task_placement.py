"""the task rows carry where they are placed when no agency places them (issue 13): the instance's jurisdiction and
the enterprises of its inspection and of its complaint (engine.runtime.placement), filled from the existing rows; an
instance is linked to at most one inspection and one complaint, so each copy is one value

Revision ID: 0020_task_placement
Revises: 0019_task_open_indexes
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = '0020_task_placement'
down_revision = '0019_task_open_indexes'
branch_labels = None
depends_on = None

PLACES = {
    'instance_jurisdiction_id': "(SELECT jurisdiction_id FROM process_instance WHERE id = task.instance_id)",
    'inspection_enterprise_id': "(SELECT enterprise_id FROM inspection WHERE process_instance_id = task.instance_id)",
    'complaint_enterprise_id': "(SELECT enterprise_id FROM complaint WHERE process_instance_id = task.instance_id)",
}
LINKED = ('inspection', 'complaint')


def upgrade() -> None:
    for table in LINKED:
        op.drop_index(f'ix_{table}_process_instance_id', table_name=table)
        op.create_index(f'ix_{table}_process_instance_id', table, ['process_instance_id'], unique=True)
    for column in PLACES:
        op.add_column('task', sa.Column(column, sa.Integer(), nullable=True))
    # Every row, open or done: a done step counts for who sees its instance (engine.identity.access).
    op.execute("UPDATE task SET " + ", ".join(f"{column} = {place}" for column, place in PLACES.items()))


def downgrade() -> None:
    for column in reversed(PLACES):
        op.drop_column('task', column)
    for table in LINKED:
        op.drop_index(f'ix_{table}_process_instance_id', table_name=table)
        op.create_index(f'ix_{table}_process_instance_id', table, ['process_instance_id'], unique=False)
