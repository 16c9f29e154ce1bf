"""notifications and each user's channels (issue 12 item 7)

Revision ID: 0013_notifications
Revises: 0012_attachments
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = '0013_notifications'
down_revision = '0012_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'dedupe_key'),
    )
    op.create_index('ix_notification_username_read_at', 'notification', ['username', 'read_at'], unique=False)
    op.create_table(
        'notification_channels',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('email_on', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('webhook_url', sa.String(length=500), nullable=True),
        sa.Column('webhook_on', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('username'),
    )
    op.create_table(
        'notification_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_tried_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notification_id', 'channel'),
    )
    op.create_index('ix_notification_delivery_sent_at_attempts', 'notification_delivery', ['sent_at', 'attempts'],
                    unique=False)
    op.create_table(
        'notification_scan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('scanned_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('notification_scan')
    op.drop_index('ix_notification_delivery_sent_at_attempts', table_name='notification_delivery')
    op.drop_table('notification_delivery')
    op.drop_table('notification_channels')
    op.drop_index('ix_notification_username_read_at', table_name='notification')
    op.drop_table('notification')
