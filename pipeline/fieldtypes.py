"""The type registry: each Table Schema type the package may use, mapped once to every edition.

For each type: how a raw CSV cell is read (as frictionless types it), the pandas
dtype (`load()` and the Parquet metadata), the Arrow type of the Parquet file, the SQLite column type, the XlsxWriter method that writes
a cell, and how a value is written in CSV, JSON, SQLite and Parquet. A new field type is
one entry here; schemas.py refuses a type that has none.

The typed values come from frictionless: str, int, Decimal, datetime.date, bool.
`field_type_of(value)` names the type of such a value, so the writers that see
only values (a spreadsheet cell, a CSV cell) look up the same entry.

Nothing heavy is imported here: pyarrow is asked for its type only when the
Parquet writer calls `arrow_type`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


def plain_number(value: Decimal | int | float) -> str:
    """A number as plain digits: no exponent, no trailing zeros, no thousands separator."""
    from .problems import PipelineError

    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # validate refuses these; never write them
        raise PipelineError(f"{value} is not a figure; numbers are plain decimals")
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest text that reads back as this float
    return format(value.normalize(), "f")


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(cell: str) -> date:
    """A date as frictionless reads one: strptime("%Y-%m-%d"), which also takes 2025-1-5 but not 20250105."""
    if ISO_DATE.fullmatch(cell):
        return date.fromisoformat(cell)  # the same date, faster
    return datetime.strptime(cell, "%Y-%m-%d").date()


# frictionless' default trueValues and falseValues
BOOLEAN_CELLS = {"true": True, "True": True, "TRUE": True, "1": True,
                 "false": False, "False": False, "FALSE": False, "0": False}


@dataclass(frozen=True)
class FieldType:
    name: str  # the Table Schema type
    read: Callable[[str], object]  # a raw CSV cell validation accepted -> the value, as frictionless types it
    pandas: str  # dtype of a column read by `load()` and of the Parquet frame
    arrow: str  # pyarrow type factory: pa.<arrow>()
    sqlite: str  # column type of the SQLite edition
    xlsx: str  # XlsxWriter worksheet method that writes the cell
    xlsx_value: Callable[[object], object]  # value -> what that method is given
    csv: Callable[[object], str]  # value -> the CSV cell
    json: Callable[[object], object]  # value -> the JSON value
    sql: Callable[[object], object]  # value -> what SQLite stores
    parquet: Callable[[object], object] | None = None  # value -> what Arrow takes for `arrow` (None: the value itself)


TYPES: dict[str, FieldType] = {t.name: t for t in (
    FieldType("string", str, "string", "string", "TEXT", "write_string", str, str, str, str),
    FieldType("integer", int, "Int64", "int64", "INTEGER", "write_number", int, plain_number, int, int),
    FieldType("number", Decimal, "Float64", "float64", "REAL", "write_number", float, plain_number, _json_number, float,
              float),
    FieldType("date", _date, "datetime64[ns]", "date32", "TEXT", "write_datetime",
              lambda v: datetime(v.year, v.month, v.day), date.isoformat, date.isoformat, date.isoformat),
    # SQLite has no boolean storage: 1 and 0 in an INTEGER column, as sqlite-utils and Datasette expect.
    FieldType("boolean", BOOLEAN_CELLS.__getitem__, "boolean", "bool_", "INTEGER", "write_boolean", bool, lambda v: "true" if v else "false",
              bool, int),
)}


def field_type(name: str) -> FieldType:
    return TYPES[name]


def field_type_of(value) -> FieldType:
    """The entry of a typed value (bool before int: a bool is an int in Python)."""
    if isinstance(value, bool):
        return TYPES["boolean"]
    if isinstance(value, int):
        return TYPES["integer"]
    if isinstance(value, (Decimal, float)):
        return TYPES["number"]
    if isinstance(value, date):
        return TYPES["date"]
    return TYPES["string"]


def arrow_type(name: str):
    import pyarrow as pa

    return getattr(pa, TYPES[name].arrow)()
