"""background_job: long actions started from a page (generating a PDF, exports), run off the request by a job thread

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'background_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_background_job_owner_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job')),
    )
    op.create_index(op.f('ix_background_job_owner_id'), 'background_job', ['owner_id'], unique=False)
    op.create_index('ix_background_job_status_lease', 'background_job', ['status', 'lease_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_background_job_status_lease', table_name='background_job')
    op.drop_index(op.f('ix_background_job_owner_id'), table_name='background_job')
    op.drop_table('background_job')
