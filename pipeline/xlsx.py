"""The spreadsheet edition: one .xlsx workbook with a README, a data dictionary
and a sheet per table.

Every cell is written with the writer for its type (numbers as numbers, dates as
dates, text always as plain strings, so `=1+1` stays text and never becomes a
formula), missing values are empty cells. The workbook's creation date is fixed
and XlsxWriter stamps its zip members with a fixed date (31 January 1980, local
time, read back as the same date in any time zone) and the same permissions, so
the same inputs give byte-identical files. Rows are written out as they come
(constant-memory mode), so a table of any length takes little memory.
"""

from __future__ import annotations

import math
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import xlsxwriter

from .fieldtypes import field_type, field_type_of
from .losses import XLSX_CELL_LIMIT
from .problems import PipelineError
from .schemas import LANGUAGE_KEYS
from .descriptor import citation, release_date, constraints_text, table_resources, uncertainty_fields

# The workbook's creation date (a fixed one keeps the bytes reproducible).
CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)
MIN_WIDTH, MAX_WIDTH = 8, 60
LINE_HEIGHT = 15  # points per line of text at the default font size
README_WIDTHS = [32, 110]
README_SHEET, DICTIONARY_SHEET = "README", "Data dictionary"
SHEET_ROWS = 1_048_576  # rows a worksheet holds (Excel, LibreOffice), its header row included
SHEET_NAME = 31  # characters in a worksheet's name


def table_sheets(name: str, count: int, sheet_rows: int = SHEET_ROWS) -> list[tuple[str, int, int]]:
    """(sheet name, first row, end row) of each sheet a table of `count` rows takes.

    A table longer than a sheet holds goes on to `name (2)`, `name (3)` ...: split, never cut."""
    per_sheet = sheet_rows - 1  # the header row repeats on every sheet
    starts = range(0, max(count, 1), per_sheet)
    sheets = []
    for number, start in enumerate(starts, start=1):
        suffix = "" if number == 1 else f" ({number})"
        sheets.append((name[:SHEET_NAME - len(suffix)] + suffix, start, min(start + per_sheet, count)))
    return sheets


def references(schema: dict) -> dict[str, str]:
    """Field name -> `table.field` it refers to, from the schema's foreign keys."""
    return {field: f"{key['reference']['resource']}.{ref}"
            for key in schema.get("foreignKeys", [])
            for field, ref in zip(key["fields"], key["reference"]["fields"])}


def column_widths(header: list[str], columns: list[list], wrap: set[int]) -> list[int]:
    """Column widths in characters: the widest value (or header and filter button), within bounds."""
    widths = []
    for col, text in enumerate(header):
        widest = max(cell_width(text) + 3, column_width(columns[col]) if col < len(columns) else 0)
        widths.append(MAX_WIDTH if col in wrap else min(max(widest + 1, MIN_WIDTH), MAX_WIDTH))
    return widths


def column_width(values: list, block: int = 20_000) -> int:
    """The most characters a value of the column takes in a cell (`cell_width` of each), a block at a time."""
    widest = 0
    for start in range(0, len(values), block):
        texts = "\n".join(str(value) for value in values[start:start + block] if value is not None)
        widest = max(widest, max(map(len, texts.split("\n"))))
    return widest


def wrapped_lines(value, width: int) -> int:
    """Roughly how many lines a text takes when wrapped in a column `width` characters wide."""
    text = "" if value is None else str(value)
    return sum(max(1, math.ceil(len(line) / (width * 1.1))) for line in text.split("\n"))


def cell_width(value) -> int:
    """The number of characters a value takes in a cell: its longest line (a date, yyyy-mm-dd, takes 10)."""
    return 0 if value is None else max(len(line) for line in str(value).split("\n"))


