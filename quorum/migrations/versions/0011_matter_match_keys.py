"""matter_match_key: each matter's normalised vendor / project / purpose, so split_evasion reads by index

Revision ID: 0011
Revises: 0010

The backfill reads, for every matter, the [split_evasion] match_fields of the workflow in the
policy version it was filed under (the stored raw policy files, plain JSON) and computes the key
as quorum.core.money.match_key does today; later matters get their rows when they are filed.
"""
import hashlib

from alembic import op
import sqlalchemy as sa

from quorum.core.money import match_key


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'matter_match_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('workflow_key', sa.String(length=64), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_match_key_matter_id_matter')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_matter_match_key_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_match_key')),
    )
    op.create_index(op.f('ix_matter_match_key_matter_id'), 'matter_match_key', ['matter_id'], unique=False)
    op.create_index('ix_matter_match_key_lookup', 'matter_match_key',
                    ['workflow_key', 'unit_id', 'field', 'key', 'created_at'], unique=False)
    backfill(op.get_bind())


def _stored_key(key: str) -> str:
    # as quorum.services.checks.stored_key: a digest (space-prefixed, never a key) when too long to index
    return key if len(key) <= 200 else " sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _match_fields(conn: sa.Connection) -> dict[tuple[int, str], list[str]]:
    """(policy version id, workflow key) -> the match fields of its [split_evasion] rule."""
    versions = sa.table('policy_version', sa.column('id', sa.Integer), sa.column('content', sa.JSON))
    found = {}
    for version_id, content in conn.execute(sa.select(versions.c.id, versions.c.content)):
        for data in (content or {}).get('workflows', {}).values():
            rule = data.get('split_evasion') if isinstance(data, dict) else None
            if isinstance(rule, dict) and rule.get('match_fields'):
                found[(version_id, data.get('key'))] = list(rule['match_fields'])
    return found


def backfill(conn: sa.Connection) -> None:
    matter = sa.table('matter', sa.column('id', sa.Integer), sa.column('workflow_key', sa.String),
                      sa.column('policy_version_id', sa.Integer), sa.column('unit_id', sa.Integer),
                      sa.column('fields', sa.JSON), sa.column('created_at', sa.DateTime))
    keys = sa.table('matter_match_key', sa.column('matter_id', sa.Integer), sa.column('workflow_key', sa.String),
                    sa.column('unit_id', sa.Integer), sa.column('field', sa.String), sa.column('key', sa.String),
                    sa.column('created_at', sa.DateTime))
    rules = _match_fields(conn)
    if not rules:
        return
    query = (sa.select(matter.c.id, matter.c.workflow_key, matter.c.policy_version_id, matter.c.unit_id,
                       matter.c.fields, matter.c.created_at)
             .where(matter.c.workflow_key.in_({w for _, w in rules}), matter.c.unit_id.is_not(None))
             .order_by(matter.c.id))
    rows = []
    for matter_id, workflow, version_id, unit_id, values, created_at in conn.execute(query):
        for name in rules.get((version_id, workflow), ()):
            if (values or {}).get(name):
                rows.append({'matter_id': matter_id, 'workflow_key': workflow, 'unit_id': unit_id, 'field': name,
                             'key': _stored_key(match_key(values[name])), 'created_at': created_at})
        if len(rows) >= 5000:
            conn.execute(keys.insert(), rows)
            rows = []
    if rows:
        conn.execute(keys.insert(), rows)


def downgrade() -> None:
    op.drop_index('ix_matter_match_key_lookup', table_name='matter_match_key')
    op.drop_index(op.f('ix_matter_match_key_matter_id'), table_name='matter_match_key')
    op.drop_table('matter_match_key')
