"""Validate the raw tables against their schemas.

Three passes, one list of problems:
1. reading each file as text: present, UTF-8, header as the schema says, and
   each cell's text (hygiene, privacy);
2. the schema a column at a time (columns.py): types, constraints, primary and
   foreign keys across tables, as frictionless checks them;
3. Great Expectations on the typed tables (expectations.py).
Every problem is a `Problem` with the file, the line and column an editor shows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from . import catalogue
from .columns import ColumnCells, schema_problems, typed_columns, typed_rows
from .contained import link_problems
from .expectations import default_parameters, run_suites, suite_columns
from .hygiene import PLAIN_NUMBER, TYPE_HINTS, cell_problems, number_problems
from .losses import XLSX_CELL_LIMIT, long_cell_problems, lost_rows_problems
from .privacy import PublicPersons, read_public_persons
from .problems import ERROR, WARNING, PipelineError, Problem, UsageProblem, errors_in
from .retired import retired_id_problems
from .schemas import table_names, table_schema
from .tables import typed_frame

BOM = "\ufeff"
# No cell is too long to read (frictionless, where it reads a CSV, raises the limit for the whole process too).
csv.field_size_limit(2**31 - 1)


@dataclass
class RawTable:
    """One raw CSV as read from disk: its header, and its data rows' cells column by column."""

    name: str
    path: Path
    display: str
    header: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each data row starts on
    problems: list[Problem] = field(default_factory=list)

    parsed: bool = False  # decoded, and the header is the schema's: its cells can be checked
    misshapen: set[int] = field(default_factory=set)  # lines whose cell count is not the header's
    bad_cells: set[tuple[int, int]] = field(default_factory=set)  # (line, column) already reported as not typed
    columns: list[list] = field(default_factory=list)  # the data cells of each column (None: missing)
    blank: list[int] = field(default_factory=list)  # indexes of the data rows whose every cell is empty
    odd: dict[int, list[str]] = field(default_factory=dict)  # data rows (by index) whose cell count is not the header's
    unparsed: list[list[str]] = field(default_factory=list)  # the data rows of a table whose header is not the schema's

    @property
    def readable(self) -> bool:
        return self.parsed

    def data_rows(self) -> Iterator[tuple[int, Sequence[str]]]:
        """(line, cells) of each data row as read: a row with as many cells as the header holds them as a tuple
        of shared cells."""
        if not self.parsed:
            return zip(self.lines, self.unparsed)
        odd = self.odd
        return ((line, odd.get(index, cells)) for index, (line, cells) in enumerate(zip(self.lines, zip(*self.columns))))

    @property
    def rows(self) -> list[tuple[int, Sequence[str]]]:
        """(line, cells) of every row, header first (made when asked: a large table keeps only its columns)."""
        return [(1, self.header), *self.data_rows()] if self.lines or self.header else []

    def line_of_row(self, row_number: int | None) -> int:
        """The line of the n-th CSV record (1 is the header), as frictionless numbers rows."""
        if not row_number:
            return 0
        if row_number == 1:
            return 1
        return self.lines[row_number - 2] if row_number - 2 < len(self.lines) else row_number


def _problem(table: RawTable, code: str, message: str, line: int = 0, column: int = 0,
             field_name: str = "", severity: str = ERROR) -> Problem:
    return Problem(table.display, line, column, code, message, field_name, severity)


UTF16_BOMS = {b"\xff\xfe": "little-endian", b"\xfe\xff": "big-endian"}


def _utf16_of_ascii(data: bytes) -> bool:
    """Whether the bytes are UTF-16 text (of ASCII letters, which is also valid UTF-8 with zero bytes)."""
    return b"\x00" in data[:4096] and _guess_encoding(data).startswith("UTF-16")


