"""The schema layer, a column at a time: types, constraints, blank rows, unique, primary and foreign keys.

What frictionless checks row by row, checked here over the cells `validate` has
already read, one column at a time, with the same rules:

- a cell is read as its field's type by the type registry (fieldtypes.py), which
  accepts exactly what frictionless v5 accepts; each distinct cell of a column is
  read and checked once;
- a constraint is checked on the typed value as frictionless checks it (its
  `supported_constraints` per type, a pattern anchored as `^pattern$`, bounds
  read by the field's own reader); an empty or refused cell is `None`;
- a row whose every cell is empty is one blank row; a cell its type refuses is
  not checked further and counts as `None` in the keys;
- unique, primary key: the other row named is the latest earlier one with the
  same typed value, as frictionless remembers it;
- a foreign key is looked up in the typed values of the table it refers to
  (every row of it, blank ones left out); a key into a table that could not be
  read is not checked.

A problem is the same `Problem` (code, message, place) the frictionless pass gave;
`schema_problems` applies the rules of what is said once (see there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import compress
from operator import itemgetter, not_

from . import catalogue
from .fieldtypes import TYPES
from .hygiene import TYPE_HINTS
from .problems import ERROR, Problem
from .rows import Row, rows_of
from .suggest import suggestion

# The constraints frictionless checks for each type (its fields' `supported_constraints`); others are not checked.
SUPPORTED = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "integer": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "number": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "date": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "boolean": ("required", "enum"),
}
BOUNDS = {"minimum": lambda v, c: v >= c, "maximum": lambda v, c: v <= c,
          "exclusiveMinimum": lambda v, c: v > c, "exclusiveMaximum": lambda v, c: v < c}


# Messages: one home for the words of each schema problem.

def type_message(field_name: str, cell: str, field_type: str) -> str:
    return f'{field_name}: "{cell}" is not a valid {field_type}; {TYPE_HINTS.get(field_type, "")}'.rstrip("; ")


def constraint_message(field_name: str, cell, field: dict, name: str, limit: str) -> tuple[str, str]:
    """(code, message) for a cell that breaks the constraint `name` of `field` (`limit`: its value as text)."""
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


def unique_message(field_name: str, cell) -> str:
    return f'{field_name}: "{cell}" appears on another row too; it must be unique'


def primary_key_message(key: list[str], other_line: int | None) -> str:
    where = f" line {other_line}" if other_line is not None else " another row"
    return f"{', '.join(key)}: the same value is already used on{where}; ids must be unique"


def foreign_key_message(field_name: str, value: str, reference: str, reference_fields: list[str]) -> str:
    return (f'{field_name}: "{value}" is not found in {reference}.{", ".join(reference_fields)} '
            f"(raw/{reference}.csv)")


BLANK_ROW_MESSAGE = "the row is blank; delete it"


def extra_cell_message(column: int) -> str:
    return (f"the row has more cells than the header has columns (extra cell at column {column}); is there an "
            "unquoted comma in a cell?")


def missing_cell_message(field_name: str, column: int) -> str:
    return f"the row has fewer cells than the header; {field_name} (column {column}) is missing"


def key_text(values) -> str:
    """A key's typed values as frictionless shows them: str of each, empty for a missing one, comma-joined."""
    return ", ".join("" if value is None else str(value) for value in values)


# Reading a column.

