"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def search_string(length: int) -> String:
    """Compared byte by byte (code point order) on every engine, so a prefix is a range scan.

    SQLite compares text that way already; PostgreSQL gets the "C" collation, whatever the
    database's own locale, so "mari" <= "maria" < "mari" + U+10FFFF holds on both.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in UTC; SQLite drops the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("Store aware datetimes (UTC) only.")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class CentroOwned:
    """A record that belongs to one centre; queries are filtered by the caller's centre."""

    @declared_attr
    def centro_id(cls) -> Mapped[int]:
        return mapped_column(Integer, ForeignKey("centro.id"), index=True)
