"""Every policy version ever used, with its digest and full content."""

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK


class PolicyVersion(Base):
    __tablename__ = "policy_version"

    id: Mapped[IntPK]
    label: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict[str, Any]]
    loaded_at: Mapped[datetime]
