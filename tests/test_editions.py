"""The spreadsheet (.xlsx) and SQLite editions, checked against the CSV copies of a fresh build."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipeline.tables import csv_cell
from pipeline.sqlite import datasette_metadata, write_sqlite
from pipeline.tables import read_typed_rows
from pipeline.descriptor import table_resources, uncertainty_fields
from pipeline.fieldtypes import TYPES
from pipeline.xlsx import DICTIONARY_SHEET, README_SHEET, write_xlsx


@pytest.fixture(scope="module")
def descriptor(built: Path) -> dict:
    return json.loads((built / "datapackage.json").read_text(encoding="utf-8")) | {"__dist__": str(built)}


@pytest.fixture(scope="module")
def tables(built: Path, descriptor: dict) -> dict[str, list[dict]]:
    """The typed rows build works from, read from the copy of raw/ the build used."""
    return {r["name"]: read_typed_rows(built.parent, r["name"], r["schema"]) for r in table_resources(descriptor)}


def csv_rows(built: Path, table: str) -> list[list[str]]:
    with (built / "csv" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def as_csv_text(value) -> str:
    """A value read back from a spreadsheet or database, written as the CSV writes it."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return csv_cell(Decimal(repr(value)))
    return csv_cell(value)


def built_file(descriptor: dict, fmt: str) -> Path:
    """An edition as build wrote it, checked against its resource in datapackage.json."""
    [resource] = [r for r in descriptor["resources"] if r["format"] == fmt]
    path = Path(descriptor["__dist__"]) / resource["path"]
    assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return path


# ---- spreadsheet -------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(descriptor: dict, tables: dict) -> openpyxl.Workbook:
    """The spreadsheet as build wrote it."""
    return openpyxl.load_workbook(built_file(descriptor, "xlsx"))


def test_xlsx_has_readme_dictionary_then_one_sheet_per_table(workbook, descriptor):
    assert workbook.sheetnames == [README_SHEET, DICTIONARY_SHEET] + [r["name"] for r in table_resources(descriptor)]