def _guess_encoding(data: bytes) -> str:
    """Name the encoding a file that is not UTF-8 most likely has.

    UTF-16 by its byte order mark, or by the zero byte beside every ASCII letter;
    otherwise a single-byte encoding: Cyrillic words are runs of bytes above 0x7F
    (cp1251), while Western European text has them alone inside ASCII words (Latin-1).
    """
    for bom, order in UTF16_BOMS.items():
        if data.startswith(bom) and not data.startswith(b"\xff\xfe\x00\x00"):
            return f"UTF-16 ({order}, it starts with a UTF-16 byte order mark)"
    sample = data[:4096]
    if len(sample) >= 4:
        odd, even = sample[1::2].count(0) / (len(sample) // 2), sample[0::2].count(0) / ((len(sample) + 1) // 2)
        if max(odd, even) > 0.3:
            return f"UTF-16 ({'little' if odd > even else 'big'}-endian, without a byte order mark: every other byte is zero)"
    high = [i for i, byte in enumerate(data) if byte >= 0x80]
    paired = sum(1 for i in high if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < len(data) and data[i + 1] >= 0x80))
    if high and paired / len(high) > 0.5:
        return "cp1251 (Windows Cyrillic)"
    return "latin-1 / cp1252 (Western European)"


def read_raw_table(root: Path, name: str, schema: dict, public: PublicPersons = PublicPersons()) -> RawTable:
    """Read one raw CSV as text and check what frictionless cannot say clearly (and the privacy guard,
    which lets through the public officials of `public`)."""
    path = root / "raw" / f"{name}.csv"
    table = RawTable(name, path, f"raw/{name}.csv")
    if not path.is_file():
        table.problems.append(_problem(table, catalogue.MISSING_FILE, f"the table {name!r} has no file; create {table.display} with a header row"))
        return table
    table.problems += _text_problems(table, path)
    if errors_in(table.problems):
        return table
    expected = [f["name"] for f in schema["fields"]]
    found: list[Problem] = []  # said only when the whole file reads as CSV
    with path.open("rb") as handle:
        reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
        start = 1
        try:
            header = next(reader, [])
            start = reader.line_num + 1
            if header != expected:
                for cells in reader:
                    table.lines.append(start)
                    table.unparsed.append(cells)
                    start = reader.line_num + 1
            else:
                cells_read = ColumnCells(len(expected))
                said: list[dict] = [{} for _ in expected]  # per column: cell -> its problems, for cells with any
                block: list[list[str]] = []
                for cells in reader:
                    table.lines.append(start)
                    block.append(cells)
                    start = reader.line_num + 1
                    if len(block) == BLOCK_ROWS:
                        found += _block_problems(table, cells_read, block, schema, said, public)
                        block = []
                found += _block_problems(table, cells_read, block, schema, said, public)
                table.columns, table.blank = cells_read.columns, cells_read.blank
        except csv.Error as error:
            unread = RawTable(name, path, table.display, problems=table.problems)
            unread.problems.append(_problem(unread, catalogue.UNREADABLE_CSV, f"the file cannot be read as CSV from here "
                                            f"on ({error}); look for a quote (\") that is opened but never closed",
                                            start, 1))
            return unread
    table.header = header
    table.problems.extend(_header_problems(table, expected))
    table.parsed = header == expected
    # in file order: a row's problems by column, each cell's in the order they are checked
    table.problems.extend(sorted(found, key=lambda problem: (problem.line, problem.column)))
    return table


