"""Units, people and their posts (who holds which role where)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quorum.db.base import Base, IntPK, Key, Name, fk


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    name: Mapped[Name]
    short_name: Mapped[Name]
    kind: Mapped[str] = mapped_column(String(20))
    doc_prefix: Mapped[str | None] = mapped_column(String(40))


class Person(Base):
    __tablename__ = "person"

    id: Mapped[IntPK]
    username: Mapped[Key] = mapped_column(unique=True)
    name: Mapped[Name]
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Sign-in state (等保 身份鉴别): the session version every session cookie must carry (bumped at
    # logout, password change and lockout), consecutive failures, and a forced change after a reset.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None]
    posts: Mapped[list["Post"]] = relationship(back_populates="person", lazy="selectin")


class Post(Base):
    """A person holding a policy role at a unit, e.g. party secretary at the health commission."""

    __tablename__ = "post"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id"),)

    id: Mapped[IntPK]
    person_id: Mapped[int] = fk("person.id", index=True)
    unit_id: Mapped[int] = fk("unit.id")
    role: Mapped[Key] = mapped_column(index=True)
    title: Mapped[Name]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    since: Mapped[datetime | None]
    person: Mapped[Person] = relationship(back_populates="posts")
    unit: Mapped[Unit] = relationship(lazy="selectin")
