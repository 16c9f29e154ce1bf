"""administrators' versions of the printable documents' templates (执法文书, issue 12 item 6)

Revision ID: 0014_document_templates
Revises: 0013_notifications
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = '0014_document_templates'
down_revision = '0013_notifications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_template',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.String(length=120), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_document_template')),
    )


def downgrade() -> None:
    op.drop_table('document_template')
