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
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # validate refuses these; never write them
        from .problems import PipelineError

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
    # Whether Arrow's text of the column (cast to string) is the `csv` text of each value, so the CSV and
    # JSON copies are joined from it: "" no (Python converts), "bare" yes and JSON writes it as it is,
    # "quoted" yes and JSON writes it as a JSON string (tests/test_fieldtypes.py checks each type's range).
    arrow_text: str = ""


TYPES: dict[str, FieldType] = {t.name: t for t in (
    FieldType("string", str, "string", "string", "TEXT", "write_string", str, str, str, str, arrow_text="quoted"),
    FieldType("integer", int, "Int64", "int64", "INTEGER", "write_number", int, plain_number, int, int,
              arrow_text="bare"),
    FieldType("number", Decimal, "Float64", "float64", "REAL", "write_number", float, plain_number, _json_number, float,
              float),
    FieldType("date", _date, "datetime64[ns]", "date32", "TEXT", "write_datetime",
              lambda v: datetime(v.year, v.month, v.day), date.isoformat, date.isoformat, date.isoformat,
              arrow_text="quoted"),
    # SQLite has no boolean storage: 1 and 0 in an INTEGER column, as sqlite-utils and Datasette expect.
    FieldType("boolean", BOOLEAN_CELLS.__getitem__, "boolean", "bool_", "INTEGER", "write_boolean", bool, lambda v: "true" if v else "false",
              bool, int, arrow_text="bare"),
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


def converted_column(kind: str, fmt: str, values: list) -> list:
    """A column of typed values of one type as format `fmt` ("csv", "json", "sql", "parquet") takes them,
    each value converted as its entry says and a missing value (None) kept as None.

    A conversion that is the type the values already have (`str` of a string, `int` of an integer)
    returns each value itself, so the column is returned as it is. Equal values convert alike, so a
    column that repeats its values (dates, amounts) converts each distinct value once; but 0 and -0
    are equal numbers written apart ("0", "-0"), so a number column holding a zero converts cell by cell."""
    entry = TYPES[kind]
    convert = getattr(entry, fmt)
    if convert is None or convert is entry.read:
        return values
    distinct = set(values)
    if len(distinct) * 2 > len(values) or (kind == "number" and 0 in distinct):
        return [None if value is None else convert(value) for value in values]
    converted = {value: None if value is None else convert(value) for value in distinct}
    return list(map(converted.__getitem__, values))


def arrow_type(name: str):
    import pyarrow as pa

    return getattr(pa, TYPES[name].arrow)()