class ColumnCells:
    """The cells of a table, added a block of rows at a time and kept column by column: a missing cell is None,
    an extra one left out, and each repeated cell of a column one object shared by its rows (a column whose
    cells are all different, such as ids, is kept as read: sharing would save nothing)."""

    def __init__(self, width: int):
        self.width = width
        self.columns: list[list] = [[] for _ in range(width)]
        self.blank: list[int] = []  # indexes of the rows whose every cell is empty
        self._seen: list[dict | None] = [{} for _ in range(width)]  # cell -> its shared object; None: not shared
        self._count = 0

    def add(self, rows: list) -> list[set]:
        """Add a block of rows (lists of cells). For each column, the cells of the block that need checking:
        those it has for the first time (every distinct cell, in a column that is not shared)."""
        width = self.width
        if set(map(len, rows)) <= {width}:
            padded = rows
        else:
            padded = [cells if len(cells) == width else (list(cells[:width]) + [None] * (width - len(cells)))
                      for cells in rows]
        first = self._count
        self.blank += [first + index for index in compress(range(len(padded)), map(not_, map(any, padded)))]
        self._count += len(padded)
        fresh = []
        for number, (column, cells) in enumerate(zip(self.columns, zip(*padded) if padded else [()] * width)):
            seen = self._seen[number]
            distinct = set(cells)
            if seen is None:
                column.extend(cells)
                fresh.append(distinct)
                continue
            new = distinct.difference(seen)
            seen.update(zip(new, new))
            column.extend(itemgetter(*cells)(seen) if len(cells) > 1 else [seen[cell] for cell in cells])
            if len(new) * 10 > len(cells) * 9 and len(cells) >= SHARED_TRIAL:
                self._seen[number] = None  # nearly every cell new: this column's cells are all different
            fresh.append(new)
        return fresh


SHARED_TRIAL = 1_000  # rows a column is given before its cells are judged to be all different


def _constraint_value_reader(field_type: str):
    """How frictionless reads a constraint's value (`enum`, bounds) given in the schema: its field's value reader,
    which also takes values the YAML already typed (a number, a date)."""
    def read(value):
        if isinstance(value, str):
            try:
                return TYPES[field_type].read(value.strip() if field_type in ("integer", "number") else value)
            except (ValueError, ArithmeticError, KeyError):
                return None
        if field_type == "string":
            return None
        if isinstance(value, bool):
            return value if field_type == "boolean" else None
        if field_type == "boolean":
            return None
        if field_type == "date":
            if isinstance(value, datetime):
                return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else None
            return value if isinstance(value, date) else None
        if field_type == "integer":
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, Decimal) and value % 1 == 0:
                return int(value)
            return None
        if isinstance(value, (Decimal, int)):
            return value
        return Decimal(str(value)) if isinstance(value, float) else None
    return read


def _readers(field: dict):
    """(cell reader, constraint value reader) of a field: the registry's, or frictionless' own for a field with a
    `format` (email, uri, a date format...), which the registry does not model."""
    if field.get("format", "default") not in ("default", "fmt:default"):
        from frictionless import Field

        reader = Field.from_descriptor(field).create_value_reader()

        def read(cell):
            value = reader(cell)
            if value is None:
                raise ValueError(cell)
            return value
        return read, reader
    read = TYPES[field["type"]].read
    if field["type"] in ("integer", "number"):
        read = _stripped(read)  # frictionless strips the cell of a number before reading it
    return read, _constraint_value_reader(field["type"])


def _stripped(read):
    return lambda cell: read(cell.strip())


def _checks(field: dict, read_constraint) -> list[tuple[str, object]]:
    """(name, test of a typed value) for each constraint of the field that frictionless checks for its type."""
    constraints = field.get("constraints", {})
    checks = []
    for name in SUPPORTED.get(field["type"], ()):
        limit = constraints.get(name)
        if limit is None:
            continue
        if name == "required":
            checks.append((name, (lambda value: value is not None) if limit else (lambda value: True)))
        elif name == "minLength":
            checks.append((name, lambda value, limit=limit: value is None or len(value) >= limit))
        elif name == "maxLength":
            checks.append((name, lambda value, limit=limit: value is None or len(value) <= limit))
        elif name == "pattern":
            pattern = re.compile(f"^{limit}$")
            checks.append((name, lambda value, pattern=pattern: value is None or bool(pattern.match(value))))
        elif name == "enum":
            allowed = [read_constraint(item) for item in limit]
            checks.append((name, lambda value, allowed=allowed: value is None or value in allowed))
        else:
            bound, compare = read_constraint(limit), BOUNDS[name]
            checks.append((name, lambda value, bound=bound, compare=compare:
                           value is None or (value == value and bool(compare(value, bound)))))
    return checks


