"""The search text of matters and documents: derived rows the database keeps current by triggers.

One row per matter (its title, field values and opinions) and per document (title, doc_number, body),
written by triggers of migration 0016 on every insert or change of those columns, so no service has
to remember it. PostgreSQL searches them through a pg_trgm GIN index (ILIKE, Chinese substrings of
three characters or more use the index); SQLite through an FTS5 table with the trigram tokenizer
(`matter_search_fts`, `document_search_fts`, external content over these tables). Shorter queries
fall back to a LIKE scan of the same text (quorum.services.search).
"""

from sqlalchemy import Index, Integer, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base
from quorum.db.matters import Matter, Opinion
from quorum.db.meetings import MeetingMember, Recusal

# The SQLite FTS5 tables and their shadow tables (…_data, _idx, _docsize, _config): made by the migration,
# not models — a schema comparison leaves them out (tests/test_migrations.py).
FTS_TABLES = ("matter_search_fts", "document_search_fts")


def is_fts_table(name: str) -> bool:
    return any(name == t or name.startswith(f"{t}_") for t in FTS_TABLES)


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
# A person's own rows, which the visibility rule reads once per search (quorum.services.visibility.visible_condition): without
# them each member's search scanned every opinion, meeting seat and recusal (~900k rows at 100k matters).
Index("ix_opinion_author_id", Opinion.author_id)
Index("ix_meeting_member_person_id", MeetingMember.person_id)
Index("ix_recusal_person_id", Recusal.person_id)