def _text_problems(table: RawTable, path: Path) -> list[Problem]:
    """What stops the file being read as text (not UTF-8, empty), and the warning that it starts with a byte order
    mark. The file is decoded a block at a time; it is held whole only to say where it is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(TEXT_BLOCK)
        try:
            if _utf16_of_ascii(head[:4096]):
                raise UnicodeDecodeError("utf-8", head, 0, 1, "UTF-16 text of ASCII letters is valid UTF-8 with zero bytes")
            text = decoder.decode(head)
            bom = text.startswith(BOM)
            blank = text[bom:].isspace() or not text[bom:]
            while block := handle.read(TEXT_BLOCK):
                text = decoder.decode(block)
                blank = blank and (text.isspace() or not text)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return [_encoding_problem(table, path.read_bytes())]
    problems = []
    if bom:
        problems.append(_problem(table, catalogue.UTF8_BOM, "the file starts with a UTF-8 byte order mark (BOM); it is "
                                 "read fine, but save as UTF-8 without BOM to keep diffs clean", 1, 1, severity=WARNING))
    if blank:
        problems.append(_problem(table, catalogue.EMPTY_FILE, "the file is empty; it needs at least the header row", 1, 1))
    return problems


def _encoding_problem(table: RawTable, data: bytes) -> Problem:
    """Where a file stops being UTF-8, and what it likely is."""
    try:
        if _utf16_of_ascii(data):
            raise UnicodeDecodeError("utf-8", data, 0, 1, "UTF-16 text of ASCII letters is valid UTF-8 with zero bytes")
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return _problem(table, catalogue.ENCODING_ERROR,
                        f"the file is not UTF-8; it looks like {_guess_encoding(data)}. "
                        "Save it again as 'CSV UTF-8' in your spreadsheet program", line, column)
    raise PipelineError(f"{table.display}: the file changed while it was read; validate again")


TEXT_BLOCK = 1 << 20  # bytes decoded at a time to check that a file is UTF-8 text
BLOCK_ROWS = 10_000  # rows read before their cells go into columns: no more rows are held as read


def _block_problems(table: RawTable, cells_read: ColumnCells, block: list[list[str]], schema: dict,
                    said: list[dict], public: PublicPersons) -> list[Problem]:
    """Put a block of rows (the last `len(block)` of `table.lines`) into the table's columns; the problems of their
    cell counts and of their cells' text. Each distinct cell of a column is checked once (`said` keeps, per
    column, the problems of each cell that has any)."""
    fields = schema["fields"]
    width = len(fields)
    first = len(table.lines) - len(block)
    lines = table.lines[first:]
    problems, skip = [], set()
    for index, cells in enumerate(block):
        if len(cells) == width:
            continue
        table.odd[first + index] = cells
        if cells and not any("\n" in cell or "\r" in cell for cell in cells):
            skip.add(index)  # one problem for the row; its shifted cells would only echo it
            table.misshapen.add(lines[index])
            problems.append(_cell_count_problem(table, lines[index], cells, schema))
    fresh = cells_read.add(block)  # a misshapen row's cells are checked too, but said nowhere
    for number, (spec, new, known) in enumerate(zip(fields, fresh, said), start=1):
        for cell in new:
            if cell:  # an empty cell has no text to check
                found = _cell_checks(spec["name"], cell, spec["type"], public)
                if found:
                    known[cell] = found
        column = cells_read.columns[number - 1][first:]
        if not known or known.keys().isdisjoint(column):
            continue
        for index, cell in enumerate(column):
            found = known.get(cell)
            if found is None or index in skip:
                continue
            for problem in found:
                if problem.code == catalogue.TYPE_ERROR:
                    table.bad_cells.add((lines[index], number))
                problems.append(replace(problem, file=table.display, line=lines[index], column=number))
    return problems


def _cell_checks(field_name: str, cell: str, field_type: str, public: PublicPersons) -> tuple[Problem, ...]:
    """The problems of one cell's text, placed nowhere yet (file, line and column are filled in per row)."""
    return (*cell_problems("", 0, 0, field_name, cell, field_type == "string", public),
            *number_problems("", 0, 0, field_name, cell, field_type))


THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _cell_fits(cell: str, field: dict) -> bool:
    """Whether a cell could stand in this field: empty, or of its type and constraints."""
    if cell == "":
        return True
    plain = PLAIN_NUMBER.get(field["type"])
    if plain and not plain.fullmatch(cell):
        return False
    if field["type"] == "date" and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", cell):
        return False
    constraints = field.get("constraints", {})
    if "enum" in constraints and cell not in [str(value) for value in constraints["enum"]]:
        return False
    return not ("pattern" in constraints and not re.fullmatch(constraints["pattern"], cell))


