"""The normalised vendor, project and purpose of each matter, so split_evasion finds related requests by index.

`quorum.core.money.match_key` folds case, spaces and full-width brackets — SQL cannot compare that way,
so the key is computed once when a matter is filed (and again when it is re-filed with other values)
and the check looks the requests up here instead of reading the unit's whole window.
"""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key, fk


class MatterMatchKey(Base):
    __tablename__ = "matter_match_key"
    __table_args__ = (Index("ix_matter_match_key_lookup", "workflow_key", "unit_id", "field", "key", "created_at"),)

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    workflow_key: Mapped[Key]
    unit_id: Mapped[int] = fk("unit.id")
    field: Mapped[Key]                        # a match field of the workflow's [split_evasion] rule
    key: Mapped[str] = mapped_column(String(200))    # money.match_key of the value (a digest when longer)
    created_at: Mapped[datetime]              # the matter's, so the window is read from the index
