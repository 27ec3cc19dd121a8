"""The rows of a table's sheet (xlsx.write_rows) read back exactly as XlsxWriter wrote them, cell by cell.

XlsxWriter is the oracle: `former_table` below is the former path, which wrote every cell through
XlsxWriter's worksheet methods, kept here only. The same workbook written both ways must read the same
in openpyxl (values, types, formats, widths, heights, panes, filters, sheet names, README), for the shipped
data and for awkward text; and the XML is the same, so the bytes are too.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipeline import xlsx
from pipeline.descriptor import table_resources
from pipeline.fieldtypes import field_type
from pipeline.tables import read_typed_rows
from pipeline.xlsx import Writer, column_widths, finished, refuse_long_texts, write_xlsx


def former_table(self: Writer, name: str, fields: list[dict], rows: list[dict]):
    """The former Writer.table: every cell written by its type's XlsxWriter method, as the rows come."""
    header = [field["name"] for field in fields]
    columns = [[row[name] for row in rows] for name in header]
    for field, column in zip(fields, columns):
        if field["type"] == "string":
            refuse_long_texts(column)
    sheet = self.sheet(name, header, column_widths(header, columns, set()))
    writers = []
    for col, field in enumerate(fields):
        kind = field_type(field["type"])
        writers.append((col, getattr(sheet, kind.xlsx), None if kind.xlsx_value is str else kind.xlsx_value,
                        self.date if kind.name == "date" else self.top))
    for row_number, values in enumerate(zip(*columns), start=1):
        for (col, write, convert, fmt), value in zip(writers, values):
            if value is not None:
                write(row_number, col, value if convert is None else convert(value), fmt)
    return finished(sheet, len(rows), len(header))


def both_ways(monkeypatch, tmp_path: Path, descriptor: dict, tables: dict, **options) -> tuple[Path, Path]:
    """The workbook as write_xlsx writes it now, and as the former path wrote it."""
    write_xlsx(descriptor, tables, tmp_path / "now.xlsx", **options)
    with monkeypatch.context() as patch:
        patch.setattr(Writer, "table", former_table)
        write_xlsx(descriptor, tables, tmp_path / "former.xlsx", **options)
    return tmp_path / "now.xlsx", tmp_path / "former.xlsx"


def cell_facts(cell) -> tuple:
    return (cell.coordinate, cell.value, cell.data_type, cell.number_format, cell.font.b, cell.fill.fgColor.rgb,
            cell.alignment.wrap_text, cell.alignment.vertical)


def workbook_facts(path: Path) -> dict:
    """What a reader sees of a workbook: per sheet, every cell, the widths, heights, pane, filter, print titles."""
    workbook = openpyxl.load_workbook(path)
    return {name: {"cells": [cell_facts(cell) for row in sheet.iter_rows() for cell in row],
                   "dimensions": sheet.dimensions,
                   "widths": {key: dim.width for key, dim in sheet.column_dimensions.items()},
                   "heights": {key: dim.height for key, dim in sheet.row_dimensions.items() if dim.height},
                   "pane": sheet.freeze_panes, "filter": sheet.auto_filter.ref,
                   "print_titles": sheet.print_title_rows}
            for name, sheet in zip(workbook.sheetnames, workbook.worksheets)}


def assert_same_workbook(now: Path, former: Path) -> None:
    now_facts, former_facts = workbook_facts(now), workbook_facts(former)
    assert list(now_facts) == list(former_facts)
    for name in former_facts:
        assert now_facts[name] == former_facts[name], name
    with zipfile.ZipFile(now) as new, zipfile.ZipFile(former) as old:
        assert new.namelist() == old.namelist()
        for member in old.namelist():
            assert new.read(member) == old.read(member), member
    assert now.read_bytes() == former.read_bytes()


def test_the_shipped_workbook_reads_as_the_former_path_wrote_it(built, monkeypatch, tmp_path):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: read_typed_rows(built.parent, r["name"], r["schema"]) for r in table_resources(descriptor)}
    assert_same_workbook(*both_ways(monkeypatch, tmp_path, descriptor, tables))