def _cell_count_problem(table: RawTable, line: int, cells: list[str], schema: dict) -> Problem:
    """One problem for a row with too many or too few cells, naming the likely cause."""
    fields = schema["fields"]
    have, want = len(cells), len(fields)
    counts = f"row has {have} cells, header has {want}"
    if have < want:
        missing = [f["name"] for f in fields[have:]]
        named = ", ".join(missing) if len(missing) <= 3 else f"{', '.join(missing[:3])} and {len(missing) - 3} more"
        where = f"column {have + 1}) is" if len(missing) == 1 else f"columns {have + 1} to {want}) are"
        return _problem(table, catalogue.MISSING_CELL, f"{counts}: {named} ({where} missing; give every column a cell, "
                        "empty if need be", line, have + 1, missing[0])
    extra = have - want
    fitting = []
    for index, spec in enumerate(fields):
        merged = cells[:index] + [",".join(cells[index:index + extra + 1])] + cells[index + extra + 1:]
        joined_fits = _cell_fits(merged[index], spec) or (
            spec["type"] in PLAIN_NUMBER and THOUSANDS.fullmatch(merged[index]))
        if joined_fits and all(_cell_fits(cell, f) for i, (cell, f) in enumerate(zip(merged, fields)) if i != index):
            fitting.append((index, spec["name"], merged[index]))
    numbers = [(i, name, cell) for i, name, cell in fitting
               if fields[i]["type"] in PLAIN_NUMBER and THOUSANDS.fullmatch(cell)]
    # prose puts a space after its commas: "In 2025, Bashkortostan ..."
    prose = [(i, name, cell) for i, name, cell in fitting if all(c.startswith(" ") for c in cells[i + 1:i + extra + 1])]
    likely = numbers if len(numbers) == 1 else fitting if len(fitting) == 1 else prose if len(prose) == 1 else []
    if likely:
        index, name, cell = likely[0]
        if fields[index]["type"] in PLAIN_NUMBER and THOUSANDS.fullmatch(cell):
            fix = f"quote it or write {cell.replace(',', '')}"
        else:
            fix = "put that cell in double quotes"
        shown = cell if len(cell) <= 60 else cell[:60] + "…"
        return _problem(table, catalogue.EXTRA_CELL, f'{counts}: a comma inside an unquoted cell? {name} "{shown}": {fix}',
                        line, index + 1, name)
    return _problem(table, catalogue.EXTRA_CELL, f"{counts}: a comma inside an unquoted cell? put every cell that holds "
                    "a comma in double quotes", line, want + 1)


def _header_problems(table: RawTable, expected: list[str]) -> list[Problem]:
    header = table.header
    if header == expected:
        return []
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in header[0])
        return [_problem(table, catalogue.WRONG_DELIMITER,
                         f"the header is one cell containing {sep!r}: the file uses {sep!r} as delimiter; "
                         "save it with commas", 1, 1)]
    problems = []
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    for name in missing:
        problems.append(_problem(table, catalogue.MISSING_COLUMN, f"the header has no column {name!r}; expected columns: {', '.join(expected)}", 1, 1, name))
    for name in extra:
        column = header.index(name) + 1
        problems.append(_problem(table, catalogue.UNKNOWN_COLUMN, f"the header has a column {name!r} that the schema does not define (a typo or a renamed column?)", 1, column, name))
    if not missing and not extra:
        problems.append(_problem(table, catalogue.COLUMN_ORDER, f"the columns are not in schema order; expected: {', '.join(expected)}", 1, 1))
    return problems


def unknown_files(root: Path, names: list[str]) -> list[Problem]:
    """Files in raw/ that are not a table of the package."""
    expected = {f"{name}.csv" for name in names}
    problems = []
    for path in sorted((root / "raw").iterdir()) if (root / "raw").is_dir() else []:
        if path.name.startswith(".") or path.name in expected:
            continue
        problems.append(Problem(f"raw/{path.name}", 0, 0, catalogue.UNKNOWN_FILE,
                                f"raw/ holds a file that is no table of the package; expected only: {', '.join(sorted(expected))}"))
    return problems


def validate(root: Path | str = ".", only: list[str] | None = None) -> list[Problem]:
    """Every problem in the raw tables under `root`, sorted.

    `only` limits the report to these tables (names or `raw/<name>.csv` paths);
    the other tables are still read so that foreign keys can be checked.
    """
    return checked_tables(root, only)[0]


