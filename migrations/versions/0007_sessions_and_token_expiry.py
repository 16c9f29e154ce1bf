"""sessions and token expiry: page logins held on the server, API tokens that expire, accounts that can be
deactivated, and an index for the per-address login limit

Revision ID: 0007_sessions_and_token_expiry
Revises: 0006_instance_jurisdiction
Create Date: 2026-11-29
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0007_sessions_and_token_expiry'
down_revision = '0006_instance_jurisdiction'
branch_labels = None
depends_on = None

# Tokens issued before tokens expired get the default lifetime from their issue (engine.identity.api_tokens).
EXISTING_TOKEN_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_login_session_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)

    # Plain ALTERs, not a batch: SQLite would copy app_user, and dropping the referenced original fails.
    op.add_column('app_user', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('app_user', sa.Column('deactivated_at', engine.models.base.UTCDateTime(timezone=True),
                                        nullable=True))

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table('api_token', sa.column('id', sa.Integer()),
                      sa.column('created_at', engine.models.base.UTCDateTime(timezone=True)),
                      sa.column('expires_at', engine.models.base.UTCDateTime(timezone=True)))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        connection.execute(tokens.update().where(tokens.c.id == token_id)
                           .values(expires_at=created_at + EXISTING_TOKEN_LIFETIME))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=engine.models.base.UTCDateTime(timezone=True),
                              nullable=False)

    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_address_at', ['address', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_address_at')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    op.drop_column('app_user', 'deactivated_at')  # SQLite 3.35+ drops a column in place (see upgrade)
    op.drop_column('app_user', 'active')

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_session_expires_at'))

    op.drop_table('login_session')
