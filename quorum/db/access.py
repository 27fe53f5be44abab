"""Delegations while away, API tokens and matter attachments."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Name, fk


class Delegation(Base):
    """From `starts` to `ends`, the delegate may act on the principal's tasks as "on behalf of principal".

    Votes are never delegated: a body's rules of procedure allow no proxy votes.
    """

    __tablename__ = "delegation"

    id: Mapped[IntPK]
    principal_id: Mapped[int] = fk("person.id", index=True)
    delegate_id: Mapped[int] = fk("person.id", index=True)
    starts: Mapped[datetime]
    ends: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int] = fk("person.id")
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[IntPK]
    person_id: Mapped[int] = fk("person.id", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    """A failed sign-in, by source address: throttling shared by every web worker (kept for the window only)."""

    __tablename__ = "login_attempt"

    id: Mapped[IntPK]
    source: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


class Attachment(Base):
    """A file attached to a matter; the bytes live under the data directory, named by their SHA-256."""

    __tablename__ = "attachment"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    opinion_id: Mapped[int | None] = fk("opinion.id")    # attached to a comment rather than the filing
    filename: Mapped[Name]
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = fk("person.id")
    uploaded_at: Mapped[datetime]