def checked_tables(root: Path | str = ".", only: list[str] | None = None) -> tuple[list[Problem], dict[str, list[dict]]]:
    """What `validate` says, and the typed rows (sorted by primary key) of each table that read without
    errors: the build writes these, so a table is read and typed once."""
    root = Path(root)
    links = link_problems(root)
    if links:  # nothing is read through a link, so nothing else can be checked yet
        return sorted(links), {}
    schemas_dir = root / "schemas"
    names = table_names(schemas_dir)
    selected = _selected_tables(names, only)
    schemas = {name: table_schema(schemas_dir, name) for name in names}
    public, list_problems = read_public_persons(root)
    tables = {name: read_raw_table(root, name, schemas[name], public) for name in names}
    problems = [p for name in selected for p in tables[name].problems]
    if only is None:
        problems += unknown_files(root, names) + list_problems
    problems += retired_id_problems(root, [tables[name] for name in selected], schemas)
    raw = RawCells(tables)
    structural, checked = schema_problems(tables, schemas, raw)
    # a cell already in error (say, an unclosed quote) is not also said to be too long: kept until all errors are known
    too_long = [p for name in selected if _longest_cell(tables[name]) > XLSX_CELL_LIMIT
                for p in long_cell_problems(tables[name].display, tables[name].header, tables[name].data_rows())]
    del raw
    for table in tables.values():
        table.columns, table.odd, table.unparsed = [], {}, []  # the checked tables hold what is still needed
    problems += [p for p in structural if p.file in {tables[name].display for name in selected}]
    expected, typed = expectation_problems(root, tables, schemas, checked, selected, structural)
    problems += expected
    places = {(p.file, p.line, p.column) for p in problems if p.is_error}
    problems += [p for p in too_long if (p.file, p.line, p.column) not in places]
    failed = {p.file for p in problems if p.is_error}  # a table that failed to read may only seem to have lost rows
    problems += lost_rows_problems(root, {name: (tables[name].display, len(tables[name].lines))
                                          for name in selected
                                          if tables[name].parsed and tables[name].display not in failed})
    return sorted(problems), typed


class RawCells(Mapping):
    """The (header, rows) of each readable table as read, made when a suggestion first asks for a table."""

    def __init__(self, tables: dict[str, RawTable]):
        self._tables = {name: table for name, table in tables.items() if table.parsed}
        self._made: dict[str, tuple[list[str], list[Sequence[str]]]] = {}

    def __getitem__(self, name: str) -> tuple[list[str], list[Sequence[str]]]:
        if name not in self._made:
            table = self._tables[name]
            self._made[name] = (table.header, [cells for _, cells in table.data_rows()])
        return self._made[name]

    def __contains__(self, name) -> bool:
        return name in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def _longest_cell(table: RawTable) -> int:
    """The length of the longest cell (measured without a Python loop per cell)."""
    rows = table.unparsed if not table.parsed else [*map(partial(filter, None), table.columns), *table.odd.values()]
    return max(map(len, chain.from_iterable(rows)), default=0)


def expectation_problems(root: Path, tables: dict[str, RawTable], schemas: dict[str, dict], checked: dict,
                         selected: list[str], structural: list[Problem]) -> tuple[list[Problem], dict[str, list[dict]]]:
    """The Great Expectations layer, on every selected table that read and typed without errors (`checked`:
    the tables columns.py checked, emptied here as each is typed); and the typed rows of those tables.
    A table's frame holds only the columns its suite reads, and only while its suite runs."""
    broken = {p.file for p in structural if p.is_error}
    typable = [name for name, table in tables.items()
               if table.readable and table.display not in broken and not table.misshapen and not table.bad_cells]
    unread = [name for name in tables if name not in typable
              and any(f["name"] == "source_id" for f in schemas[name]["fields"])]
    parameters = default_parameters({name: checked[name].columns["source_id"].values for name in typable
                                     if "source_id" in checked[name].columns}, unread)
    problems, typed = [], {}
    for name in [name for name in selected if name in typable] + [name for name in typable if name not in selected]:
        table = checked.pop(name)
        typed[name] = typed_rows(table)
        used = suite_columns(root / "schemas", name, parameters) if name in selected else set()
        if not used:
            continue
        frame = typed_frame({field: values for field, values in typed_columns(table).items()
                             if field in used or field == "__line__"}, schemas[name])
        del table
        problems += run_suites({name: (frame, schemas[name])}, root / "schemas", parameters)
        del frame
    checked.clear()
    return problems, typed


def _selected_tables(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return list(names)
    selected = []
    for item in only:
        name = Path(item).stem if item.endswith(".csv") else item
        if name not in names:
            raise UsageProblem(f"{item}: not a table of the package; tables: {', '.join(names)}")
        selected.append(name)
    return selected
