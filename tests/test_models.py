"""``outreach.models`` names every model and every enum stored in a column."""

from __future__ import annotations

import enum

from sqlalchemy import Enum

from outreach import models
from outreach.db import Base


def test_every_mapped_model_is_exported() -> None:
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert mapped - set(models.__all__) == set()


def test_every_enum_stored_in_a_column_is_exported() -> None:
    stored = {
        column.type.enum_class.__name__
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Enum) and column.type.enum_class is not None
    }
    exported = {name for name in models.__all__ if isinstance(getattr(models, name), enum.EnumMeta)}
    assert exported == stored