def printable(sheet) -> None:
    """Print a sheet landscape, one page wide."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


class Writer:
    """Writes a workbook's sheets with one set of formats."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True, "valign": "top"})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.top = workbook.add_format({"valign": "top"})

    def cell(self, sheet, row: int, col: int, value, fmt=None) -> None:
        """Write one typed value with its type's writer (fieldtypes.py): numbers as numbers, dates as dates,
        booleans as TRUE/FALSE, text as plain strings (top-aligned)."""
        if value is None:
            return
        kind = field_type_of(value)
        if kind.name == "string":
            refuse_long_texts([value])
        write = getattr(sheet, kind.xlsx)
        write(row, col, kind.xlsx_value(value), fmt or (self.date if kind.name == "date" else self.top))

    def row(self, sheet, row: int, values: list, widths: list[int], wrap: set[int], fmt=None) -> None:
        """Write one row, tall enough for its wrapped text (spreadsheets do not all fit it on opening)."""
        lines = max([wrapped_lines(values[col], widths[col]) for col in wrap] + [1])
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT * lines)
        for col, value in enumerate(values):
            self.cell(sheet, row, col, value, self.wrapped if col in wrap else fmt)

    def sheet(self, name: str, header: list[str], widths: list[int]):
        """A sheet with its column widths and a header row."""
        sheet = self.workbook.add_worksheet(name)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, text in enumerate(header):
            self.cell(sheet, 0, col, text, self.header)
        return sheet

    def grid(self, name: str, header: list[str], rows: list[list], wrap: set[int] = frozenset()):
        """A sheet with a frozen header row, an autofilter and widths to fit; `wrap` columns wrap text."""
        widths = column_widths(header, [list(column) for column in zip(*rows)], wrap)
        sheet = self.sheet(name, header, widths)
        for row_number, values in enumerate(rows, start=1):
            self.row(sheet, row_number, values, widths, wrap)
        return finished(sheet, len(rows), len(header))

    def table(self, name: str, fields: list[dict], rows: list[dict]):
        """A table's sheet: the rows in order, each column written by its schema type's writer (fieldtypes.py).

        Text longer than a cell holds is refused, never cut (validation reports it first: losses.py)."""
        header = [field["name"] for field in fields]
        columns = [[row[name] for row in rows] for name in header]
        for field, column in zip(fields, columns):
            if field["type"] == "string":
                refuse_long_texts(column)
        sheet = self.sheet(name, header, column_widths(header, columns, set()))
        writers = []  # (column, the sheet's method, what it is given of a value or None for the value, format)
        for col, field in enumerate(fields):
            kind = field_type(field["type"])
            writers.append((col, getattr(sheet, kind.xlsx), None if kind.xlsx_value is str else kind.xlsx_value,
                            self.date if kind.name == "date" else self.top))
        for row_number, values in enumerate(zip(*columns), start=1):
            for (col, write, convert, fmt), value in zip(writers, values):
                if value is not None:
                    write(row_number, col, value if convert is None else convert(value), fmt)
        return finished(sheet, len(rows), len(header))


def refuse_long_texts(texts: list) -> None:
    """Refuse a text longer than a spreadsheet cell holds (never cut it)."""
    longest = max(map(len, filter(None, texts)), default=0)
    if longest > XLSX_CELL_LIMIT:
        raise PipelineError(f"a {longest}-character text does not fit a spreadsheet cell ({XLSX_CELL_LIMIT})")


def finished(sheet, rows: int, columns: int):
    """Freeze the header row, filter on it, print it on every page, landscape and one page wide."""
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), columns - 1)
    printable(sheet)
    sheet.repeat_rows(0)
    return sheet


# The fixed text of the README sheet, in English and in Norwegian bokmål; the rest comes from the schemas.
README_TEXT = {
    "en": {
        "version": "Version", "released": "Released", "unreleased": "unreleased", "about": "About",
        "license": "License", "cite": "How to cite", "sheets": "Sheets",
        "dictionary": "every field of every table, with its type, constraints and meaning.",
        "rows": "rows",
        "cells": "Each table sheet has one row per fact. Missing values are empty cells, dates are "
                 "dates (yyyy-mm-dd), figures are numbers in plain units. Columns ending in _no are "
                 "Norwegian bokmål.",
        "split": "; more than a sheet holds, so split over the sheets {sheets}, at most {rows} rows each",
        "uncertainty": "Reading the uncertainty columns",
        "uncertainty_text": "A figure is never more certain than its source: read it together with its "
                            "qualifier, bounds and unit.",
    },
    "no": {
        "version": "Versjon", "released": "Utgitt", "unreleased": "ikke utgitt", "about": "Om datasettet",
        "license": "Lisens", "cite": "Slik siterer du", "sheets": "Ark",
        "dictionary": "alle feltene i alle tabellene, med type, begrensninger og betydning.",
        "rows": "rader",
        "cells": "Hvert tabellark har én rad per faktum. Manglende verdier er tomme celler, datoer er "
                 "datoer (åååå-mm-dd), og tall er tall i enkle enheter. Kolonner som slutter på _no, "
                 "er på norsk bokmål.",
        "split": "; flere rader enn ett ark rommer, så tabellen er delt på arkene {sheets}, høyst {rows} rader "
                 "i hvert",
        "uncertainty": "Slik leser du usikkerhetskolonnene",
        "uncertainty_text": "Et tall er aldri sikrere enn kilden sin: les det sammen med forbeholdet, "
                            "grensene og enheten.",
    },
}