@dataclass
class FieldColumn:
    """One field's column read and checked: its typed values, and what is wrong with which cells."""

    values: list  # the typed value of each row: None for an empty, missing or refused cell
    broken: dict  # cell -> "type" when its type refuses it, else the names of the constraints it breaks
    cells: list  # the raw cells (None for a missing one)


def field_column(field: dict, cells: list) -> FieldColumn:
    """A column read as its field's type, each distinct cell once, and checked against the field's constraints."""
    read, read_constraint = _readers(field)
    checks = _checks(field, read_constraint)
    plain_text = field["type"] == "string" and read is str
    value_of = {}
    broken = {}
    for cell in set(cells):
        if cell is None or cell == "":
            value = None
        elif plain_text:
            value = cell
        else:
            try:
                value = read(cell)
            except (ValueError, ArithmeticError, KeyError, TypeError):
                broken[cell] = "type"
                value_of[cell] = None
                continue
        value_of[cell] = value
        failed = [name for name, test in checks if not test(value)]
        if failed:
            broken[cell] = failed
    if plain_text:
        values = [cell or None for cell in cells] if "" in cells else cells  # the same list when no cell is empty
    elif cells:
        found = itemgetter(*cells)(value_of)
        values = list(found) if len(cells) > 1 else [found]
    else:
        values = []
    return FieldColumn(values, broken, cells)


# The problems of the tables.

@dataclass
class CheckedTable:
    """What the schema layer knows of one readable table."""

    name: str
    display: str
    schema: dict
    lines: list[int]  # the line of each data row
    columns: dict[str, FieldColumn]
    blank: set[int]  # indexes of blank rows
    misshapen: set[int]  # lines whose cell count is the row's one problem
    bad_cells: set  # (line, column) already reported as numbers that are not plain
    problems: list[Problem] = field(default_factory=list)


def checked_table(table, schema: dict) -> CheckedTable:
    """A readable RawTable's columns read as their fields' types and checked."""
    fields = schema["fields"]
    columns, blank = table.columns, table.blank
    read = {f["name"]: field_column(f, columns[index]) for index, f in enumerate(fields)}
    return CheckedTable(table.name, table.display, schema, table.lines, read, set(blank), table.misshapen,
                        table.bad_cells)


def schema_problems(tables: dict, schemas: dict[str, dict], raw: dict) -> tuple[list[Problem], dict[str, CheckedTable]]:
    """The schema problems of every readable table, as the frictionless pass reported them; and the checked tables.

    `tables` maps a name to validate's RawTable (all tables: keys refer across them), `raw` a name to its
    (header, rows) for suggestions. Said once: a blank row is its one problem; unique on the primary key is the
    primary-key problem; a misshapen line has only its cell count; a cell reported as a number that is not plain
    is not also a type error; a foreign key is not checked again on a cell that is malformed.
    """
    checked = {name: checked_table(table, schemas[name]) for name, table in tables.items() if table.readable}
    for table in checked.values():
        _cell_problems(table, raw)
        _row_shape_problems(table, tables[table.name].odd)
        _unique_problems(table)
        _primary_key_problems(table)
    malformed = {(p.file, p.line, p.column) for table in checked.values() for p in table.problems
                 if p.code in (catalogue.PATTERN_CONSTRAINT, catalogue.TYPE_ERROR)}
    for table in checked.values():
        _foreign_key_problems(table, checked, raw, malformed)
    return [p for table in checked.values() for p in table.problems], checked


def _place(table: CheckedTable, row: int) -> int | None:
    """The line of a data row whose problems are said, or None when they are not (blank or misshapen row)."""
    if row in table.blank:
        return None
    line = table.lines[row]
    return None if line in table.misshapen else line


