"""the open tasks' indexes: by agency and by due moment in the lists' order, and by instance (issue 13 item 5)

Revision ID: 0015_task_open_indexes
Revises: 0014_document_templates
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_task_open_indexes'
down_revision = '0014_document_templates'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    op.create_index('ix_task_open_agency', 'task', ['agency', 'due_at', 'created_at', 'id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_open_due', 'task', ['due_at', 'created_at', 'id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_task_open_instance', 'task', ['instance_id'], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    op.drop_index('ix_task_open_instance', table_name='task')
    op.drop_index('ix_task_open_due', table_name='task')
    op.drop_index('ix_task_open_agency', table_name='task')