NORWEGIAN = {"title_no": "Norsk", "description_no": "På norsk."}
AWKWARD_TEXTS = [
    "=1+1", "=HYPERLINK(\"http://example.org\")", "+47 22 00 00 00", "-5", "@SUM(A1)",
    " leading space", "trailing space ", "\tleading tab", "trailing newline\n", "\u00a0no-break space\u00a0",
    "two\nlines", "para\n\nbreak", "line\r\nends", "bell\x07 and nul\x00 and escape\x1b", "\x1f unit separator",
    "\x0b vertical tab \x0c form feed", "_x0041_ looks escaped", "_x00e9_x0000_ twice", "_x12_ too short",
    "a & b < c > d \"quoted\" 'single'", "&amp; already", "<b>tag</b>", "\ufffe and \uffff non-characters",
    "Республика Адыгея", "Helsingforskomiteen: æøå ÆØÅ", "emoji 🇺🇦 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "עברית עם ערבית العربية",
    "combining e\u0301", "x" * 32_767, "", "]]>", "plain text",
]


def awkward_package(texts: list[str]) -> tuple[dict, dict]:
    """A package of one table with every field type, the awkward texts, extreme figures and missing values."""
    fields = [{"name": "text", "type": "string"}, {"name": "count", "type": "integer"},
              {"name": "share", "type": "number"}, {"name": "day", "type": "date"},
              {"name": "listed", "type": "boolean"}, {"name": "note", "type": "string"}]
    fields = [field | {"title": field["name"].title(), "description": "A field.", **NORWEGIAN} for field in fields]
    descriptor = {"name": "test", "title": "Test", "version": "1.0.0", "description": "A test package.",
                  "licenses": [{"name": "CC-BY-4.0"}], **NORWEGIAN,
                  "resources": [{"name": "notes", "format": "csv", "title": "Notes", "description": "Notes.",
                                 **NORWEGIAN, "schema": {"fields": fields, "primaryKey": ["text"]}}]}
    counts = [0, -1, 2**53 + 1, 10**17, -(10**15), 7, None]
    shares = [Decimal("6.5"), Decimal("0.1"), Decimal("-0.0"), Decimal("1E+20"), Decimal("0.000001234"),
              Decimal("3.14159265358979323846"), Decimal("100"), None]
    days = [date(2022, 2, 24), date(1900, 3, 1), date(1900, 2, 28), date(1904, 1, 1), date(9999, 12, 31), None]
    rows = [{"text": text, "count": counts[i % len(counts)], "share": shares[i % len(shares)],
             "day": days[i % len(days)], "listed": [True, False, None][i % 3],
             "note": None if i % 4 else texts[-1 - i], "__line__": i + 2}
            for i, text in enumerate(texts)]
    return descriptor, {"notes": rows}


@pytest.mark.parametrize("block", [10_000, 3])  # one block of rows, and many (some with text to escape, some not)
def test_awkward_text_and_figures_read_as_the_former_path_wrote_them(monkeypatch, tmp_path, block):
    monkeypatch.setattr(xlsx, "ROW_BLOCK", block)
    descriptor, tables = awkward_package(AWKWARD_TEXTS)
    now, former = both_ways(monkeypatch, tmp_path, descriptor, tables)
    assert_same_workbook(now, former)
    sheet = openpyxl.load_workbook(now)["notes"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)][:2] == ["=1+1", "=HYPERLINK(\"http://example.org\")"]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2) if row[0].value is not None)


def test_a_table_split_over_sheets_reads_as_the_former_path_wrote_it(monkeypatch, tmp_path):
    monkeypatch.setattr(xlsx, "ROW_BLOCK", 2)
    descriptor, tables = awkward_package(AWKWARD_TEXTS[:11])
    assert_same_workbook(*both_ways(monkeypatch, tmp_path, descriptor, tables, sheet_rows=4))


def test_text_that_looks_like_a_rich_string_is_written_as_the_text(tmp_path):
    # The one difference from the former path: XlsxWriter's constant-memory mode wrote a text from "<r>"
    # to "</r>" as raw XML (its rich strings); now it is text like any other.
    texts = ["<r><t>bold?</t></r>", "<r>unclosed & broken</r>"]
    descriptor, tables = awkward_package(texts)
    write_xlsx(descriptor, tables, tmp_path / "now.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "now.xlsx")["notes"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == texts
