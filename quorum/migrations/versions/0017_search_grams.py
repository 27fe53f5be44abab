"""matter_search / document_search grams: an index for words of one or two characters

Revision ID: 0017
Revises: 0016

A trigram index cannot serve a word shorter than three characters, and most Chinese words are two: at 100k
matters such a search read every row (0.17–0.24 s, bench/results/search-*.txt). The grams of a search text —
each character and each pair of neighbours, lower-cased, none holding a space (quorum.db.search.grams) —
are indexed beside it:

PostgreSQL: `grams`, a text[] column generated from the content by the immutable function quorum_grams, under
a GIN index (`grams @> ARRAY[...]`). SQLite: contentless FTS5 tables (detail=none: only which rows hold a
token) `matter_search_grams` / `document_search_grams`, written by the triggers of matter_search /
document_search through the function quorum_grams the program registers on its connections (gram_tokens).
Existing rows are indexed here.

The indexes a person's own rows are read through (the visibility rule, the "mine" filter) now hold the ids the rule
wants, so a member's search reads no table row to learn what they may see; a status's list is read newest
first from its own index.
"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = (("matter_search", "matter_id"), ("document_search", "document_id"))

# -- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_triggers(table: str, key: str, grams: bool) -> None:
    """(Re)make the triggers that keep the FTS5 tables of a search table in step with it."""
    fts = f"{table}_fts"
    index = f"{table}_grams"
    add = f"INSERT INTO {fts} (rowid, content) VALUES (new.{key}, new.content);"
    remove = f"INSERT INTO {fts} ({fts}, rowid, content) VALUES ('delete', old.{key}, old.content);"
    if grams:
        add += f" INSERT INTO {index} (rowid, grams) VALUES (new.{key}, quorum_grams(new.content));"
        remove += (f" INSERT INTO {index} ({index}, rowid, grams) "
                   f"VALUES ('delete', old.{key}, quorum_grams(old.content));")
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")
    op.execute(f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {remove} END")
    # an update that leaves the text as it was (an opinion without text, a field that is not searched) costs nothing
    op.execute(f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} WHEN new.content IS NOT old.content "
               f"BEGIN {remove} {add} END")


def _sqlite() -> None:
    for table, key in TABLES:
        index = f"{table}_grams"
        op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5(grams, content='', detail=none, tokenize='ascii')")
        _sqlite_triggers(table, key, grams=True)
        op.execute(f"INSERT INTO {index} (rowid, grams) SELECT {key}, quorum_grams(content) FROM {table}")


# -- PostgreSQL -----------------------------------------------------------------------------------------

_PG_FUNCTION = r"""
CREATE FUNCTION quorum_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g.gram), '{}')
    FROM (SELECT c, lead(c) OVER (ORDER BY i) AS n
          FROM unnest(regexp_split_to_array(lower(t), '')) WITH ORDINALITY AS x(c, i)) AS y,
         LATERAL (VALUES (y.c), (y.c || y.n)) AS g(gram)
    WHERE g.gram IS NOT NULL AND g.gram !~ '\s'
$$;
-- a refresh that leaves the text as it was (an opinion without text, a field that is not searched) writes
-- nothing: no new row version, no index entries
CREATE OR REPLACE FUNCTION quorum_matter_search_refresh(ref integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO matter_search (matter_id, content)
    SELECT ref, quorum_matter_search_text(ref) WHERE EXISTS (SELECT 1 FROM matter WHERE id = ref)
    ON CONFLICT (matter_id) DO UPDATE SET content = excluded.content
    WHERE matter_search.content IS DISTINCT FROM excluded.content
$$;
CREATE OR REPLACE FUNCTION quorum_document_search_on_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM document_search WHERE document_id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO document_search (document_id, content)
    VALUES (NEW.id, NEW.title || ' ' || coalesce(NEW.doc_number, '') || ' ' || coalesce(NEW.body, ''))
    ON CONFLICT (document_id) DO UPDATE SET content = excluded.content
    WHERE document_search.content IS DISTINCT FROM excluded.content;
    RETURN NULL;
END $$;
"""


def _postgresql() -> None:
    op.execute(_PG_FUNCTION)
    for table, _key in TABLES:
        op.execute(f"ALTER TABLE {table} ADD COLUMN grams text[] GENERATED ALWAYS AS (quorum_grams(content)) STORED")
        op.execute(f"CREATE INDEX ix_{table}_grams ON {table} USING gin (grams)")


_INDEXES = (  # (old name, new name, table, new columns)
    (None, "ix_matter_initiator_id_id", "matter", ["initiator_id", "id"]),
    ("ix_agenda_item_meeting_id", "ix_agenda_item_meeting_matter_id", "agenda_item", ["meeting_id", "matter_id", "id"]),
    ("ix_task_assignee_id", "ix_task_assignee_matter", "task", ["assignee_id", "matter_id"]),
    ("ix_opinion_author_id", "ix_opinion_author_matter", "opinion", ["author_id", "matter_id"]),
    ("ix_meeting_member_person_id", "ix_meeting_member_person_meeting", "meeting_member", ["person_id", "meeting_id"]),
    ("ix_recusal_person_id", "ix_recusal_person_item", "recusal", ["person_id", "item_id"]),
    (None, "ix_matter_status_created_at_id", "matter", ["status", "created_at", "id"]),
    (None, "ix_matter_personnel_id", "matter", ["personnel", "id"]),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite()
    else:
        _postgresql()
    for old, new, table, columns in _INDEXES:
        op.create_index(new, table, columns, unique=False)
        if old:
            op.drop_index(old, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        # the planner's statistics of the new column and indexes now, not at autovacuum's next visit
        op.execute("ANALYZE matter, matter_search, document_search, task, opinion, agenda_item, meeting_member, recusal")


def downgrade() -> None:
    for old, new, table, columns in _INDEXES:
        if old:
            op.create_index(old, table, columns[:1], unique=False)
        op.drop_index(new, table_name=table)
    if op.get_bind().dialect.name == "sqlite":
        for table, key in TABLES:
            _sqlite_triggers(table, key, grams=False)
            op.execute(f"DROP TABLE IF EXISTS {table}_grams")
    else:
        for table, _key in TABLES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_grams")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS grams")
        op.execute("DROP FUNCTION IF EXISTS quorum_grams(text)")
