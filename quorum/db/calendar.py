"""Loaded holiday arrangements: one row per `quorum calendar load`, the newest row for a year in force.

Rows are only appended (a correction is a new load), so the history of what the calendar said
and who loaded it stays readable. Workers notice a new row by the cheap version query in
quorum.services.calendar_years and rebuild their calendar without a restart.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Name, fk


class CalendarYear(Base):
    __tablename__ = "calendar_year"

    id: Mapped[IntPK]
    year: Mapped[int] = mapped_column(Integer, index=True)
    holidays: Mapped[list[Any]] = mapped_column(default=list)      # ISO dates off (may include late December before)
    workdays: Mapped[list[Any]] = mapped_column(default=list)      # ISO dates of 调休 working days
    label: Mapped[Name]                                              # the notice's title or the file's name
    digest: Mapped[str] = mapped_column(String(64))                 # of year + dates: a reload is recognised
    loaded_at: Mapped[datetime]
    loaded_by_id: Mapped[int | None] = fk("person.id")
