"""indexes for a county's scale: "my tasks", the reminder sweep and timers, split_evasion over a unit's window

Revision ID: 0010
Revises: 0009
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_task_assignee_status', 'task', ['assignee_id', 'status']),
    ('ix_task_step_round_status', 'task', ['step_id', 'round', 'status']),
    ('ix_task_status_due', 'task', ['status', 'due_date']),
    ('ix_matter_step_due_date', 'matter_step', ['due_date']),
    ('ix_matter_step_provisional', 'matter_step', ['due_provisional', 'status']),
    ('ix_matter_workflow_step_status', 'matter', ['workflow_key', 'current_step', 'status']),
    ('ix_matter_workflow_unit_created', 'matter', ['workflow_key', 'unit_id', 'created_at']),
    ('ix_supervision_item_due_status', 'supervision_item', ['due_date', 'status']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
