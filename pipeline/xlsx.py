"""The spreadsheet edition: one .xlsx workbook with a README, a data dictionary
and a sheet per table.

Every cell is written with the writer for its type (numbers as numbers, dates as
dates, text always as plain strings, so `=1+1` stays text and never becomes a
formula), missing values are empty cells. The workbook's creation date is fixed
and XlsxWriter stamps its zip members with a fixed date (31 January 1980, local
time, read back as the same date in any time zone) and the same permissions, so
the same inputs give byte-identical files (the copy `assemble` makes keeps them).

XlsxWriter writes the README, the data dictionary and each table's header row,
widths, pane and filter; a table's rows are written here, a column at a time and
a block of rows at a time, as the XML XlsxWriter's constant-memory mode writes,
so a table of any length takes little memory and little time.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from functools import partial
from operator import is_not
from datetime import date, datetime, timezone
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .fieldtypes import field_type, field_type_of
from .losses import XLSX_CELL_LIMIT
from .rows import columns_of
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
    return fitted_widths(header, [column_width(column) for column in columns], wrap)


def fitted_widths(header: list[str], widest: list[int], wrap: set[int]) -> list[int]:
    """Column widths in characters from the most characters a value of each column takes (`column_width`)."""
    widths = []
    for col, text in enumerate(header):
        widest_cell = max(cell_width(text) + 3, widest[col] if col < len(widest) else 0)
        widths.append(MAX_WIDTH if col in wrap else min(max(widest_cell + 1, MIN_WIDTH), MAX_WIDTH))
    return widths


NONE_AS_EMPTY = {None: ""}  # .get(value, value): a missing value takes no characters


def column_width(values: list, block: int = 20_000) -> int:
    """The most characters a value of the column takes in a cell (`cell_width` of each), a block at a time."""
    widest = 0
    for start in range(0, len(values), block):
        texts = "\n".join(map(str, map(NONE_AS_EMPTY.get, values[start:start + block], values[start:start + block])))
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

    def __init__(self, workbook: xlsxwriter.Workbook, scratch: Path):
        self.workbook, self.scratch = workbook, scratch
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True, "valign": "top"})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.top = workbook.add_format({"valign": "top"})
        self.data_sheets: dict[str, DataSheet] = {}  # zip member of a table's sheet -> its rows' XML

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
        """A table's sheet: the header row, widths, frozen pane and filter; its rows go to a file now
        (`write_rows`, each column by its schema type's writer) and into the sheet when the workbook is assembled.

        Text longer than a cell holds is refused, never cut (validation reports it first: losses.py)."""
        header = [field["name"] for field in fields]
        widest = [0] * len(fields)
        if rows:
            # each column's style, numbered as XlsxWriter numbers a format when it first writes a cell in it
            styles = [(self.date if field["type"] == "date" else self.top)._get_xf_index() for field in fields]
            body = self.scratch / f"rows{len(self.data_sheets) + 1}.xml"
            widest = write_rows(fields, rows, styles, body)
            member = f"xl/worksheets/sheet{len(self.workbook.worksheets()) + 1}.xml"  # the sheet added next
            self.data_sheets[member] = DataSheet(body, xl_rowcol_to_cell(len(rows), len(fields) - 1))
        sheet = self.sheet(name, header, fitted_widths(header, widest, set()))
        return finished(sheet, len(rows), len(header))


def refuse_long_texts(texts: list) -> None:
    """Refuse a text longer than a spreadsheet cell holds (never cut it)."""
    refuse_longest(longest_text(texts))


def longest_text(texts: list) -> int:
    return max(map(len, filter(None, texts)), default=0)


def refuse_longest(longest: int) -> None:
    if longest > XLSX_CELL_LIMIT:
        raise PipelineError(f"a {longest}-character text does not fit a spreadsheet cell ({XLSX_CELL_LIMIT})")


def finished(sheet, rows: int, columns: int):
    """Freeze the header row, filter on it, print it on every page, landscape and one page wide."""
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), columns - 1)
    printable(sheet)
    sheet.repeat_rows(0)
    return sheet


# ---- the rows of a table's sheet --------------------------------------------------------------------
#
# XlsxWriter writes a cell through several Python calls, which at a million rows was most of the build's time
# for the spreadsheet; a table's rows are instead written here a column at a time, as the same XML that
# XlsxWriter's constant-memory mode writes (inline strings, `<c r="B2" s="2"><v>6.5</v></c>`), and copied
# into the workbook it wrote with the header row only (`assemble`). The one difference: XlsxWriter writes a
# text from "<r>" to "</r>" as raw XML (its rich strings), here it is escaped like any other text.

@dataclass(frozen=True)
class DataSheet:
    rows: Path  # the `<row>` elements of the table's rows, from the sheet's second row
    last_cell: str  # the bottom right cell, A1 notation


# Text XlsxWriter escapes in a cell: XML's &, < and >; a control character as _xHHHH_ (Excel's escape), an
# existing _xHHHH_ by escaping its underscore, the two non-characters U+FFFE and U+FFFF.
CELL_ESCAPES = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
ESCAPED_CHARACTERS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\ufffe": "_xFFFE_", "\uffff": "_xFFFF_"} | {
    chr(code): f"_x{code:04X}_" for code in [*range(0x00, 0x09), *range(0x0b, 0x20)]}
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
EDGE_SPACE = re.compile(r"\n(?:(?<=\s\n)|\s)")  # in texts joined by newlines: white space before or after a newline


def plain_texts(texts: str) -> bool:
    """Whether texts joined by newlines are written as they are: nothing to escape, no white space at either end
    of one (a text with a newline next to white space inside may say no: it is then looked at on its own)."""
    return not ("&" in texts or "<" in texts or ">" in texts or "_x" in texts or CONTROL_CHARACTERS.search(texts)
                or EDGE_SPACE.search(texts) or texts[:1].isspace() or texts[-1:].isspace())


def escaped(text: str) -> str:
    """A text as a cell's XML holds it (an escape's underscore is _x005F_)."""
    return CELL_ESCAPES.sub(lambda match: "_x005F" + match[0] if len(match[0]) > 1 else ESCAPED_CHARACTERS[match[0]],
                            text)


def inline_text(text: str) -> str:
    """The `<t>` of an inline string from its `>`: white space at either end is kept (xml:space)."""
    text = escaped(text)
    return f' xml:space="preserve">{text}' if text[:1].isspace() or text[-1:].isspace() else f">{text}"


# A column's cell writer: (column letter, style, values, row numbers as text, the type's xlsx_value) -> the cells' XML
# ("" for a missing value), the most characters a value takes (`column_width`) and the longest text.

def string_cells(letter: str, style: int, values: list, numbers: list[str], convert) -> tuple[list[str], int, int]:
    present = list(filter(partial(is_not, None), values))
    texts = "\n".join(present)
    longest = max(map(len, present), default=0)
    widest = longest if texts.count("\n") == len(present) - 1 else max(map(len, texts.split("\n")))
    start = f'<c r="{letter}'
    middle = f'" s="{style}" t="inlineStr"><is><t'
    if not plain_texts(texts):
        return [f"{start}{number}{middle}{inline_text(value)}</t></is></c>" if value is not None else ""
                for number, value in zip(numbers, values)], widest, longest
    return [f"{start}{number}{middle}>{value}</t></is></c>" if value is not None else ""
            for number, value in zip(numbers, values)], widest, longest


def number_cells(letter: str, style: int, values: list, numbers: list[str], convert) -> tuple[list[str], int, int]:
    start, middle = f'<c r="{letter}', f'" s="{style}"><v>'
    return [f"{start}{number}{middle}{convert(value):.16G}</v></c>" if value is not None else ""
            for number, value in zip(numbers, values)], column_width(values), 0


def excel_serial(day: date) -> int:
    """A date as Excel numbers it: days since 1899-12-31, counting the 29 February 1900 Excel believes in."""
    days = (day - date(1899, 12, 31)).days
    return days + 1 if days > 59 else days


def date_cells(letter: str, style: int, values: list, numbers: list[str], convert) -> tuple[list[str], int, int]:
    serials = {day: excel_serial(day) for day in set(values) if day is not None}
    start, middle = f'<c r="{letter}', f'" s="{style}"><v>'
    return [f"{start}{number}{middle}{serials[value]}</v></c>" if value is not None else ""
            for number, value in zip(numbers, values)], 10 if serials else 0, 0  # yyyy-mm-dd


def boolean_cells(letter: str, style: int, values: list, numbers: list[str], convert) -> tuple[list[str], int, int]:
    start, middle = f'<c r="{letter}', f'" s="{style}" t="b"><v>'
    return [f"{start}{number}{middle}{1 if value else 0}</v></c>" if value is not None else ""
            for number, value in zip(numbers, values)], column_width(values), 0


# The cells of a column, by the XlsxWriter method its field type names (fieldtypes.py).
CELL_WRITERS = {"write_string": string_cells, "write_number": number_cells, "write_datetime": date_cells,
                "write_boolean": boolean_cells}


ROW_BLOCK = 10_000  # rows made into XML at a time


def write_rows(fields: list[dict], rows: list[dict], styles: list[int], path: Path) -> list[int]:
    """Write the `<row>` elements of a table's rows (from the sheet's second row) to `path`, `ROW_BLOCK` rows at a
    time; the most characters a value of each column takes (`column_width`). Text longer than a cell holds is
    refused, never cut."""
    names = [field["name"] for field in fields]
    writers = [(CELL_WRITERS[field_type(field["type"]).xlsx], xl_col_to_name(col), style,
                field_type(field["type"]).xlsx_value) for col, (field, style) in enumerate(zip(fields, styles))]
    widest, longest = [0] * len(fields), 0
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, len(rows), ROW_BLOCK):
            columns = list(columns_of(rows[start:start + ROW_BLOCK], names))
            numbers = list(map(str, range(start + 2, start + 2 + len(columns[0]))))  # formatted once per row
            cells = []
            for col, ((write_cells, letter, style, convert), values) in enumerate(zip(writers, columns)):
                column, width, text = write_cells(letter, style, values, numbers, convert)
                cells.append(column)
                widest[col], longest = max(widest[col], width), max(longest, text)
            handle.write("".join([f'<row r="{number}">{"".join(row)}</row>'
                                  for number, row in zip(numbers, zip(*cells))]))
    refuse_longest(longest)
    return widest


def assemble(frame: Path, path: Path, data_sheets: dict[str, DataSheet]) -> None:
    """Copy the workbook XlsxWriter wrote (`frame`) to `path`, each table's sheet with its rows written in.

    Every zip member keeps its name, order, date and permissions; a sheet's rows are copied from their file
    a block at a time, so memory stays bounded."""
    with zipfile.ZipFile(frame) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.external_attr, member.compress_type = info.external_attr, info.compress_type
            if info.filename not in data_sheets:
                target.writestr(member, source.read(info))
                continue
            sheet = data_sheets[info.filename]
            head, tail = source.read(info).decode("utf-8").split("</sheetData>")
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{sheet.last_cell}"/>', head, count=1)
            head, tail = head.encode("utf-8"), ("</sheetData>" + tail).encode("utf-8")
            member.file_size = len(head) + sheet.rows.stat().st_size + len(tail)
            with sheet.rows.open("rb") as rows, target.open(member, "w") as handle:
                handle.write(head)
                shutil.copyfileobj(rows, handle, 1 << 20)
                handle.write(tail)
            sheet.rows.unlink()


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

    XlsxWriter writes the workbook with each table's header row only (constant-memory mode: text inline,
    no shared string table), then `assemble` copies it to `path` with the tables' rows written in, a block
    at a time, so memory stays bounded at any size; the temporary files go in a folder beside `path`."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:  # gone on any failure
        frame = Path(scratch) / "frame.xlsx"
        workbook = xlsxwriter.Workbook(str(frame), {"constant_memory": True, "tmpdir": scratch})
        workbook.set_properties({
            "title": descriptor["title"],
            "subject": f"{descriptor['name']} data package, version {descriptor['version']}",
            "author": ", ".join(c["title"] for c in descriptor.get("contributors", [])),
            "keywords": ", ".join(descriptor.get("keywords", [])),
            "comments": citation(descriptor),
            "created": CREATED,
        })
        writer = Writer(workbook, Path(scratch))
        write_readme(writer, descriptor, tables, sheet_rows)
        writer.grid(DICTIONARY_SHEET, ["table", "field", "title", "type", "constraints", "references",
                                       "description", "title_no", "description_no"],
                    dictionary_rows(descriptor), wrap={4, 6, 8})
        for resource in table_resources(descriptor):
            rows = tables[resource["name"]]
            for sheet, start, end in table_sheets(resource["name"], len(rows), sheet_rows):
                writer.table(sheet, resource["schema"]["fields"], rows[start:end])
        workbook.close()
        assemble(frame, path, writer.data_sheets)
