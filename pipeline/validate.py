"""Validate the raw tables against their schemas.

Two passes, one list of problems:
1. reading each file as text: present, UTF-8, header as the schema says;
2. frictionless over the whole package: types, constraints, primary and
   foreign keys across tables.
Every problem is a `Problem` with the file, the line and column an editor shows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from frictionless import Package, errors, system

from . import catalogue
from .contained import link_problems
from .expectations import default_parameters, run_suites
from .hygiene import PLAIN_NUMBER, TYPE_HINTS, cell_problems, number_problems
from .losses import long_cell_problems, lost_rows_problems
from .privacy import PublicPersons, read_public_persons
from .problems import ERROR, WARNING, Problem, UsageProblem
from .retired import retired_id_problems
from .schemas import table_names, table_schema
from .suggest import suggestion
from .tables import typed_frame, typed_rows

BOM = "\ufeff"
# frictionless raises the csv module's cell size limit for the whole process; do the
# same up front so validation does not depend on what ran before it.
csv.field_size_limit(2**31 - 1)


@dataclass
class RawTable:
    """One raw CSV as read from disk, before frictionless sees it."""

    name: str
    path: Path
    display: str
    text: str | None = None
    row_lines: dict[int, int] = field(default_factory=dict)  # frictionless row number -> line
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells), header first
    problems: list[Problem] = field(default_factory=list)

    parsed: bool = False  # decoded, and the header is the schema's: frictionless can read it
    misshapen: set[int] = field(default_factory=set)  # lines whose cell count is not the header's
    bad_cells: set[tuple[int, int]] = field(default_factory=set)  # (line, column) already reported as not typed

    @property
    def readable(self) -> bool:
        return self.parsed

    def line_of_row(self, row_number: int | None) -> int:
        if not row_number:
            return 0
        return self.row_lines.get(row_number, row_number)


def _problem(table: RawTable, code: str, message: str, line: int = 0, column: int = 0,
             field_name: str = "", severity: str = ERROR) -> Problem:
    return Problem(table.display, line, column, code, message, field_name, severity)


UTF16_BOMS = {b"\xff\xfe": "little-endian", b"\xfe\xff": "big-endian"}


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
    data = path.read_bytes()
    try:
        if b"\x00" in data[:4096] and _guess_encoding(data).startswith("UTF-16"):
            raise UnicodeDecodeError("utf-8", data, 0, 1, "UTF-16 text of ASCII letters is valid UTF-8 with zero bytes")
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        table.problems.append(_problem(
            table, catalogue.ENCODING_ERROR,
            f"the file is not UTF-8; it looks like {_guess_encoding(data)}. "
            "Save it again as 'CSV UTF-8' in your spreadsheet program",
            line, column))
        return table
    if text.startswith(BOM):
        table.problems.append(_problem(
            table, catalogue.UTF8_BOM, "the file starts with a UTF-8 byte order mark (BOM); it is read fine, "
            "but save as UTF-8 without BOM to keep diffs clean", 1, 1, severity=WARNING))
        text = text[1:]
    table.text = text
    if not text.strip():
        table.problems.append(_problem(table, catalogue.EMPTY_FILE, "the file is empty; it needs at least the header row", 1, 1))
        return table
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    start = 1
    try:
        for row_number, cells in enumerate(reader, start=1):
            table.row_lines[row_number] = start
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        table.problems.append(_problem(table, catalogue.UNREADABLE_CSV, f"the file cannot be read as CSV from here on ({error}); "
                                       "look for a quote (\") that is opened but never closed", start, 1))
        return table
    table.rows = rows
    table.header = rows[0][1]
    expected = [f["name"] for f in schema["fields"]]
    table.problems.extend(_header_problems(table, expected))
    if table.header == expected:
        table.parsed = True
        types = [f["type"] for f in schema["fields"]]
        checked: dict[tuple[int, str], tuple[Problem, ...]] = {}  # each distinct cell of a column is checked once
        for line, cells in rows[1:]:
            if cells and len(cells) != len(expected) and not any("\n" in cell or "\r" in cell for cell in cells):
                table.misshapen.add(line)
                table.problems.append(_cell_count_problem(table, line, cells, schema))
                continue  # one problem for the row; its shifted cells would only echo it
            for index, cell in enumerate(cells[: len(expected)]):
                if not cell:
                    continue  # an empty cell has no text to check
                found = checked.get((index, cell))
                if found is None:
                    if len(checked) > CHECKED_CELLS:
                        checked.clear()
                    found = checked[index, cell] = _cell_checks(expected[index], cell, types[index], public)
                for problem in found:
                    if problem.code == catalogue.TYPE_ERROR:
                        table.bad_cells.add((line, index + 1))
                    table.problems.append(replace(problem, file=table.display, line=line, column=index + 1))
    return table


CHECKED_CELLS = 200_000  # distinct cells remembered per table while reading it


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


def _package_descriptor(tables: dict[str, RawTable], schemas: dict[str, dict]) -> dict:
    resources = []
    usable = {name for name, table in tables.items() if table.readable}
    for name in tables:
        if name not in usable:
            continue
        schema = dict(schemas[name])
        keys = [fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in usable]
        schema.pop("foreignKeys", None)
        if keys:
            schema["foreignKeys"] = keys
        resources.append({
            "name": name, "path": str(tables[name].path), "format": "csv",
            "encoding": "utf-8-sig", "schema": schema,
        })
    return {"name": "raw", "resources": resources}


_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"$', re.S)


def _constraint_message(field_name: str, cell, field: dict, note: str) -> tuple[str, str]:
    match = _CONSTRAINT.search(note or "")
    name, limit = (match.group(1), match.group(2)) if match else ("constraint", note)
    shown = f'"{cell}"'
    if name == "required":
        return catalogue.REQUIRED_CONSTRAINT, f"{field_name} is required but the cell is empty"
    if name == "enum":
        allowed = ", ".join(str(v) for v in field.get("constraints", {}).get("enum", []))
        return catalogue.ENUM_CONSTRAINT, f"{field_name}: {shown} is not an allowed value; use one of: {allowed}"
    if name == "pattern":
        return catalogue.PATTERN_CONSTRAINT, f"{field_name}: {shown} does not have the required form (pattern {limit})"
    if name in ("minimum", "maximum"):
        word = "less" if name == "minimum" else "more"
        return catalogue.CONSTRAINT_CODES[name], f"{field_name}: {shown} is {word} than the allowed {name} {limit}"
    if name in ("minLength", "maxLength"):
        return catalogue.CONSTRAINT_CODES[name], f"{field_name}: {shown} is too {'short' if name == 'minLength' else 'long'} ({name} {limit})"
    return catalogue.CONSTRAINT_ERROR, f"{field_name}: {shown} breaks the constraint {name} {limit}"



def _problem_from_error(table: RawTable, error, schema: dict, raw: dict | None = None) -> Problem:
    """Our problem for a frictionless error; `raw` (table -> header, rows) lets a name get a code suggested."""
    fields = schema["fields"]
    field_number = getattr(error, "field_number", None) or 0
    field = fields[field_number - 1] if 0 < field_number <= len(fields) else {}
    field_name = getattr(error, "field_name", None) or field.get("name", "")
    line = table.line_of_row(getattr(error, "row_number", None))
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == errors.TypeError.type:
        ftype = field.get("type", "value")
        code, message = catalogue.TYPE_ERROR, f'{field_name}: "{cell}" is not a valid {ftype}; {TYPE_HINTS.get(ftype, "")}'.rstrip("; ")
    elif kind == errors.ConstraintError.type:
        code, message = _constraint_message(field_name, cell, field, error.note)
        if code in (catalogue.PATTERN_CONSTRAINT, catalogue.ENUM_CONSTRAINT):
            message += suggestion(field, schema, cell, raw or {})
    elif kind == errors.UniqueError.type:
        code, message = catalogue.UNIQUE_CONSTRAINT, f'{field_name}: "{cell}" appears on another row too; it must be unique'
    elif kind == errors.PrimaryKeyError.type:
        key = schema["primaryKey"]
        names = [f["name"] for f in fields]
        field_number = names.index(key[0]) + 1
        field_name = key[0]
        other = re.search(r"position (\d+)", error.note or "")
        where = f" line {table.line_of_row(int(other.group(1)))}" if other else " another row"
        code, message = catalogue.PRIMARY_KEY, f"{', '.join(key)}: the same value is already used on{where}; ids must be unique"
    elif kind == errors.ForeignKeyError.type:
        names = [f["name"] for f in fields]
        field_name = error.field_names[0]
        field_number = names.index(field_name) + 1
        value = ", ".join(str(c) for c in error.field_cells)
        target = f"{error.reference_name}.{', '.join(error.reference_field_names)}"
        code, message = catalogue.FOREIGN_KEY, f'{field_name}: "{value}" is not found in {target} (raw/{error.reference_name}.csv)'
        message += suggestion(fields[field_number - 1], schema, value, raw or {})
    elif kind == errors.BlankRowError.type:
        code, message = catalogue.BLANK_ROW, "the row is blank; delete it"
    elif kind == errors.ExtraCellError.type:
        code, message = catalogue.EXTRA_CELL, f"the row has more cells than the header has columns (extra cell at column {field_number}); is there an unquoted comma in a cell?"
    elif kind == errors.MissingCellError.type:
        code, message = catalogue.MISSING_CELL, f"the row has fewer cells than the header; {field_name} (column {field_number}) is missing"
    else:
        code, message = catalogue.frictionless_code(kind), error.message
    return _problem(table, code, message, line, field_number, field_name)


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
    descriptor = _package_descriptor(tables, schemas)
    with system.use_context(trusted=True):
        package = Package.from_descriptor(descriptor)
        report = package.validate(limit_errors=100_000)
    raw = {name: (table.header, [cells for _, cells in table.rows[1:]]) for name, table in tables.items() if table.parsed}
    structural = []
    for task in report.tasks:
        primary_key = schemas[task.name]["primaryKey"]
        blank_rows = {e.row_number for e in task.errors if e.type == errors.BlankRowError.type}
        for error in task.errors:
            if error.type == errors.UniqueError.type and [error.field_name] == primary_key:
                continue  # the primary-key error says the same, with the other line
            if error.type != errors.BlankRowError.type and getattr(error, "row_number", None) in blank_rows:
                continue  # a blank row is one problem, not one per constraint
            problem = _problem_from_error(tables[task.name], error, schemas[task.name], raw)
            if problem.line in tables[task.name].misshapen:
                continue  # the row's cell count is its one problem
            if problem.code == catalogue.TYPE_ERROR and (problem.line, problem.column) in tables[task.name].bad_cells:
                continue  # already reported, with a better hint, as a number that is not plain
            structural.append(problem)
    malformed = {(p.file, p.line, p.column) for p in structural if p.code in (catalogue.PATTERN_CONSTRAINT, catalogue.TYPE_ERROR)}
    structural = [p for p in structural if not (p.code == catalogue.FOREIGN_KEY and (p.file, p.line, p.column) in malformed)]
    problems += [p for p in structural if p.file in {tables[name].display for name in selected}]
    expected, typed = expectation_problems(root, tables, schemas, selected, structural)
    problems += expected
    places = {(p.file, p.line, p.column) for p in problems if p.is_error}
    for name in selected:  # a cell already in error (say, an unclosed quote) is not also said to be too long
        problems += [p for p in long_cell_problems(tables[name].display, tables[name].header, tables[name].rows[1:])
                     if (p.file, p.line, p.column) not in places]
    failed = {p.file for p in problems if p.is_error}  # a table that failed to read may only seem to have lost rows
    problems += lost_rows_problems(root, {name: (tables[name].display, len(tables[name].rows[1:]))
                                          for name in selected
                                          if tables[name].parsed and tables[name].display not in failed})
    return sorted(problems), typed


def expectation_problems(root: Path, tables: dict[str, RawTable], schemas: dict[str, dict], selected: list[str],
                         structural: list[Problem]) -> tuple[list[Problem], dict[str, list[dict]]]:
    """The Great Expectations layer, on every selected table that frictionless read without errors;
    and the typed rows of those tables."""
    broken = {p.file for p in structural if p.is_error}
    frames, typed = {}, {}
    for name, table in tables.items():
        if table.readable and table.display not in broken and not table.misshapen and not table.bad_cells:
            typed[name] = typed_rows(table.rows[1:], schemas[name])
            frames[name] = (typed_frame(typed[name], schemas[name]), schemas[name])
    unread = [name for name in tables if name not in frames
              and any(f["name"] == "source_id" for f in schemas[name]["fields"])]
    parameters = default_parameters(frames, unread)
    checked = {name: frames[name] for name in selected if name in frames}
    return run_suites(checked, root / "schemas", parameters), typed


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
