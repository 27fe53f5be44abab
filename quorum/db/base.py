"""Declarative base, shared column shapes and the time type used by every model."""

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column

from quorum.calendar import TZ

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LocalDateTime(TypeDecorator):
    """Store instants as naive UTC; hand them back as aware Asia/Shanghai datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=TZ)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC).astimezone(TZ)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: LocalDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Key = Annotated[str, mapped_column(String(64))]
Name = Annotated[str, mapped_column(String(200))]
Status = Annotated[str, mapped_column(String(20), index=True)]


def fk(target: str, **kw: Any) -> Any:
    return mapped_column(ForeignKey(target), **kw)
