"""merge the three branches built side by side: chains (0003), documents (0004), outbox (0005)

Revision ID: 0006
Revises: 0003, 0004, 0005
"""

revision = '0006'
down_revision = ('0003', '0004', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
