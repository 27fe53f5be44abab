"""loaded holiday arrangements (quorum calendar load): one appended row per load

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('holidays', sa.JSON(), nullable=False),
        sa.Column('workdays', sa.JSON(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.Column('loaded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['loaded_by_id'], ['person.id'], name=op.f('fk_calendar_year_loaded_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_year')),
    )
    op.create_index(op.f('ix_calendar_year_year'), 'calendar_year', ['year'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_calendar_year_year'), table_name='calendar_year')
    op.drop_table('calendar_year')