def _add(table: CheckedTable, row: int, column: int, field_name: str, code: str, message: str) -> None:
    line = _place(table, row)
    if line is None:
        return
    if code == catalogue.TYPE_ERROR and (line, column) in table.bad_cells:
        return  # already reported, with a better hint, as a number that is not plain
    table.problems.append(Problem(table.display, line, column, code, message, field_name, ERROR))


def _cell_problems(table: CheckedTable, raw: dict) -> None:
    """Type and constraint problems, a column at a time; and one problem per blank row."""
    for number, spec in enumerate(table.schema["fields"], start=1):
        column = table.columns[spec["name"]]
        if not column.broken:
            continue
        said = {cell: _cell_messages(spec, table.schema, cell, failed, raw) for cell, failed in column.broken.items()}
        for row, cell in enumerate(column.cells):
            if cell in said:
                for code, message in said[cell]:
                    _add(table, row, number, spec["name"], code, message)
    for row in sorted(table.blank):
        line = table.lines[row]
        if line not in table.misshapen:
            table.problems.append(Problem(table.display, line, 0, catalogue.BLANK_ROW, BLANK_ROW_MESSAGE, "", ERROR))


def _cell_messages(spec: dict, schema: dict, cell, failed, raw: dict) -> list[tuple[str, str]]:
    name = spec["name"]
    if failed == "type":
        return [(catalogue.TYPE_ERROR, type_message(name, cell, spec["type"]))]
    said = []
    for constraint in failed:
        code, message = constraint_message(name, str(cell), spec, constraint, str(spec["constraints"][constraint]))
        if code in (catalogue.PATTERN_CONSTRAINT, catalogue.ENUM_CONSTRAINT):
            message += suggestion(spec, schema, str(cell), raw)
        said.append((code, message))
    return said


def _row_shape_problems(table: CheckedTable, odd: dict[int, list]) -> None:
    """Extra and missing cells of a row that is not misshapen (its cells hold a line break): one problem a cell.
    `odd` maps the index of each row whose cell count is not the header's to its cells."""
    fields = table.schema["fields"]
    width = len(fields)
    for row, cells in sorted(odd.items()):
        line = table.lines[row]
        if len(cells) == width or row in table.blank or line in table.misshapen:
            continue
        for column in range(width + 1, len(cells) + 1):
            table.problems.append(Problem(table.display, line, column, catalogue.EXTRA_CELL,
                                          extra_cell_message(column), "", ERROR))
        for column in range(len(cells) + 1, width + 1):
            name = fields[column - 1]["name"]
            table.problems.append(Problem(table.display, line, column, catalogue.MISSING_CELL,
                                          missing_cell_message(name, column), name, ERROR))


class _Never:
    """A key part that equals nothing, not even itself: NaN, as frictionless compares a fresh value each row."""

    __slots__ = ()


def _matchable(value):
    return _Never() if value is not None and value != value else value


def _keys(table: CheckedTable, names: list[str]) -> list:
    """The typed key of each row: one value, or a tuple for several fields."""
    columns = [table.columns[name].values for name in names]
    if len(columns) == 1:
        return columns[0]
    return list(zip(*columns))


def _repeats(keys: list, single: bool):
    """(row, earlier row) for each row whose key an earlier row has, the latest such; None keys are skipped."""
    present = [key for key in keys if key is not None]
    if len(set(present)) == len(present):
        return  # no key twice (a NaN taken once for all its rows only finds more than frictionless would)
    memory = {}
    for row, key in enumerate(keys):
        if key is None:
            continue
        key = _matchable(key) if single else tuple(_matchable(part) for part in key)
        match = memory.get(key)
        memory[key] = row
        if match is not None:
            yield row, match


