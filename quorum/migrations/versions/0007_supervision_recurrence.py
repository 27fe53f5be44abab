"""supervision items that recur after completion (done, and kept going)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('supervision_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recurrence', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('supervision_item', schema=None) as batch_op:
        batch_op.drop_column('recurrence')
