"""The type registry (pipeline/fieldtypes.py): one entry per Table Schema type, used by every edition.

A boolean field, which the shipped schemas do not use yet, is added to a copy of the project and every
edition must type it: Parquet bool, SQLite INTEGER 1/0, a spreadsheet TRUE/FALSE cell, JSON true/false,
CSV true/false, and pandas boolean from `load`.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date
from decimal import Decimal

import openpyxl
import pyarrow.parquet as pq
import pytest

from pipeline import build, load
from pipeline.fieldtypes import TYPES, field_type_of
from pipeline.tables import csv_cell, csv_column, json_column, json_value

from .conftest import copy_project

BOOLEAN_FIELD = """  - name: landlocked
    type: boolean
    title: Landlocked
    title_no: Uten kyst
    description: Whether the district has no sea coast (a field added by the test).
    description_no: Om distriktet mangler kyst mot havet (et felt testen legger til).
"""


@pytest.fixture(scope="module")
def boolean_build(tmp_path_factory):
    """A build of the project with a boolean field `landlocked` on federal_districts: true on every other row."""
    root = copy_project(tmp_path_factory.mktemp("boolean"))
    schema = root / "schemas" / "federal_districts.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("primaryKey:", BOOLEAN_FIELD + "primaryKey:"), encoding="utf-8")
    path = root / "raw" / "federal_districts.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows = [rows[0] + ["landlocked"]] + [row + ["true" if i % 2 else "false"] for i, row in enumerate(rows[1:])]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    build(root)
    expected = {row[0]: row[-1] == "true" for row in rows[1:]}
    return root / "dist", expected


def test_csv_writes_true_and_false(boolean_build):
    dist, expected = boolean_build
    rows = list(csv.DictReader(io.StringIO((dist / "csv" / "federal_districts.csv").read_text(encoding="utf-8"))))
    assert {row["id"]: row["landlocked"] for row in rows} == {k: "true" if v else "false" for k, v in expected.items()}


def test_json_writes_true_and_false(boolean_build):
    dist, expected = boolean_build
    records = json.loads((dist / "json" / "federal_districts.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["landlocked"] for r in records} == expected
    assert all(type(r["landlocked"]) is bool for r in records)


def test_parquet_column_is_bool(boolean_build):
    dist, expected = boolean_build
    table = pq.read_table(dist / "parquet" / "federal_districts.parquet")
    assert str(table.schema.field("landlocked").type) == "bool"
    assert dict(zip(table.column("id").to_pylist(), table.column("landlocked").to_pylist())) == expected


def test_sqlite_column_is_integer_one_and_zero(boolean_build):
    dist, expected = boolean_build
    with sqlite3.connect(dist / "russia-war-recruitment.sqlite") as connection:
        info = {row[1]: row[2] for row in connection.execute('PRAGMA table_info("federal_districts")')}
        values = dict(connection.execute('SELECT id, landlocked FROM "federal_districts"').fetchall())
    assert info["landlocked"] == "INTEGER"
    assert values == {k: int(v) for k, v in expected.items()}
    assert all(type(v) is int for v in values.values())


def test_spreadsheet_cells_are_true_and_false(boolean_build):
    dist, expected = boolean_build
    sheet = openpyxl.load_workbook(dist / "russia-war-recruitment.xlsx", read_only=True)["federal_districts"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("landlocked")
    assert {row[0]: row[column] for row in rows[1:]} == expected
    assert all(type(row[column]) is bool for row in rows[1:])  # a TRUE/FALSE cell, not the number 1 or 0


def test_load_gives_a_pandas_boolean_column(boolean_build):
    dist, expected = boolean_build
    frame = load("federal_districts", dist)
    assert str(frame["landlocked"].dtype) == "boolean"
    assert dict(zip(frame["id"], frame["landlocked"])) == expected


def test_the_package_declares_the_field_boolean_and_frictionless_accepts_it(boolean_build):
    from frictionless import Package

    dist, _ = boolean_build
    descriptor = json.loads((dist / "datapackage.json").read_text(encoding="utf-8"))
    [field] = [f for r in descriptor["resources"] if r["name"] == "federal_districts"
               for f in r["schema"]["fields"] if f["name"] == "landlocked"]
    assert field["type"] == "boolean"
    assert Package(str(dist / "datapackage.json")).validate().valid


@pytest.mark.parametrize("value, kind, csv_text, json_out", [
    ("text", "string", "text", "text"),
    (12, "integer", "12", 12),
    (Decimal("6.50"), "number", "6.5", 6.5),
    (Decimal("7"), "number", "7", 7),
    (date(2025, 9, 21), "date", "2025-09-21", "2025-09-21"),
    (True, "boolean", "true", True),
    (False, "boolean", "false", False),
])
def test_each_value_is_written_by_its_type(value, kind, csv_text, json_out):
    assert field_type_of(value).name == kind
    assert csv_cell(value) == csv_text
    assert json_value(value) == json_out and type(json_value(value)) is type(json_out)


AWKWARD = {  # values the fast paths of the writers must write as the simple ones do
    "string": ["text", "", "«квота» \"quoted\"\nline\t%s", None, "a,b", "cr\rlf\r\n", "back\\slash", "\x00\x1f\x7f",
               "'single'", " lead and trail ", "é" * 3, "𝄞 emoji 🙂", "\u2028\u2029", "=1+2", "null", "1.0"],
    "integer": [12, -3, 0, 2**63 - 1, -2**63, None, 12, 12],
    "number": [Decimal("6.50"), Decimal("7"), Decimal("-0.001"), Decimal("1E+3"), Decimal("0.1"), None,
               Decimal("-0"), Decimal("0.000"), Decimal("-0.0"), Decimal("0"), Decimal("123456789.123456789012345678"),
               Decimal("1.00000000000000000000000000001"), Decimal("1E-7"), Decimal("-2.5E+20"), Decimal("6.5")],
    "date": [date(2025, 9, 21), None, date(1, 1, 1), date(999, 12, 31), date(9999, 12, 31), date(2024, 2, 29)],
    "boolean": [True, False, None, True],
}


NONZERO = [value for value in AWKWARD["number"] if value is None or value != 0]  # equal values that differ in text


@pytest.mark.parametrize("kind, values", [(kind, values) for kind, values in AWKWARD.items()] + [("number", NONZERO)])
@pytest.mark.parametrize("repeat", [1, 5])  # repeated values are converted once per distinct value
def test_a_column_is_written_as_its_cells_are(kind, values, repeat):
    """The writers convert whole columns (csv_column, json_column): the same text as cell by cell."""
    values = (values + [Decimal("6.500"), Decimal("65E-1")] if kind == "number" else values) * repeat
    assert csv_column(kind, values) == [None if value is None else csv_cell(value) for value in values]
    assert json_column(kind, values) == [json.dumps(json_value(value), ensure_ascii=False) for value in values]


@pytest.mark.parametrize("kind", [kind for kind, entry in TYPES.items() if entry.arrow_text])
def test_arrow_writes_the_text_of_a_value_as_the_csv_copy_does(kind):
    """Where the registry says Arrow's text of a column is the CSV text, it is, over the type's range."""
    import pyarrow as pa

    from pipeline.fieldtypes import arrow_type

    values = {"date": [date.fromordinal(day) for day in range(1, date(9999, 12, 31).toordinal() + 1, 97)]
              + [date(1, 1, 1), date(9999, 12, 31)],
              "integer": [0, 1, -1, 2**63 - 1, -2**63, 10**18, 7 * 10**17 + 3],
              "boolean": [True, False],
              "string": [v for v in AWKWARD["string"] if v is not None]}[kind]
    assert pa.array(values, arrow_type(kind)).cast(pa.string()).to_pylist() == [csv_cell(v) for v in values]


def _awkward_rows(count: int) -> list[dict]:
    """`count` rows cycling through the awkward values of every type."""
    return [{f"{kind}%s": AWKWARD[kind][i % len(AWKWARD[kind])] for kind in AWKWARD} for i in range(count)]


@pytest.mark.parametrize("rows", [[], [{"a": "x", "b%s": Decimal("1.50"), "c": None, "d": date(2025, 1, 2)}] * 3])
def test_the_json_and_csv_copies_are_the_text_json_and_csv_modules_give(rows, monkeypatch):
    fields = [{"name": "a", "type": "string"}, {"name": "b%s", "type": "number"}, {"name": "c", "type": "integer"},
              {"name": "d", "type": "date"}]
    _assert_copies_are_the_modules_text(rows, fields, monkeypatch)


@pytest.mark.parametrize("as_rows", [False, True])
def test_the_copies_of_awkward_values_are_the_text_json_and_csv_modules_give(as_rows, monkeypatch):
    """Every type's awkward values, as dicts and as the Rows validation hands over, in blocks of 7 rows."""
    from pipeline.rows import rows_of

    fields = [{"name": f"{kind}%s", "type": kind} for kind in AWKWARD]
    rows = _awkward_rows(40)
    if as_rows:
        rows = rows_of([f["name"] for f in fields], [[row[f["name"]] for row in rows] for f in fields])
    _assert_copies_are_the_modules_text(rows, fields, monkeypatch, block=7)