def readme_rows(descriptor: dict, tables: dict[str, list[dict]], language: str = "en",
                sheet_rows: int = SHEET_ROWS) -> list[tuple[str, str]]:
    """The README sheet in one language (`en` or `no`) as (label, text) rows; an empty label continues a section."""
    text = README_TEXT[language]
    title, description = LANGUAGE_KEYS[language]
    license_ = descriptor["licenses"][0]
    released = release_date(descriptor)
    rows = [
        (text["version"], descriptor["version"]),
        (text["released"], text["unreleased"] if released == "unreleased" else released),
        (text["about"], descriptor[description]),
        (text["license"], f"{license_.get('title', license_['name'])} ({license_['name']}): {license_.get('path', '')}"),
        (text["cite"], citation(descriptor)),
        ("", ""),
        (text["sheets"], f"{DICTIONARY_SHEET}: {text['dictionary']}"),
    ]
    for resource in table_resources(descriptor):
        count = len(tables[resource["name"]])
        sheets = table_sheets(resource["name"], count, sheet_rows)
        where = "" if len(sheets) == 1 else text["split"].format(
            sheets=", ".join(name for name, _, _ in sheets), rows=sheet_rows - 1)
        rows.append(("", f"{resource['name']}: {resource[title]} ({count} {text['rows']}{where}). "
                         f"{resource[description]}"))
    rows += [("", text["cells"]), ("", ""), (text["uncertainty"], text["uncertainty_text"])]
    rows += [(f"{f['name']}", f"{f[title]}: {f[description]}") for f in uncertainty_fields(descriptor)]
    return rows


def dictionary_rows(descriptor: dict) -> list[list]:
    """One row per field of every table: table, field, title, type, constraints, reference, description, and the
    title and description in Norwegian bokmål."""
    rows = []
    for resource in table_resources(descriptor):
        schema = resource["schema"]
        refs = references(schema)
        for field in schema["fields"]:
            rows.append([resource["name"], field["name"], field["title"], field["type"],
                         constraints_text(field) or None, refs.get(field["name"]), field["description"],
                         field["title_no"], field["description_no"]])
    return rows


def write_readme(writer: Writer, descriptor: dict, tables: dict[str, list[dict]], sheet_rows: int = SHEET_ROWS) -> None:
    sheet = writer.workbook.add_worksheet(README_SHEET)
    for col, width in enumerate(README_WIDTHS):
        sheet.set_column(col, col, width)
    printable(sheet)
    row = 0
    for language, (title, _) in LANGUAGE_KEYS.items():
        writer.cell(sheet, row, 0, descriptor[title], writer.title)
        for row, (label, text) in enumerate(readme_rows(descriptor, tables, language, sheet_rows), start=row + 2):
            writer.row(sheet, row, [label or None, text or None], README_WIDTHS, {1}, writer.bold)
        row += 3


def write_xlsx(descriptor: dict, tables: dict[str, list[dict]], path: Path, sheet_rows: int = SHEET_ROWS) -> None:
    """Write the spreadsheet edition of the package to `path` (a sheet holds `sheet_rows` rows, header included).

    XlsxWriter's constant-memory mode writes each row out once the next begins (text inline, no shared
    string table), so memory stays bounded at any size; its temporary files go in a folder beside `path`."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:  # gone on any failure
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": scratch})
        workbook.set_properties({
            "title": descriptor["title"],
            "subject": f"{descriptor['name']} data package, version {descriptor['version']}",
            "author": ", ".join(c["title"] for c in descriptor.get("contributors", [])),
            "keywords": ", ".join(descriptor.get("keywords", [])),
            "comments": citation(descriptor),
            "created": CREATED,
        })
        writer = Writer(workbook)
        write_readme(writer, descriptor, tables, sheet_rows)
        writer.grid(DICTIONARY_SHEET, ["table", "field", "title", "type", "constraints", "references",
                                       "description", "title_no", "description_no"],
                    dictionary_rows(descriptor), wrap={4, 6, 8})
        for resource in table_resources(descriptor):
            rows = tables[resource["name"]]
            for sheet, start, end in table_sheets(resource["name"], len(rows), sheet_rows):
                writer.table(sheet, resource["schema"]["fields"], rows[start:end])
        workbook.close()
