"""Reading tables with the types their schemas give them."""

from __future__ import annotations

import csv
import io
import json
from json.encoder import encode_basestring
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .fieldtypes import TYPES, converted_column, field_type_of
from .unpack import unpacked_release
from .problems import PipelineError


def read_typed_rows(root: Path, name: str, schema: dict) -> list[dict]:
    """The rows of one raw table with typed cells, sorted by primary key.

    Foreign keys were checked by `validate`; they are left out here so the
    table can be read on its own.
    """
    from frictionless import Resource, Schema, system  # validate does not need it: imported when used

    schema = {key: value for key, value in schema.items() if key != "foreignKeys"}
    resource = Resource(path=str(Path(root) / "raw" / f"{name}.csv"), format="csv",
                        encoding="utf-8-sig", schema=Schema.from_descriptor(schema))
    with system.use_context(trusted=True):
        rows = [row.to_dict() | {"__line__": row.row_number} for row in resource.read_rows()]
    key = schema["primaryKey"]
    return sorted(rows, key=lambda row: tuple(str(row[k]) for k in key))


def typed_frame(columns: dict[str, list], schema: dict) -> pd.DataFrame:
    """A DataFrame of a table given column by column: numbers as floats, dates as `datetime.date`, text as objects.

    Holds the fields of the schema that `columns` has, in schema order, and the `__line__` column (the row's
    line in the raw file) when `columns` has it.
    """
    frame = {}
    for field in schema["fields"]:
        name = field["name"]
        if name not in columns:
            continue
        values = columns[name]
        if field["type"] in ("number", "integer"):
            frame[name] = pd.Series([None if v is None else float(v) if isinstance(v, Decimal) else v
                                     for v in values], dtype="float64")
        else:
            frame[name] = pd.Series(values, dtype=object)
    if "__line__" in columns:
        frame["__line__"] = pd.Series(columns["__line__"], dtype="int64")
    return pd.DataFrame(frame, index=pd.RangeIndex(len(next(iter(columns.values()), []))))


def csv_cell(value) -> str:
    """A typed cell as the CSV copy writes it (fieldtypes.py): ISO dates, plain numbers, empty for missing."""
    return "" if value is None else field_type_of(value).csv(value)


def json_value(value):
    """A typed cell as a JSON value (fieldtypes.py): numbers stay numbers (integral ones as integers), dates ISO text."""
    return None if value is None else field_type_of(value).json(value)


def pandas_dtypes(schema: dict) -> dict:
    """The pandas dtype each non-date field implies: Int64, Float64, a category of the enum's values, or string."""
    dtypes = {}
    for field in schema["fields"]:
        enum = field.get("constraints", {}).get("enum")
        if field["type"] != "date":
            dtypes[field["name"]] = pd.CategoricalDtype(enum) if enum else TYPES[field["type"]].pandas
    return dtypes


def load(table: str, package: str | Path = "dist") -> pd.DataFrame:
    """One table of a built package (a folder or a release zip) as a typed DataFrame.

    Integers are nullable Int64, numbers Float64, enums categories of their
    allowed values, dates datetime64 and text strings, as the table's schema says.
    """
    package = Path(package)
    if package.suffix == ".zip":
        with unpacked_release(package) as folder:
            return load(table, folder)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    resource = next((r for r in descriptor["resources"] if r["name"] == table), None)
    if resource is None:
        raise PipelineError(f"{package}: no table {table!r}")
    schema = resource["schema"]
    dates = [f["name"] for f in schema["fields"] if f["type"] == "date"]
    return pd.read_csv(package / resource["path"], dtype=pandas_dtypes(schema), parse_dates=dates,
                       keep_default_na=False, na_values=[""])


def csv_column(kind: str, values: list) -> list:
    """A column of typed cells of one schema type as `csv.writer` is given them: the text of `csv_cell`,
    None (which it writes as an empty cell) for a missing value."""
    return converted_column(kind, "csv", values)


# Each JSON text on a line of its own: a JSON text has no raw newline (json escapes it in strings)
_JSON_LINES = json.JSONEncoder(ensure_ascii=False, separators=("\n", ":"))


def json_column(kind: str, values: list) -> list[str]:
    """A column of typed cells of one schema type as JSON texts (what json.dumps writes for `json_value`),
    encoded by the json module's C encoder in one call."""
    if not values:
        return []
    return _JSON_LINES.encode(converted_column(kind, "json", values))[1:-1].split("\n")


def _csv_quoted_characters() -> str:
    """The characters that make `csv.writer` (the dialect of the CSV copy) quote a field, asked of the csv module."""
    found = ""
    for character in ',"\r\n\t ;\'\\':
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(["a" + character + "b", "c"])
        if buffer.getvalue() != f"a{character}b,c\n":
            found += character
    return found


CSV_QUOTED = _csv_quoted_characters()  # ',', '"' and '\n' in Python 3.11


def csv_fields(texts, only_field: bool = False):
    """An Arrow array of CSV cell texts (null for missing) as `csv.writer` writes each field: quoted,
    with quotes doubled, when it holds a character in CSV_QUOTED; missing as empty (as `""` when the
    row has this one field, since an empty line would be no row)."""
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(texts, "[" + "".join(f"\\x{{{ord(c):x}}}" for c in CSV_QUOTED) + "]")
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(texts, '"', '""'), '"', "")
        texts = pc.if_else(pc.fill_null(needs, False), quoted, texts)
    return pc.if_else(pc.equal(texts, ""), '""', texts).fill_null('""') if only_field else texts.fill_null("")


# What json.dumps escapes in a string (ensure_ascii=False): quote, backslash and control characters
_JSON_ESCAPED = r'[\x00-\x1f"\\]'


def json_strings(texts):
    """An Arrow array of strings (null for missing) as JSON texts: what `json_column` gives for them.

    A string with nothing to escape is quoted by Arrow; the few others are encoded by the json module."""
    import pyarrow as pa
    import pyarrow.compute as pc

    quoted = pc.binary_join_element_wise('"', texts, '"', "")
    needs = pc.fill_null(pc.match_substring_regex(texts, _JSON_ESCAPED), False)
    if pc.any(needs).as_py():
        escaped = [encode_basestring(text) for text in pc.filter(texts, needs).to_pylist()]
        quoted = pc.replace_with_mask(quoted, needs, pa.array(escaped, pa.string()))
    return quoted.fill_null("null")


def parquet_column(kind: str, values: list) -> list:
    """A column of typed cells of one schema type as the Python values Arrow takes for its Arrow type."""
    return converted_column(kind, "parquet", values)
