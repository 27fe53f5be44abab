"""The search text of matters and documents: derived rows the database keeps current by triggers.

One row per matter (its title, field values and opinions) and per document (title, doc_number, body),
written by triggers of migration 0016 on every insert or change of those columns, so no service has
to remember it. PostgreSQL searches them through a pg_trgm GIN index (ILIKE, Chinese substrings of
three characters or more use the index); SQLite through an FTS5 table with the trigram tokenizer
(`matter_search_fts`, `document_search_fts`, external content over these tables).

Words of one or two characters — most Chinese words are two — are below a trigram. For them the text's
grams (every character and every pair of neighbouring characters, lower-cased, none with a space) are
indexed too (migration 0017): on PostgreSQL the generated column `grams` (text[], `quorum_grams(content)`)
under a GIN index, on SQLite the contentless FTS5 tables `matter_search_grams` / `document_search_grams`,
whose tokens `gram_tokens` writes (each gram as the hex of its UTF-8 bytes, so no tokenizer splits or
folds it). `gram_tokens` is registered on every SQLite connection the program opens (quorum.db.session), as
the triggers call it: a write to a matter, an opinion or a document from a connection without it (the
sqlite3 shell) is refused with "no such function".
"""

from functools import lru_cache

from sqlalchemy import Index, Integer, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base
from quorum.db.matters import Matter, Opinion
from quorum.db.meetings import MeetingMember, Recusal

# The SQLite FTS5 tables and their shadow tables (…_data, _idx, _docsize, _config): made by the migration,
# not models — a schema comparison leaves them out (tests/test_migrations.py).
FTS_TABLES = ("matter_search_fts", "document_search_fts", "matter_search_grams", "document_search_grams")
# PostgreSQL's generated gram columns and their indexes, made by migration 0017 and not declared here
# (SQLite has neither)
DERIVED_COLUMNS = {("matter_search", "grams"), ("document_search", "grams")}
DERIVED_INDEXES = {"ix_matter_search_grams", "ix_document_search_grams"}
GRAMS_FUNCTION = "quorum_grams"      # the SQLite function the triggers call (gram_tokens)


def is_fts_table(name: str) -> bool:
    return any(name == t or name.startswith(f"{t}_") for t in FTS_TABLES)


def outside_models(name: str | None, kind: str, parent: dict) -> bool:
    """Whether a reflected table or column is made by the migrations only (a schema comparison skips it)."""
    return (kind == "table" and name is not None and is_fts_table(name)) or \
        (kind == "column" and (parent.get("table_name"), name) in DERIVED_COLUMNS) or \
        (kind == "index" and name in DERIVED_INDEXES)


def grams(text: str) -> list[str]:
    """The text's grams, sorted: each character and each pair of neighbours, lower-cased, none holding a space."""
    low = text.lower()
    found = set()
    for i, char in enumerate(low):
        if char.isspace():
            continue
        found.add(char)
        pair = low[i:i + 2]
        if len(pair) == 2 and not pair[1].isspace():
            found.add(pair)
    return sorted(found)


def gram_token(gram: str) -> str:
    """One gram as an FTS5 token: the hex of its UTF-8 bytes."""
    return gram.encode().hex()


@lru_cache(maxsize=64)
def gram_tokens(text: str | None) -> str:
    """The SQLite FTS5 text of a search text's grams (deterministic: the triggers' deletes repeat it).

    Remembered for the last texts: a change deletes the old text's grams, which its insert computed just before.
    """
    return " ".join(gram_token(g) for g in grams(text or ""))


def _trigram_index(table: str) -> Index:
    # GIN over trigrams on PostgreSQL; on SQLite an always-empty partial index (FTS5 does the work there)
    return Index(f"ix_{table}_content", "content", postgresql_using="gin",
                 postgresql_ops={"content": "gin_trgm_ops"}, sqlite_where=false())


class MatterSearch(Base):
    __tablename__ = "matter_search"
    __table_args__ = (_trigram_index("matter_search"),)

    matter_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content: Mapped[str] = mapped_column(Text, default="")


class DocumentSearch(Base):
    __tablename__ = "document_search"
    __table_args__ = (_trigram_index("document_search"),)

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content: Mapped[str] = mapped_column(Text, default="")


# Lists are newest first: without this index every searched page sorted all its matches (bench/search.py,
# 100k matters: 150 ms to order the whole table on SQLite). Declared here with the search, made by 0016.
Index("ix_matter_created_at_id", Matter.created_at, Matter.id)
# A person's own rows, which the visibility rule and the "mine" filter read once per search
# (quorum.services.visibility.readable_ids): without them each member's search scanned every opinion, meeting
# seat and recusal (~900k rows at 100k matters); each index holds the id the rule wants (0017), so no row is read.
Index("ix_matter_initiator_id_id", Matter.initiator_id, Matter.id)
Index("ix_opinion_author_matter", Opinion.author_id, Opinion.matter_id)
Index("ix_meeting_member_person_meeting", MeetingMember.person_id, MeetingMember.meeting_id)
Index("ix_recusal_person_item", Recusal.person_id, Recusal.item_id)
# a member's list counts the matters they may see from here: personnel ones only need the ids they are involved in
Index("ix_matter_personnel_id", Matter.personnel, Matter.id)
# a status's list, newest first, is read in order from here rather than sorted (0017)
Index("ix_matter_status_created_at_id", Matter.status, Matter.created_at, Matter.id)
