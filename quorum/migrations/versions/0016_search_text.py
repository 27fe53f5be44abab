"""matter_search / document_search: the search text of matters and documents, kept current by triggers

Revision ID: 0016
Revises: 0015

A matter's text is its title, every scalar value of its fields and every opinion's text; a document's is
its title, doc_number and body. Triggers rewrite the row on every insert or change of those columns (and of
an opinion), so every writer — the services, the CLI, the flows, a bulk load — keeps it current.

PostgreSQL: pg_trgm (a trusted extension: the database owner may create it) and a GIN trigram index, which
serves ILIKE '%…%' for Chinese substrings of three characters or more. SQLite: FTS5 tables with the trigram
tokenizer over the plain rows (external content), kept in step by triggers on the plain tables.
Existing matters and documents are indexed here. The lists are newest first: matter (created_at, id) is indexed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _tables() -> None:
    for table, key in (("matter_search", "matter_id"), ("document_search", "document_id")):
        op.create_table(
            table,
            sa.Column(key, sa.Integer(), autoincrement=False, nullable=False),
            sa.Column('content', sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint(key, name=op.f(f'pk_{table}')),
        )


# -- SQLite ---------------------------------------------------------------------------------------------

_SQLITE_MATTER_TEXT = """
    SELECT m.id, m.title
        || ' ' || coalesce((SELECT group_concat(j.atom, ' ') FROM json_tree(m.fields) AS j
                            WHERE j.atom IS NOT NULL AND j.type IN ('text', 'integer', 'real')), '')
        || ' ' || coalesce((SELECT group_concat(o.text, ' ') FROM opinion AS o
                            WHERE o.matter_id = m.id AND o.text <> ''), '')
    FROM matter AS m WHERE m.id = {ref}
"""
_SQLITE_DOCUMENT_TEXT = """
    SELECT d.id, d.title || ' ' || coalesce(d.doc_number, '') || ' ' || coalesce(d.body, '')
    FROM document AS d WHERE d.id = {ref}
"""


def _sqlite_upsert(table: str, key: str, select: str, ref: str) -> str:
    return (f"INSERT INTO {table} ({key}, content) {select.format(ref=ref)} "
            f"ON CONFLICT ({key}) DO UPDATE SET content = excluded.content;")


def _sqlite() -> None:
    op.execute("CREATE INDEX ix_matter_search_content ON matter_search (content) WHERE 0")
    op.execute("CREATE INDEX ix_document_search_content ON document_search (content) WHERE 0")
    for table, key in (("matter_search", "matter_id"), ("document_search", "document_id")):
        fts = f"{table}_fts"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(content, content='{table}', content_rowid='{key}', "
                   "tokenize='trigram')")
        op.execute(f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts} (rowid, content) VALUES (new.{key}, new.content); END")
        op.execute(f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts} ({fts}, rowid, content) VALUES ('delete', old.{key}, old.content); END")
        op.execute(f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN "
                   f"INSERT INTO {fts} ({fts}, rowid, content) VALUES ('delete', old.{key}, old.content); "
                   f"INSERT INTO {fts} (rowid, content) VALUES (new.{key}, new.content); END")
    matter = lambda ref: _sqlite_upsert("matter_search", "matter_id", _SQLITE_MATTER_TEXT, ref)  # noqa: E731
    document = lambda ref: _sqlite_upsert("document_search", "document_id", _SQLITE_DOCUMENT_TEXT, ref)  # noqa: E731
    op.execute(f"CREATE TRIGGER matter_search_matter_ai AFTER INSERT ON matter BEGIN {matter('new.id')} END")
    op.execute("CREATE TRIGGER matter_search_matter_au AFTER UPDATE OF title, fields ON matter "
               f"BEGIN {matter('new.id')} END")
    op.execute(f"CREATE TRIGGER matter_search_opinion_ai AFTER INSERT ON opinion BEGIN {matter('new.matter_id')} END")
    op.execute("CREATE TRIGGER matter_search_opinion_au AFTER UPDATE OF text, matter_id ON opinion "
               f"BEGIN {matter('new.matter_id')} {matter('old.matter_id')} END")
    op.execute(f"CREATE TRIGGER matter_search_opinion_ad AFTER DELETE ON opinion BEGIN {matter('old.matter_id')} END")
    op.execute("CREATE TRIGGER matter_search_matter_ad AFTER DELETE ON matter "
               "BEGIN DELETE FROM matter_search WHERE matter_id = old.id; END")
    op.execute(f"CREATE TRIGGER document_search_document_ai AFTER INSERT ON document BEGIN {document('new.id')} END")
    op.execute("CREATE TRIGGER document_search_document_au AFTER UPDATE OF title, doc_number, body ON document "
               f"BEGIN {document('new.id')} END")
    op.execute("CREATE TRIGGER document_search_document_ad AFTER DELETE ON document "
               "BEGIN DELETE FROM document_search WHERE document_id = old.id; END")
    op.execute(_SQLITE_MATTER_TEXT.format(ref="m.id").replace("SELECT m.id", "INSERT INTO matter_search "
                                                               "(matter_id, content) SELECT m.id", 1))
    op.execute(_SQLITE_DOCUMENT_TEXT.format(ref="d.id").replace("SELECT d.id", "INSERT INTO document_search "
                                                                 "(document_id, content) SELECT d.id", 1))


# -- PostgreSQL -----------------------------------------------------------------------------------------

_PG_FUNCTIONS = """
CREATE FUNCTION quorum_matter_search_text(ref integer) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT m.title
        || ' ' || coalesce((SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(m.fields::jsonb, 'strict $.**') AS v
                            WHERE jsonb_typeof(v) IN ('string', 'number')), '')
        || ' ' || coalesce((SELECT string_agg(o.text, ' ' ORDER BY o.id) FROM opinion AS o
                            WHERE o.matter_id = m.id AND o.text <> ''), '')
    FROM matter AS m WHERE m.id = ref
