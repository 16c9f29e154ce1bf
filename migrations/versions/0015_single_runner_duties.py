"""single-runner duties: one open alert per kind and subject as a unique partial index, the open tasks'
due-moment index for the overdue scan, and leases on background jobs (issue 13 item 3)

Existing duplicates of an open alert are closed first: the newest stays open, the older ones are resolved by
`migration`. A job's `runner` (host:pid:token) gives way to its lease: claimed_by, lease_until, heartbeat_at and
the number of claims; a job left queued or running is claimed again by the next worker.

Revision ID: 0015_single_runner_duties
Revises: 0014_document_templates
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = '0015_single_runner_duties'
down_revision = '0014_document_templates'
branch_labels = None
depends_on = None

OPEN = "status IN ('open', 'acknowledged')"


def upgrade() -> None:
    op.execute(sa.text(
        f"UPDATE alert SET status = 'resolved', resolved_at = updated_at, resolved_by = 'migration' "
        f"WHERE {OPEN} AND EXISTS (SELECT 1 FROM alert AS newer WHERE newer.kind = alert.kind "
        f"AND newer.subject = alert.subject AND newer.{OPEN} AND newer.id > alert.id)"))
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('uq_alert_open_kind_subject', ['kind', 'subject'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_open_due_at', ['due_at'], unique=False,
                              sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('lease_until', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('runner')


def downgrade() -> None:
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_due_at', sqlite_where=sa.text("state = 'open'"),
                            postgresql_where=sa.text("state = 'open'"))
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('uq_alert_open_kind_subject', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
