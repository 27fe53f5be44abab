"""audit_event.scheme: how each event's hash was made ("sha256" before, "hmac-sha256" keyed from now on)

Revision ID: 0013
Revises: 0012

Existing events keep verifying as plain SHA-256; events appended after this migration are keyed
with the audit key kept outside the database ([audit] key_file).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=16), server_default='sha256', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('scheme')
