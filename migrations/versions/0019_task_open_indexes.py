"""the task mirror's indexes follow its lists (issue 13 item 5): the open tasks by agency and by due moment in the
lists' order and by instance, one user's completed steps; they replace the index on state, lane and due moment
and the overdue scan's open-by-due index (0015), which the open tasks by due moment serve as well

Revision ID: 0019_task_open_indexes
Revises: 0018_inspection_assistants
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0019_task_open_indexes'
down_revision = '0018_inspection_assistants'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")
COMPLETED = sa.text("state = 'completed'")


def upgrade() -> None:
    op.create_index('ix_task_open_agency', 'task', ['agency', 'due_at', 'created_at', 'id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_open_due', 'task', ['due_at', 'created_at', 'id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_open_instance', 'task', ['instance_id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_done_by', 'task', ['completed_by', 'completed_at', 'id'], unique=False,
                    postgresql_where=COMPLETED, sqlite_where=COMPLETED)
    op.drop_index('ix_task_state_candidate_group_due_at', table_name='task')
    op.drop_index('ix_task_open_due_at', table_name='task')


def downgrade() -> None:
    op.create_index('ix_task_open_due_at', 'task', ['due_at'], unique=False, postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_state_candidate_group_due_at', 'task', ['state', 'candidate_group', 'due_at'],
                    unique=False)
    op.drop_index('ix_task_done_by', table_name='task')
    op.drop_index('ix_task_open_instance', table_name='task')
    op.drop_index('ix_task_open_due', table_name='task')
    op.drop_index('ix_task_open_agency', table_name='task')