def _unique_problems(table: CheckedTable) -> None:
    key = table.schema["primaryKey"]
    for number, spec in enumerate(table.schema["fields"], start=1):
        if not spec.get("constraints", {}).get("unique") or [spec["name"]] == key:
            continue  # unique on the primary key is said by the primary-key problem, with the other line
        values = table.columns[spec["name"]].values
        for row, _ in _repeats(values, single=True):
            _add(table, row, number, spec["name"], catalogue.UNIQUE_CONSTRAINT, unique_message(spec["name"], values[row]))


def _primary_key_problems(table: CheckedTable) -> None:
    key = table.schema["primaryKey"]
    names = [f["name"] for f in table.schema["fields"]]
    column = names.index(key[0]) + 1
    keys = _keys(table, key)
    single = len(key) == 1
    empty = None if single else (None,) * len(key)
    if empty in keys:
        for row, value in enumerate(keys):
            if value == empty:
                _add(table, row, column, key[0], catalogue.PRIMARY_KEY, primary_key_message(key, None))
    if not single:
        keys = [None if value == empty else value for value in keys]
    for row, match in _repeats(keys, single):
        _add(table, row, column, key[0], catalogue.PRIMARY_KEY, primary_key_message(key, table.lines[match]))


def _foreign_key_problems(table: CheckedTable, checked: dict[str, CheckedTable], raw: dict, malformed: set) -> None:
    fields = table.schema["fields"]
    names = [f["name"] for f in fields]
    lookups: dict = {}
    for key in table.schema.get("foreignKeys", []):
        reference = key["reference"]["resource"]
        if reference not in checked:
            continue  # the table it refers to could not be read: its own problems say why
        target_names, source_names = key["fields"], key["reference"]["fields"]
        lookup = lookups.get((reference, tuple(source_names)))
        if lookup is None:
            lookup = lookups[(reference, tuple(source_names))] = _lookup(checked[reference], source_names)
        single = len(target_names) == 1
        keys = _keys(table, target_names)
        empty = None if single else (None,) * len(target_names)
        missing = {value for value in set(keys) if value != empty and _matchable_key(value, single) not in lookup}
        if not missing:
            continue
        column = names.index(target_names[0]) + 1
        for row, value in enumerate(keys):
            if value not in missing:
                continue
            line = _place(table, row)
            if line is None or (table.display, line, column) in malformed:
                continue
            shown = key_text((value,) if single else value)
            message = foreign_key_message(target_names[0], shown, reference, source_names)
            message += suggestion(fields[column - 1], table.schema, shown, raw)
            table.problems.append(Problem(table.display, line, column, catalogue.FOREIGN_KEY, message,
                                          target_names[0], ERROR))


def _matchable_key(value, single: bool):
    return _matchable(value) if single else tuple(_matchable(part) for part in value)


def _lookup(table: CheckedTable, names: list[str]) -> set:
    """The typed keys of a referenced table (rows whose key is all empty left out), as frictionless looks them up."""
    keys = _keys(table, names)
    if len(names) == 1:
        return {_matchable(value) for value in keys if value is not None}
    empty = (None,) * len(names)
    return {tuple(_matchable(part) for part in value) for value in keys if value != empty}


def typed_columns(table: CheckedTable) -> dict[str, list]:
    """The typed values of a table that has no problem, field by field in file order, with `__line__`."""
    columns = {f["name"]: table.columns[f["name"]].values for f in table.schema["fields"]}
    columns["__line__"] = table.lines
    return columns


def typed_rows(table: CheckedTable) -> list[Row]:
    """The typed rows of a table that has no problem, each with its `__line__`, sorted by primary key."""
    names = [f["name"] for f in table.schema["fields"]]
    columns = [table.columns[name].values for name in names] + [table.lines]
    names.append("__line__")
    rows = rows_of(names, columns)
    texts = [list(map(str, table.columns[name].values)) for name in table.schema["primaryKey"]]
    keys = texts[0] if len(texts) == 1 else list(zip(*texts))  # one text sorts as the tuple of it would
    return [rows[i] for i in sorted(range(len(rows)), key=keys.__getitem__)]