@pytest.mark.parametrize("kind", AWKWARD)
def test_a_table_of_one_field_has_no_empty_line_for_a_missing_value(kind, monkeypatch):
    """csv.writer writes a row of one empty field as "" (an empty line would be no row): so does the copy."""
    fields = [{"name": "only", "type": kind}]
    _assert_copies_are_the_modules_text([{"only": value} for value in AWKWARD[kind]], fields, monkeypatch)


def _assert_copies_are_the_modules_text(rows, fields, monkeypatch, block=2):
    import importlib

    build_module = importlib.import_module("pipeline.build")
    monkeypatch.setattr(build_module, "CHUNK_ROWS", block)  # the rows come in several blocks
    json_chunks, csv_chunks = build_module.json_chunks, build_module.csv_chunks

    records = [{f["name"]: json_value(row[f["name"]]) for f in fields} for row in rows]
    expected = (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert b"".join(json_chunks(rows, fields)) == expected
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[f["name"] for f in fields]]
                                                     + [[csv_cell(row[f["name"]]) for f in fields] for row in rows])
    assert b"".join(csv_chunks(rows, fields)) == buffer.getvalue().encode("utf-8")


def test_every_type_names_real_pandas_and_arrow_types():
    import pandas as pd
    import pyarrow as pa

    for kind in TYPES.values():
        pd.Series([], dtype=kind.pandas)
        assert isinstance(getattr(pa, kind.arrow)(), pa.DataType)
        assert kind.sqlite in ("TEXT", "INTEGER", "REAL")
        assert kind.xlsx.startswith("write_")
