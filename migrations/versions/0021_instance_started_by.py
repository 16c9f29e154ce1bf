"""我发起 reads one user's cases newest first off an index on the instances' starter (issue 13: the tab scanned
every instance)

Revision ID: 0021_instance_started_by
Revises: 0020_task_placement
Create Date: 2026-11-30
"""

from alembic import op

revision = '0021_instance_started_by'
down_revision = '0020_task_placement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_process_instance_started_by', 'process_instance', ['started_by', 'created_at', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_process_instance_started_by', table_name='process_instance')
