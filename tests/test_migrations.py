"""Alembic: one head, and the migrated schema is exactly what the models declare (SQLite and PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from quorum.database import alembic_config
from quorum.db import Base
from quorum.db.search import outside_models  # issue 15 search: FTS5 tables and PostgreSQL's gram columns


def test_one_head(db):
    heads = ScriptDirectory.from_config(alembic_config(db.engine)).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}; add a merge revision"


def test_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        # issue 15 search: the FTS5 index tables and the generated gram columns are made by migrations 0016–0017 only
        skip = {"include_name": lambda name, kind, parent: not outside_models(name, kind, parent)}
        diff = compare_metadata(MigrationContext.configure(connection, opts=skip), Base.metadata)
    assert diff == []


def test_the_schema_check_reads_the_same_head_and_revisions_as_alembic():
    """quorum.database reads the migration files as text (no alembic import per command): same answer."""
    from alembic.script import ScriptDirectory

    from quorum.database import MIGRATIONS, _revisions, code_head
    script = ScriptDirectory(str(MIGRATIONS))
    assert code_head() == script.get_current_head()
    assert _revisions()[0] == {r.revision for r in script.walk_revisions()}
