"""the other governance chains: flags, publicity objections, copies, payments, unit meetings

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _id():
    return sa.Column('id', sa.Integer(), nullable=False)


def _fk(table, column, target='person'):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade() -> None:
    op.create_table('matter_flag', _id(),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('matter_flag', 'matter_id', 'matter'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_flag')))
    op.create_index(op.f('ix_matter_flag_matter_id'), 'matter_flag', ['matter_id'])

    op.create_table('publicity_objection', _id(),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('step_key', sa.String(length=64), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('complainant', sa.String(length=200), nullable=True),
        sa.Column('contact', sa.String(length=200), nullable=True),
        sa.Column('specific', sa.Boolean(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('lodged_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('finding', sa.Text(), nullable=True),
        sa.Column('feedback', sa.Text(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        _fk('publicity_objection', 'matter_id', 'matter'),
        _fk('publicity_objection', 'recorded_by_id'),
        _fk('publicity_objection', 'resolved_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_objection')))
    op.create_index(op.f('ix_publicity_objection_matter_id'), 'publicity_objection', ['matter_id'])
    op.create_index(op.f('ix_publicity_objection_status'), 'publicity_objection', ['status'])

    op.create_table('matter_copy', _id(),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('matter_copy', 'matter_id', 'matter'),
        _fk('matter_copy', 'person_id'),
        _fk('matter_copy', 'by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_copy')))
    op.create_index(op.f('ix_matter_copy_matter_id'), 'matter_copy', ['matter_id'])
    op.create_index(op.f('ix_matter_copy_person_id'), 'matter_copy', ['person_id'])

    op.create_table('payment', _id(),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(16, 2), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('payment', 'matter_id', 'matter'),
        _fk('payment', 'recorded_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')))
    op.create_index(op.f('ix_payment_matter_id'), 'payment', ['matter_id'])

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_unit_id_unit'), 'unit', ['unit_id'], ['id'])
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledgement', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agenda_item_acknowledged_by_id_person'), 'person',
                                    ['acknowledged_by_id'], ['id'])
    with op.batch_alter_table('opinion', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opinion_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attachment_opinion_id_opinion'), 'opinion', ['opinion_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('opinion', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachment_opinion_id_opinion'), type_='foreignkey')
        batch_op.drop_column('opinion_id')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agenda_item_acknowledged_by_id_person'), type_='foreignkey')
        for column in ('acknowledgement', 'acknowledged_at', 'acknowledged_by_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
    for table in ('payment', 'matter_copy', 'publicity_objection', 'matter_flag'):
        op.drop_table(table)
