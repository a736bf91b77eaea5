"""Declarative base with a naming convention for Alembic, and shared column types."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import JSON, DateTime, Engine, Enum, MetaData, String, TypeDecorator, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_ID = 2**31 - 1  # the largest INTEGER primary key (PostgreSQL refuses anything above)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store aware datetimes converted to UTC; naive ones are taken as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.Enum):
    """An enum stored as its value, each member declared with the label people see::

    DIGITAL_PR = "digital_pr", "Digital PR"
    """

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        """A member with its stored value and its label (the value itself when none is given)."""
        member = object.__new__(cls)
        member._value_ = value
        member.label = label or value
        return member

    @enum.property
    def value(self) -> str:
        """The value stored in the database and used in forms and URLs."""
        return self._value_

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` of every member in order, for a select box."""
        return [(member.value, member.label) for member in cls]


class Base(DeclarativeBase):
    """Base of every model: naming convention, enums stored as their string values."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        str: String(255),
    }


class TimestampMixin:
    """Creation and update times."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so the web app and workers read while one writes, wait instead of
    failing on a lock, enforce foreign keys (ON DELETE CASCADE), and cache more pages."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=30000",
        "foreign_keys=ON",
        "cache_size=-65536",
        "temp_store=MEMORY",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
