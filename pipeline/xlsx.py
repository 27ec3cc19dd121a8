"""The spreadsheet edition: one .xlsx workbook with a README, a data dictionary
and a sheet per table.

Every cell is written with the writer for its type (numbers as numbers, dates as
dates, text always as plain strings, so `=1+1` stays text and never becomes a
formula), missing values are empty cells. The workbook's creation date is fixed
and XlsxWriter stamps its zip members with a fixed date, so the same inputs give
byte-identical files.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, timezone
from decimal import Decimal

import xlsxwriter

from .losses import XLSX_CELL_LIMIT
from .problems import PipelineError
from .docs import citation, release_date, constraints_text, table_resources, uncertainty_fields

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


def column_widths(header: list[str], rows: list[list], wrap: set[int]) -> list[int]:
    """Column widths in characters: the widest value (or header and filter button), within bounds."""
    widths = []
    for col, text in enumerate(header):
        widest = max([cell_width(text) + 3] + [cell_width(values[col]) for values in rows])
        widths.append(MAX_WIDTH if col in wrap else min(max(widest + 1, MIN_WIDTH), MAX_WIDTH))
    return widths


def wrapped_lines(value, width: int) -> int:
    """Roughly how many lines a text takes when wrapped in a column `width` characters wide."""
    text = "" if value is None else str(value)
    return sum(max(1, math.ceil(len(line) / (width * 1.1))) for line in text.split("\n"))


def cell_width(value) -> int:
    """The number of characters a value takes in a cell."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return max(len(line) for line in str(value).split("\n"))


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
        """Write one typed value: numbers as numbers, dates as dates, text as plain strings (top-aligned).

        Text longer than a cell holds is refused, never cut (validation reports it first: losses.py)."""
        if value is None:
            return
        if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
            raise PipelineError(f"a {len(value)}-character text does not fit a spreadsheet cell ({XLSX_CELL_LIMIT})")
        if isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt or self.top)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or self.date)
        else:
            sheet.write_string(row, col, str(value), fmt or self.top)

    def row(self, sheet, row: int, values: list, widths: list[int], wrap: set[int], fmt=None) -> None:
        """Write one row, tall enough for its wrapped text (spreadsheets do not all fit it on opening)."""
        lines = max([wrapped_lines(values[col], widths[col]) for col in wrap] + [1])
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT * lines)
        for col, value in enumerate(values):
            self.cell(sheet, row, col, value, self.wrapped if col in wrap else fmt)

    def grid(self, name: str, header: list[str], rows: list[list], wrap: set[int] = frozenset()):
        """A sheet with a frozen header row, an autofilter and widths to fit; `wrap` columns wrap text."""
        sheet = self.workbook.add_worksheet(name)
        widths = column_widths(header, rows, wrap)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, text in enumerate(header):
            self.cell(sheet, 0, col, text, self.header)
        for row_number, values in enumerate(rows, start=1):
            self.row(sheet, row_number, values, widths, wrap)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        printable(sheet)
        sheet.repeat_rows(0)
        return sheet


def readme_rows(descriptor: dict, tables: dict[str, list[dict]], sheet_rows: int = SHEET_ROWS) -> list[tuple[str, str]]:
    """The README sheet as (label, text) rows; an empty label continues a section."""
    license_ = descriptor["licenses"][0]
    rows = [
        ("Version", descriptor["version"]),
        ("Released", release_date(descriptor)),
        ("About", descriptor["description"]),
        ("License", f"{license_.get('title', license_['name'])} ({license_['name']}): {license_.get('path', '')}"),
        ("How to cite", citation(descriptor)),
        ("", ""),
        ("Sheets", f"{DICTIONARY_SHEET}: every field of every table, with its type, constraints and meaning."),
    ]
    for resource in table_resources(descriptor):
        count = len(tables[resource["name"]])
        sheets = table_sheets(resource["name"], count, sheet_rows)
        where = "" if len(sheets) == 1 else (
            f"; more than a sheet holds, so split over the sheets {', '.join(name for name, _, _ in sheets)}, "
            f"at most {sheet_rows - 1} rows each")
        rows.append(("", f"{resource['name']}: {resource['title']} ({count} rows{where}). "
                         f"{resource['description']}"))
    rows += [
        ("", "Each table sheet has one row per fact. Missing values are empty cells, dates are "
             "dates (yyyy-mm-dd), figures are numbers in plain units."),
        ("", ""),
        ("Reading the uncertainty columns", "A figure is never more certain than its source: read it "
                                            "together with its qualifier, bounds and unit."),
    ]
    rows += [(f"{f['name']}", f"{f['title']}: {f['description']}") for f in uncertainty_fields(descriptor)]
    return rows


def dictionary_rows(descriptor: dict) -> list[list]:
    """One row per field of every table: table, field, title, type, constraints, reference, description."""
    rows = []
    for resource in table_resources(descriptor):
        schema = resource["schema"]
        refs = references(schema)
        for field in schema["fields"]:
            rows.append([resource["name"], field["name"], field["title"], field["type"],
                         constraints_text(field) or None, refs.get(field["name"]), field["description"]])
    return rows


def write_readme(writer: Writer, descriptor: dict, tables: dict[str, list[dict]], sheet_rows: int = SHEET_ROWS) -> None:
    sheet = writer.workbook.add_worksheet(README_SHEET)
    for col, width in enumerate(README_WIDTHS):
        sheet.set_column(col, col, width)
    printable(sheet)
    writer.cell(sheet, 0, 0, descriptor["title"], writer.title)
    for row, (label, text) in enumerate(readme_rows(descriptor, tables, sheet_rows), start=2):
        writer.row(sheet, row, [label or None, text or None], README_WIDTHS, {1}, writer.bold)


def xlsx_bytes(descriptor: dict, tables: dict[str, list[dict]], sheet_rows: int = SHEET_ROWS) -> bytes:
    """The spreadsheet edition of the package as .xlsx bytes (a sheet holds `sheet_rows` rows, header included)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
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
    writer.grid(DICTIONARY_SHEET, ["table", "field", "title", "type", "constraints", "references", "description"],
                dictionary_rows(descriptor), wrap={4, 6})
    for resource in table_resources(descriptor):
        names = [f["name"] for f in resource["schema"]["fields"]]
        rows = tables[resource["name"]]
        for sheet, start, end in table_sheets(resource["name"], len(rows), sheet_rows):
            writer.grid(sheet, names, [[row[n] for n in names] for row in rows[start:end]])
    workbook.close()
    return buffer.getvalue()
