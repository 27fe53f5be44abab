"""authentication: session version, failed sign-ins and lockout, forced password change; login_attempt

Revision ID: 0012
Revises: 0011

Existing people start at session version 0 with no failures, unlocked and not forced to change
their password; login_attempt starts empty (it holds only the throttling window's failures).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt')),
    )
    op.create_index(op.f('ix_login_attempt_source'), 'login_attempt', ['source'], unique=False)
    op.create_index(op.f('ix_login_attempt_at'), 'login_attempt', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_attempt_at'), table_name='login_attempt')
    op.drop_index(op.f('ix_login_attempt_source'), table_name='login_attempt')
    op.drop_table('login_attempt')
    with op.batch_alter_table('person') as batch:
        for column in ('password_changed_at', 'must_change_password', 'locked_until', 'failed_logins',
                       'session_version'):
            batch.drop_column(column)