def test_xlsx_every_value_equals_the_csv_copy(workbook, built, descriptor):
    for resource in table_resources(descriptor):
        sheet = workbook[resource["name"]]
        read_back = [[as_csv_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        assert read_back == csv_rows(built, resource["name"]), resource["name"]


def test_xlsx_cells_have_their_types(workbook, descriptor):
    for resource in table_resources(descriptor):
        sheet = workbook[resource["name"]]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        for field, column in zip(resource["schema"]["fields"], sheet.iter_cols(min_row=2)):
            for cell in column:
                if cell.value is None:
                    continue
                if field["type"] == "date":
                    assert cell.is_date and cell.number_format == "yyyy-mm-dd", (field["name"], cell.value)
                elif field["type"] in ("number", "integer"):
                    assert cell.data_type == "n", (field["name"], cell.value)
                else:
                    assert cell.data_type == "s", (field["name"], cell.value)


def test_xlsx_writes_formula_like_text_and_any_letters_as_plain_strings(tmp_path):
    norwegian = {"title_no": "Norsk", "description_no": "På norsk."}
    schema = {"fields": [{"name": "text", "type": "string", "title": "Text", "description": "Text.", **norwegian},
                         {"name": "n", "type": "number", "title": "N", "description": "A number.", **norwegian},
                         {"name": "day", "type": "date", "title": "Day", "description": "A date.", **norwegian}],
              "primaryKey": ["text"]}
    descriptor = {"name": "test", "title": "Test", "version": "1.0.0", "description": "A test package.",
                  "licenses": [{"name": "CC-BY-4.0"}], **norwegian,
                  "resources": [{"name": "notes", "format": "csv", "title": "Notes", "description": "Notes.",
                                 **norwegian, "schema": schema}]}
    texts = ["=1+1", "+47 22 00 00 00", "-5", "@SUM(A1)", "=HYPERLINK(\"http://example.org\")",
             "Республика Адыгея", "Helsingforskomiteen: æøå ÆØÅ"]
    rows = [{"text": t, "n": Decimal("6.5") if i == 0 else None, "day": date(2022, 2, 24) if i == 0 else None,
             "__line__": i + 2} for i, t in enumerate(texts)]
    write_xlsx(descriptor, {"notes": rows}, tmp_path / "notes.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "notes.xlsx")["notes"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == texts
    assert all(c.data_type == "s" for c in cells)
    assert sheet["B2"].value == 6.5 and sheet["C2"].is_date and sheet["B3"].value is None
    assert sheet.max_column == 3  # __line__ is left out


def test_xlsx_refuses_a_text_longer_than_a_cell_holds_rather_than_cut_it(tmp_path):
    from pipeline.problems import PipelineError

    field = {"name": "text", "type": "string", "title": "Text", "description": "Text.", "title_no": "Tekst",
             "description_no": "Tekst."}
    descriptor = {"name": "test", "title": "Test", "version": "1.0.0", "description": "A test package.",
                  "title_no": "Test", "description_no": "En testpakke.", "licenses": [{"name": "CC-BY-4.0"}],
                  "resources": [{"name": "notes", "format": "csv", "title": "Notes", "description": "Notes.",
                                 "title_no": "Notater", "description_no": "Notater.",
                                 "schema": {"fields": [field], "primaryKey": ["text"]}}]}
    rows = [{"text": "short"}, {"text": "x" * 32_768}]
    with pytest.raises(PipelineError, match="a 32768-character text does not fit a spreadsheet cell"):
        write_xlsx(descriptor, {"notes": rows}, tmp_path / "notes.xlsx")
    assert list(tmp_path.iterdir()) == []  # no workbook, and the writer's temporary files are gone


def test_xlsx_splits_a_table_longer_than_a_sheet_over_several_sheets_and_says_so(tmp_path):
    schema = {"fields": [{"name": "id", "type": "integer", "title": "Id", "description": "An id.",
                          "title_no": "Id", "description_no": "En id."}],
              "primaryKey": ["id"]}
    descriptor = {"name": "test", "title": "Test", "version": "1.0.0", "description": "A test package.",
                  "title_no": "Test", "description_no": "En testpakke.", "licenses": [{"name": "CC-BY-4.0"}],
                  "resources": [{"name": "a-table-with-a-name-of-thirty-one", "format": "csv", "title": "Long",
                                 "description": "Long.", "title_no": "Lang", "description_no": "Lang.",
                                 "schema": schema}]}
    name = descriptor["resources"][0]["name"]
    rows = [{"id": number} for number in range(1, 8)]
    # a sheet of 4 rows holds the header and 3 rows: 7 rows take 3 sheets
    write_xlsx(descriptor, {name: rows}, tmp_path / "split.xlsx", sheet_rows=4)
    workbook = openpyxl.load_workbook(tmp_path / "split.xlsx")
    sheets = workbook.sheetnames[2:]
    assert sheets == [name[:31], name[:27] + " (2)", name[:27] + " (3)"]
    assert all(workbook[sheet]["A1"].value == "id" for sheet in sheets)
    values = [row[0] for sheet in sheets for row in workbook[sheet].iter_rows(min_row=2, values_only=True)]
    assert values == list(range(1, 8))  # every row, in order, none cut
    readme = "\n".join(str(v) for row in workbook[README_SHEET].iter_rows(values_only=True) for v in row if v)
    assert f"(7 rows; more than a sheet holds, so split over the sheets {', '.join(sheets)}, at most 3 rows each)" \
        in readme
    assert f"(7 rader; flere rader enn ett ark rommer, så tabellen er delt på arkene {', '.join(sheets)}, høyst 3 " \
           "rader i hvert)" in readme


def test_xlsx_readme_and_dictionary_describe_the_package(workbook, descriptor):
    readme = "\n".join(str(v) for row in workbook[README_SHEET].iter_rows(values_only=True) for v in row if v)
    for text in (descriptor["title"], descriptor["version"], descriptor["licenses"][0]["name"], "How to cite",
                 "qualifier", "value_low", "value_high", "unit"):
        assert text in readme
    dictionary = list(workbook[DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True))
    expected = [(r["name"], f["name"]) for r in table_resources(descriptor) for f in r["schema"]["fields"]]
    assert [(row[0], row[1]) for row in dictionary] == expected
    assert all(row[6] and row[7] and row[8] for row in dictionary)  # a description, and a title and description in Norwegian


def test_xlsx_readme_comes_in_english_then_norwegian_from_the_schemas(workbook, descriptor):
    """The README sheet says everything twice: in English, then in Norwegian bokmål, the Norwegian titles and
    descriptions taken from the schemas' title_no and description_no."""
    cells = [str(v) for row in workbook[README_SHEET].iter_rows(values_only=True) for v in row if v]
    english, norwegian = cells.index(descriptor["title"]), cells.index(descriptor["title_no"])
    assert english == 0 < norwegian
    assert descriptor["description"] in cells[:norwegian] and descriptor["description_no"] in cells[norwegian:]
    for label in ("Versjon", "Lisens", "Slik siterer du", "Slik leser du usikkerhetskolonnene"):
        assert label in cells[norwegian:]
    regions = next(r for r in table_resources(descriptor) if r["name"] == "regions")
    assert any(c.startswith(f"regions: {regions['title_no']} (91 rader). {regions['description_no']}")
               for c in cells[norwegian:])
    for field in uncertainty_fields(descriptor):
        assert f"{field['title_no']}: {field['description_no']}" in cells[norwegian:]




# ---- SQLite ------------------------------------------------------------------

@pytest.fixture(scope="module")
def database(descriptor) -> Path:
    """The database as build wrote it."""
    return built_file(descriptor, "sqlite")


# Writes both editions of the built package again, in a process of its own with another hash seed, time
# zone and locale: a difference between processes (set order, local time) would change the bytes.
ANOTHER_PROCESS = """
import json, sys
from pathlib import Path
from pipeline.descriptor import table_resources
from pipeline.sqlite import write_sqlite
from pipeline.tables import read_typed_rows
from pipeline.xlsx import write_xlsx
built, target = Path(sys.argv[1]), Path(sys.argv[2])
descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
tables = {r["name"]: read_typed_rows(built.parent, r["name"], r["schema"]) for r in table_resources(descriptor)}
write_xlsx(descriptor, tables, target / "again.xlsx")
write_sqlite(descriptor, tables, target / "again.sqlite")
write_sqlite(descriptor, tables, target / "again.sqlite")  # replacing an existing file gives the same bytes too
"""


def test_xlsx_and_sqlite_are_the_same_bytes_from_another_process(built, descriptor, tmp_path):
    import os

    env = dict(os.environ, PYTHONHASHSEED="4242", TZ="Pacific/Auckland", LC_ALL="C.UTF-8")
    subprocess.run([sys.executable, "-c", ANOTHER_PROCESS, str(built), str(tmp_path)], env=env, check=True,
                   cwd=tmp_path)
    assert (tmp_path / "again.xlsx").read_bytes() == built_file(descriptor, "xlsx").read_bytes()
    assert (tmp_path / "again.sqlite").read_bytes() == built_file(descriptor, "sqlite").read_bytes()


def test_sqlite_header_says_nothing_of_how_the_file_was_written(database, descriptor, tmp_path):
    """Change counter 2 (as an in-place VACUUM left it), library version and version-valid-for zero;
    the loaded copy VACUUM INTO compacts is removed."""
    header = database.read_bytes()[:100]
    assert header[24:28] == (2).to_bytes(4, "big") and header[92:100] == bytes(8)
    tables = {r["name"]: [] for r in table_resources(descriptor)}
    write_sqlite(descriptor, tables, tmp_path / "empty.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]
    with sqlite3.connect(tmp_path / "empty.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sqlite_rows_equal_the_csv_copies(database, built, descriptor):
    with sqlite3.connect(database) as connection:
        for resource in table_resources(descriptor):
            names = [f["name"] for f in resource["schema"]["fields"]]
            key = ", ".join(f'"{k}"' for k in resource["schema"]["primaryKey"])
            rows = connection.execute(f'SELECT * FROM "{resource["name"]}" ORDER BY {key}').fetchall()
            expected = csv_rows(built, resource["name"])
            assert [d[0] for d in connection.execute(f'SELECT * FROM "{resource["name"]}"').description] == names
            assert len(rows) == len(expected) - 1
            assert sorted([as_csv_text(v) for v in row] for row in rows) == sorted(expected[1:])


def test_sqlite_has_types_keys_and_indexes(database, descriptor):
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for resource in table_resources(descriptor):
            name, schema = resource["name"], resource["schema"]
            info = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            assert [(c[1], c[2]) for c in info] == [(f["name"], TYPES[f["type"]].sqlite) for f in schema["fields"]]
            assert [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] == schema["primaryKey"]
            foreign = {(row[3], row[2], row[4]) for row in connection.execute(f'PRAGMA foreign_key_list("{name}")')}
            expected = {(k["fields"][0], k["reference"]["resource"], k["reference"]["fields"][0])
                        for k in schema.get("foreignKeys", [])}
            assert foreign == expected
            indexed = {connection.execute(f'PRAGMA index_info("{index[1]}")').fetchone()[2]
                       for index in connection.execute(f'PRAGMA index_list("{name}")')}
            assert {k["fields"][0] for k in schema.get("foreignKeys", [])} - set(schema["primaryKey"]) <= indexed


def test_datasette_metadata_describes_every_table_and_column(descriptor):
    meta = json.loads(datasette_metadata(descriptor))
    assert descriptor["title"] in meta["title"] and meta["license"] and meta["license_url"] and meta["source"]
    tables = meta["databases"][descriptor["name"]]["tables"]
    assert list(tables) == [r["name"] for r in table_resources(descriptor)]
    for resource in table_resources(descriptor):
        assert tables[resource["name"]]["description"] == resource["description"]
        assert set(tables[resource["name"]]["columns"]) == {f["name"] for f in resource["schema"]["fields"]}
    assert datasette_metadata(descriptor) == datasette_metadata(descriptor)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_datasette_serves_the_database(database, descriptor, tables, tmp_path):
    pytest.importorskip("datasette", reason="datasette is not installed")
    metadata = tmp_path / "metadata.json"
    metadata.write_bytes(datasette_metadata(descriptor))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(database), "-m", str(metadata),
                               "-h", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch_json(f"{base}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {server.stdout.read().decode(errors='replace')}")
                time.sleep(0.3)
        rows = fetch_json(f"{base}/{descriptor['name']}/casualties.json?_shape=array&_size=max")
        assert len(rows) == len(tables["casualties"])
        assert {row["id"] for row in rows} == {row["id"] for row in tables["casualties"]}
        assert fetch_json(f"{base}/-/metadata.json")["title"] == json.loads(metadata.read_bytes())["title"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_every_sheet_as_the_csv_copy(descriptor, built, tmp_path):
    """LibreOffice in headless mode converts each table sheet back to exactly the CSV copy."""
    workbook = built_file(descriptor, "xlsx")
    filter_options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", filter_options, "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    for resource in table_resources(descriptor):
        converted = tmp_path / f"{workbook.stem}-{resource['name']}.csv"
        assert converted.read_bytes() == (built / resource["path"]).read_bytes(), resource["name"]


def test_xlsx_puts_date_basis_next_to_the_dates_and_explains_it(workbook, descriptor):
    for resource in table_resources(descriptor):
        fields = resource["schema"]["fields"]
        dates = [i for i, f in enumerate(fields) if f["type"] == "date"]
        if not dates:
            continue
        header = [c.value for c in next(workbook[resource["name"][:31]].iter_rows(max_row=1))]
        assert "date_basis" in header, resource["name"]
        between = header[max(dates) + 1: header.index("date_basis")]
        assert set(between) <= {"date_precision"}, (resource["name"], between)
    readme = "\n".join(str(v) for row in workbook[README_SHEET].iter_rows(values_only=True) for v in row if v)
    assert "date_basis" in readme and "inferred" in readme
