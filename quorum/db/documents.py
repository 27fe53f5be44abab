"""Documents: drafts, signed (frozen) documents and the serial counters of each (issuing organ's code, year) series.

A Document is edited only while it is a draft. Signing off freezes it: the number is allocated from
its DocumentSerial row, locked FOR UPDATE on PostgreSQL (SQLite serialises writers with BEGIN
IMMEDIATE), so concurrent sign-offs queue on the counter and get consecutive numbers; the unique
constraint on (series, year, serial) is the last line of defence. A voided document keeps its
number, and the counter never goes down, so no number is ever used twice.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key, Name, Status, fk


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("series", "year", "serial"),)

    id: Mapped[IntPK]
    kind: Mapped[Key] = mapped_column(index=True)
    status: Mapped[Status]
    matter_id: Mapped[int | None] = fk("matter.id", index=True)
    meeting_id: Mapped[int | None] = fk("meeting.id", index=True)
    step_key: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[int | None] = fk("document.id")          # a 批复's 请示
    policy_version_id: Mapped[int] = fk("policy_version.id")
    issuer_unit_id: Mapped[int | None] = fk("unit.id")
    title: Mapped[Name]
    addressees: Mapped[list[Any]]
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]]
    cc: Mapped[list[Any]]
    notes: Mapped[str] = mapped_column(Text, default="")
    series: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None]
    serial: Mapped[int | None]
    doc_number: Mapped[str | None] = mapped_column(String(80), index=True)
    doc_date: Mapped[date | None]
    signer_id: Mapped[int | None] = fk("person.id")
    signed_at: Mapped[datetime | None]
    content: Mapped[dict[str, Any] | None]          # exactly what was laid out at 签发
    file_path: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    ofd_path: Mapped[str | None] = mapped_column(String(300))      # GB/T 33190, made beside the PDF
    ofd_sha256: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = fk("person.id")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class DocumentSerial(Base):
    """The last serial handed out in one (issuing organ's code, year) series."""

    __tablename__ = "document_serial"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DocumentSignoff(Base):
    """One round of sending a draft for sign_off: open until a holder of the signer role signs it off or returns it
    with a reason.

    Every holder of the signer role sees the open round in their tasks; the first to sign or return it
    closes it for all. A draft sent again after a return opens a new row, so each round stays on record.
    """

    __tablename__ = "document_signoff"

    id: Mapped[IntPK]
    document_id: Mapped[int] = fk("document.id", index=True)
    opened_at: Mapped[datetime]
    opened_by_id: Mapped[int | None] = fk("person.id")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = fk("person.id")
    outcome: Mapped[str | None] = mapped_column(String(20))       # signed | returned | voided
    reason: Mapped[str] = mapped_column(Text, default="")