$$;
CREATE FUNCTION quorum_matter_search_refresh(ref integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO matter_search (matter_id, content)
    SELECT ref, quorum_matter_search_text(ref) WHERE EXISTS (SELECT 1 FROM matter WHERE id = ref)
    ON CONFLICT (matter_id) DO UPDATE SET content = excluded.content
$$;
CREATE FUNCTION quorum_matter_search_on_matter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM matter_search WHERE matter_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title OR NEW.fields::text IS DISTINCT FROM OLD.fields::text THEN
        PERFORM quorum_matter_search_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION quorum_matter_search_on_opinion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM quorum_matter_search_refresh(OLD.matter_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM quorum_matter_search_refresh(NEW.matter_id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION quorum_document_search_on_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM document_search WHERE document_id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO document_search (document_id, content)
    VALUES (NEW.id, NEW.title || ' ' || coalesce(NEW.doc_number, '') || ' ' || coalesce(NEW.body, ''))
    ON CONFLICT (document_id) DO UPDATE SET content = excluded.content;
    RETURN NULL;
END $$;
CREATE TRIGGER matter_search_matter AFTER INSERT OR UPDATE OF title, fields OR DELETE ON matter
    FOR EACH ROW EXECUTE FUNCTION quorum_matter_search_on_matter();
CREATE TRIGGER matter_search_opinion AFTER INSERT OR UPDATE OF text, matter_id OR DELETE ON opinion
    FOR EACH ROW EXECUTE FUNCTION quorum_matter_search_on_opinion();
CREATE TRIGGER document_search_document AFTER INSERT OR UPDATE OF title, doc_number, body OR DELETE ON document
    FOR EACH ROW EXECUTE FUNCTION quorum_document_search_on_document();
INSERT INTO matter_search (matter_id, content) SELECT id, quorum_matter_search_text(id) FROM matter;
INSERT INTO document_search (document_id, content)
    SELECT id, title || ' ' || coalesce(doc_number, '') || ' ' || coalesce(body, '') FROM document;
"""


def _postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")   # database-wide; a restore makes it there too
    # the operator class lives in the extension's schema, which need not be on the search path
    schema = op.get_bind().execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one()
    for table in ("matter_search", "document_search"):
        op.execute(f'CREATE INDEX ix_{table}_content ON {table} USING gin (content "{schema}".gin_trgm_ops)')
    op.execute(_PG_FUNCTIONS)


def upgrade() -> None:
    _tables()
    # the lists are newest first: a page of a search walks this index instead of sorting every match
    op.create_index('ix_matter_created_at_id', 'matter', ['created_at', 'id'], unique=False)
    # the visibility rule reads a person's opinions, meeting seats and recusals once per search
    op.create_index('ix_opinion_author_id', 'opinion', ['author_id'], unique=False)
    op.create_index('ix_meeting_member_person_id', 'meeting_member', ['person_id'], unique=False)
    op.create_index('ix_recusal_person_id', 'recusal', ['person_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite()
    else:
        _postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("matter_search_matter_ai", "matter_search_matter_au", "matter_search_matter_ad",
                     "matter_search_opinion_ai", "matter_search_opinion_au", "matter_search_opinion_ad",
                     "document_search_document_ai", "document_search_document_au", "document_search_document_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS matter_search_fts")
        op.execute("DROP TABLE IF EXISTS document_search_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS matter_search_matter ON matter")
        op.execute("DROP TRIGGER IF EXISTS matter_search_opinion ON opinion")
        op.execute("DROP TRIGGER IF EXISTS document_search_document ON document")
        for function in ("quorum_matter_search_on_matter()", "quorum_matter_search_on_opinion()",
                         "quorum_document_search_on_document()", "quorum_matter_search_refresh(integer)",
                         "quorum_matter_search_text(integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("document_search")
    op.drop_table("matter_search")
    op.drop_index('ix_matter_created_at_id', table_name='matter')
    op.drop_index('ix_opinion_author_id', table_name='opinion')
    op.drop_index('ix_meeting_member_person_id', table_name='meeting_member')
    op.drop_index('ix_recusal_person_id', table_name='recusal')
