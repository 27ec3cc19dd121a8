"""`build`: what lands in dist/, that it is valid, readable everywhere, and reproducible."""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from frictionless import Package

from pipeline import DataInvalid, build
from pipeline.fieldtypes import TYPES
from pipeline.schemas import table_names, table_schema

from .conftest import BUILD_INPUTS, ROOT, edit_cell

TABLES = table_names(ROOT / "schemas")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(project, built):
    import gc

    build(project)
    assert tree_bytes(project / "dist") == tree_bytes(built)
    assert gc.get_freeze_count() == 0  # what the build froze for its writers is handed back to the collector


def test_committed_dist_is_a_fresh_build(built):
    """Nobody can commit data that was not built from raw/ + schemas/."""
    committed = tree_bytes(ROOT / "dist")
    fresh = tree_bytes(built)
    assert sorted(committed) == sorted(fresh), "files differ: run `make build` and commit dist/"
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert changed == [], "run `make build` and commit dist/"


def test_upstream_frictionless_validates_the_package(built):
    report = Package(str(built / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "message"])


def test_upstream_frictionless_cli_validates_the_package(built):
    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(cli), "validate", "--json", str(built / "datapackage.json")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["valid"] is True


def test_every_format_of_every_table_is_listed_with_its_hash(built):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    listed = {r["path"]: r for r in descriptor["resources"]}
    expected = {f"{fmt}/{t}.{fmt}" for t in TABLES for fmt in ("csv", "json", "parquet")}
    editions = {"russia-war-recruitment.xlsx", "russia-war-recruitment.sqlite"}
    assert set(listed) == expected | editions
    for path, resource in listed.items():
        data = (built / path).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        if resource["format"] in ("csv", "xlsx", "sqlite"):
            assert resource["bytes"] == len(data)
        if path in editions:
            assert resource["type"] == "file"
        else:
            assert resource["schema"]["fields"], path
    assert descriptor["version"] and descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["name"] == "russia-war-recruitment"


def test_csv_is_plain(built):
    for table in TABLES:
        data = (built / "csv" / f"{table}.csv").read_bytes()
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")


def _normal(value):
    """One comparable form for a cell read by any of the readers."""
    if value is None or (not isinstance(value, (str, tuple, list)) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):
        return _normal(value.item())
    return value


def _rows(records) -> list[tuple]:
    return [tuple(_normal(v) for v in record) for record in records]


@pytest.mark.parametrize("table", TABLES)
def test_readers_agree_on_every_value(built, table):
    schema = table_schema(ROOT / "schemas", table)
    names = [f["name"] for f in schema["fields"]]
    dtypes = {f["name"]: TYPES[f["type"]].pandas for f in schema["fields"] if f["type"] != "date"}
    dates = [f["name"] for f in schema["fields"] if f["type"] == "date"]
    csv_frame = pd.read_csv(built / "csv" / f"{table}.csv", dtype=dtypes, parse_dates=dates,
                            keep_default_na=False, na_values=[""])
    from_csv = _rows(csv_frame[names].astype(object).itertuples(index=False))
    parquet = pq.read_table(built / "parquet" / f"{table}.parquet")
    assert parquet.column_names == names
    from_arrow = _rows(zip(*[parquet.column(n).to_pylist() for n in names])) if names else []
    from_pandas = _rows(pd.read_parquet(built / "parquet" / f"{table}.parquet").astype(object)
                        .itertuples(index=False))
    from_duckdb = _rows(duckdb.sql(f"SELECT * FROM '{built / 'parquet' / f'{table}.parquet'}'").fetchall())
    from_json = _rows(tuple(record[n] for n in names)
                      for record in json.loads((built / "json" / f"{table}.json").read_text(encoding="utf-8")))
    assert len(from_csv) > 0
    assert from_csv == from_arrow == from_pandas == from_duckdb == from_json


def test_parquet_columns_are_typed(built):
    types = {f.name: str(f.type) for f in pq.read_schema(built / "parquet" / "casualties.parquet")}
    assert types["value"] == "double" and types["as_of"] == "date32[day]" and types["id"] == "string"
    types = {f.name: str(f.type) for f in pq.read_schema(built / "parquet" / "sources.parquet")}
    assert types["footnote"] == "int64"


def test_invalid_data_builds_nothing(built_project):
    project = built_project
    before = tree_bytes(project / "dist")
    edit_cell(project, "regions", 2, "federal_district_id", "nowhere")
    with pytest.raises(DataInvalid):
        build(project)
    assert tree_bytes(project / "dist") == before
    assert sorted(p.name for p in project.iterdir()) == sorted(["dist", *BUILD_INPUTS])


def test_crash_half_way_leaves_previous_dist(built_project, monkeypatch):
    project = built_project
    before = tree_bytes(project / "dist")
    edit_cell(project, "federal_districts", 2, "name_en", "Changed")
    build_module = importlib.import_module("pipeline.build")

    real = build_module.write_table_file
    calls = []

    def crash_on_fifth_file(*args):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt("simulated interruption")
        return real(*args)

    monkeypatch.setattr(build_module, "write_table_file", crash_on_fifth_file)
    with pytest.raises(KeyboardInterrupt):
        build(project)
    assert tree_bytes(project / "dist") == before
    assert sorted(p.name for p in project.iterdir()) == sorted(["dist", *BUILD_INPUTS])


def test_dates_survive_as_dates(built):
    frame = pd.read_parquet(built / "parquet" / "events.parquet")
    first = frame["date"].dropna().iloc[0]
    assert type(first) is date  # a pandas Timestamp is a date too (a subclass): only a plain date is one here


def test_load_gives_the_types_the_schema_implies(built):
    from pipeline import load

    frame = load("casualties", built)
    assert str(frame["value"].dtype) == "Float64" and str(frame["as_of"].dtype).startswith("datetime64")
    unit = next(f for f in table_schema(ROOT / "schemas", "casualties")["fields"] if f["name"] == "unit")
    assert list(frame["unit"].cat.categories) == unit["constraints"]["enum"]
    assert str(load("sources", built)["footnote"].dtype) == "Int64"
