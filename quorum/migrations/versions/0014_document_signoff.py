"""document_signoff (sending for sign_off: one row per round, open until signed off or returned) and
document.ofd_path / ofd_sha256

Revision ID: 0014
Revises: 0013

Every draft already in the database gets an open round, as a draft made from now on does.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document') as batch:
        batch.add_column(sa.Column('ofd_path', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('ofd_sha256', sa.String(length=64), nullable=True))
    op.create_table(
        'document_signoff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_document_signoff_document_id_document')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['person.id'], name=op.f('fk_document_signoff_opened_by_id_person')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['person.id'], name=op.f('fk_document_signoff_closed_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_signoff')),
    )
    op.create_index(op.f('ix_document_signoff_document_id'), 'document_signoff', ['document_id'], unique=False)
    op.execute("INSERT INTO document_signoff (document_id, opened_at, reason) "
               "SELECT id, updated_at, '' FROM document WHERE status = 'draft'")


def downgrade() -> None:
    op.drop_index(op.f('ix_document_signoff_document_id'), table_name='document_signoff')
    op.drop_table('document_signoff')
    with op.batch_alter_table('document') as batch:
        batch.drop_column('ofd_sha256')
        batch.drop_column('ofd_path')
