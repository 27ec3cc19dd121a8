"""The schema layer a column at a time (columns.py) says exactly what the frictionless pass said.

frictionless is the oracle: each fixture has one defect, and the problems of the
column checks equal those of frictionless' row-by-row validation of the same
files, mapped to our problems as validate did before (`frictionless_problems`
below is that former path, kept here only). The exact wording of each message is
pinned by test_validate.py.
"""

from __future__ import annotations

import re
from dataclasses import astuple
from datetime import date
from pathlib import Path

import pytest

from pipeline import catalogue
from pipeline.columns import (BLANK_ROW_MESSAGE, constraint_message, extra_cell_message, foreign_key_message,
                              missing_cell_message, primary_key_message, schema_problems, type_message,
                              unique_message)
from pipeline.problems import Problem
from pipeline.schemas import table_names, table_schema
from pipeline.suggest import suggestion
from pipeline.validate import read_raw_table

from .conftest import copy_row, edit_cell, line_of

# The former path: frictionless validates the package, each error becomes our problem.

CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)" is "(.*)"$', re.S)


def package_descriptor(tables: dict, schemas: dict) -> dict:
    usable = {name for name, table in tables.items() if table.readable}
    resources = []
    for name in tables:
        if name not in usable:
            continue
        schema = dict(schemas[name])
        keys = [fk for fk in schema.pop("foreignKeys", []) if fk["reference"]["resource"] in usable]
        if keys:
            schema["foreignKeys"] = keys
        resources.append({"name": name, "path": str(tables[name].path), "format": "csv", "encoding": "utf-8-sig",
                          "schema": schema})
    return {"name": "raw", "resources": resources}


def problem_from_error(table, error, schema: dict, raw: dict) -> Problem:
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    number = getattr(error, "field_number", None) or 0
    spec = fields[number - 1] if 0 < number <= len(fields) else {}
    name = getattr(error, "field_name", None) or spec.get("name", "")
    line = table.line_of_row(getattr(error, "row_number", None))
    cell = getattr(error, "cell", None)
    if error.type == "type-error":
        code, message = catalogue.TYPE_ERROR, type_message(name, cell, spec.get("type", "value"))
    elif error.type == "constraint-error":
        constraint, limit = CONSTRAINT_NOTE.search(error.note).groups()
        code, message = constraint_message(name, cell, spec, constraint, limit)
        if code in (catalogue.PATTERN_CONSTRAINT, catalogue.ENUM_CONSTRAINT):
            message += suggestion(spec, schema, cell, raw)
    elif error.type == "unique-error":
        code, message = catalogue.UNIQUE_CONSTRAINT, unique_message(name, cell)
    elif error.type == "primary-key":
        key = schema["primaryKey"]
        number, name = names.index(key[0]) + 1, key[0]
        other = re.search(r"position (\d+)", error.note)
        code, message = catalogue.PRIMARY_KEY, primary_key_message(key, table.line_of_row(int(other.group(1)))
                                                                   if other else None)
    elif error.type == "foreign-key":
        name = error.field_names[0]
        number = names.index(name) + 1
        value = ", ".join(str(c) for c in error.field_cells)
        code = catalogue.FOREIGN_KEY
        message = foreign_key_message(name, value, error.reference_name, error.reference_field_names)
        message += suggestion(fields[number - 1], schema, value, raw)
    elif error.type == "blank-row":
        code, message = catalogue.BLANK_ROW, BLANK_ROW_MESSAGE
    elif error.type == "extra-cell":
        code, message = catalogue.EXTRA_CELL, extra_cell_message(number)
    elif error.type == "missing-cell":
        code, message = catalogue.MISSING_CELL, missing_cell_message(name, number)
    else:
        code, message = catalogue.frictionless_code(error.type), error.message
    return Problem(table.display, line, number, code, message, name)


def frictionless_problems(tables: dict, schemas: dict, raw: dict) -> list[Problem]:
    """The schema problems as validate found them with frictionless, said once by the same rules."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package.from_descriptor(package_descriptor(tables, schemas)).validate(limit_errors=100_000)
    found = []
    for task in report.tasks:
        table, schema = tables[task.name], schemas[task.name]
        blank_rows = {e.row_number for e in task.errors if e.type == "blank-row"}
        for error in task.errors:
            if error.type == "unique-error" and [error.field_name] == schema["primaryKey"]:
                continue
            if error.type != "blank-row" and getattr(error, "row_number", None) in blank_rows:
                continue
            problem = problem_from_error(table, error, schema, raw)
            if problem.line in table.misshapen:
                continue
            if problem.code == catalogue.TYPE_ERROR and (problem.line, problem.column) in table.bad_cells:
                continue
            found.append(problem)
    malformed = {(p.file, p.line, p.column) for p in found if p.code in (catalogue.PATTERN_CONSTRAINT,
                                                                          catalogue.TYPE_ERROR)}
    return [p for p in found if not (p.code == catalogue.FOREIGN_KEY and (p.file, p.line, p.column) in malformed)]


def both_paths(root: Path, schemas: dict) -> tuple[list[tuple], list[tuple]]:
    """(column checks, frictionless) problems of the tables under root, every attribute of each compared."""
    tables = {name: read_raw_table(root, name, schema) for name, schema in schemas.items()}
    raw = {name: (t.header, [cells for _, cells in t.rows[1:]]) for name, t in tables.items() if t.parsed}
    oracle = frictionless_problems(tables, schemas, raw)
    columns, _ = schema_problems(tables, schemas, raw)
    return sorted(map(astuple, columns)), sorted(map(astuple, oracle))


# A package of its own with every type and every constraint.

def field(name: str, type_: str = "string", **constraints) -> dict:
    return {"name": name, "type": type_, **({"constraints": constraints} if constraints else {})}


SCHEMAS = {
    "things": {
        "fields": [
            field("id", required=True, unique=True, pattern="[a-z0-9]+(-[a-z0-9]+)*"),
            field("name", required=True, minLength=3, maxLength=12),
            field("kind", enum=["alpha", "beta", "1.1"]),
            field("count", "integer", minimum=0, maximum=100),
            field("score", "number", minimum=0, maximum="10"),
            field("level", "integer", enum=[1, 2, 3]),
            field("ratio", "number", enum=[0.5, 1, "2.5"]),
            field("day", "date", minimum="2022-02-24", maximum=date(2030, 1, 1)),
            field("flag", "boolean", required=True),
            field("serial", "integer", unique=True),
            field("other_id"),
            field("parent_id"),
            field("pair_a"),
            field("pair_b", "integer"),
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["other_id"], "reference": {"resource": "others", "fields": ["id"]}},
            {"fields": ["parent_id"], "reference": {"resource": "things", "fields": ["id"]}},
            {"fields": ["pair_a", "pair_b"], "reference": {"resource": "pairs", "fields": ["a", "b"]}},
        ],
    },
    "pairs": {"fields": [field("a", required=True), field("b", "integer"), field("label", unique=True)],
              "missingValues": [""], "primaryKey": ["a", "b"]},
    "others": {"fields": [field("id", required=True), field("name")], "missingValues": [""], "primaryKey": ["id"]},
}

THINGS = [
    "id,name,kind,count,score,level,ratio,day,flag,serial,other_id,parent_id,pair_a,pair_b",
    "t-1,First,alpha,0,0.5,1,0.5,2022-02-24,true,1,o1,,x,1",
    "t-2,Second,beta,100,9.99,2,1,2029-12-31,false,2,o2,t-1,x,2",
    "t-3,Third,1.1,7,3,3,2.5,2025-06-01,True,3,,t-2,y,",
    "t-4,Fourth,,,,,,,FALSE,,o1,t-1,,",
]
PAIRS = ["a,b,label", "x,1,one", "x,2,two", "y,,why"]
OTHERS = ["id,name", "o1,One", "o2,Two"]


def write_package(root: Path, things=THINGS, pairs=PAIRS, others=OTHERS) -> Path:
    (root / "raw").mkdir(parents=True, exist_ok=True)
    for name, lines in (("things", things), ("pairs", pairs), ("others", others)):
        (root / "raw" / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def with_cell(column: str, value: str, row: int = 2, lines=THINGS) -> list[str]:
    """THINGS with one cell (row counted as an editor counts lines) set to `value`, quoted as a CSV writer would."""
    import csv
    import io

    rows = list(csv.reader(lines))
    rows[row - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().splitlines()


CELLS = [
    # integer: what int() takes after strip(), and what it does not
    *[("count", cell) for cell in ("+1", "1.0", "01", " 1", "1 ", "1e3", "NaN", "1_000", "１２", "abc", "-0", "-1",
                                   "101", "1,000", " ", "0x10")],
    # number: what Decimal() takes after strip(), and its bounds
    *[("score", cell) for cell in ("NaN", "nan", "-Infinity", "Infinity", "1e3", "1E-2", "+1", " 1", "1.", ".5",
                                   "1_0", "１", "1,5", "0", "-0.0001", "10", "10.0001", "abc", "")],
    # number and integer enums are compared as typed values
    *[("level", cell) for cell in ("1.0", "01", "4", "+2", "")],
    *[("ratio", cell) for cell in ("0.50", "1.0", "1", "2.50", "2", "5e-1", "NaN")],
    # dates: strptime("%Y-%m-%d"), nothing more
    *[("day", cell) for cell in ("2024-02-30", "2024-02-29", "2023-02-29", "20240101", "2024-1-5", " 2024-01-05",
                                 "2024-01-05 ", "2024-W01-1", "2024-001", "２０２４-01-05", "2024-01- 5", "2022-02-23",
                                 "2030-01-02", "2030-01-01", "0000-01-01", "24-01-05", "2024/01/05", "")],
    # booleans: exactly the default true and false values
    *[("flag", cell) for cell in ("true", "True", "TRUE", "1", "0", "False", "yes", "t", " true", "tRue", "")],
    # strings: required, lengths, pattern (anchored as frictionless anchors it), enum
    *[("id", cell) for cell in ("", "T-1", "t_1", "t-1-", "t-9")],
    *[("name", cell) for cell in ("", "ab", "abc", "x" * 12, "x" * 13, " ab")],
    *[("kind", cell) for cell in ("gamma", "Alpha", "1.10", "1.1", "")],
    # unique: typed values, so 01 and 1 are the same integer
    *[("serial", cell) for cell in ("2", "02", "2.0", "")],
    # foreign keys: simple, to the table itself, composite (typed: 01 is 1), partly empty
    *[("other_id", cell) for cell in ("o3", "O1", "", "o1 ")],
    *[("parent_id", cell) for cell in ("t-9", "t-2", "t-1 ", "T-1")],
    *[("pair_a", cell) for cell in ("z", "y", "")],
    *[("pair_b", cell) for cell in ("3", "01", "1.0", "")],
]


@pytest.mark.parametrize("column,cell", CELLS, ids=[f"{c}={v!r}" for c, v in CELLS])
def test_one_cell_gives_the_problems_frictionless_gives(tmp_path, column, cell):
    root = write_package(tmp_path, things=with_cell(column, cell))
    columns, oracle = both_paths(root, SCHEMAS)
    assert columns == oracle


def test_the_fixture_package_is_valid_and_its_defects_are_found(tmp_path):
    """The fixture itself has no problem, so each case above shows only its own defect."""
    assert both_paths(write_package(tmp_path), SCHEMAS) == ([], [])
    found, _ = both_paths(write_package(tmp_path, things=with_cell("day", "2024-02-30")), SCHEMAS)
    assert [problem[3] for problem in found] == ["type-error"]


ROWS = {
    "blank row": THINGS[:2] + [",,,,,,,,,,,,,"] + THINGS[2:],
    "empty line": THINGS[:2] + [""] + THINGS[2:],
    "blank lines at the end": THINGS + ["", ""],
    "blank row with an extra cell": THINGS + [",,,,,,,,,,,,,,x"],
    "duplicate id": THINGS + ["t-1,Again,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1"],
    "id three times": THINGS + ["t-1,Again,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1",
                                "t-1,Thrice,alpha,1,1,1,1,2024-01-01,true,8,o1,,x,1"],
    "empty id": THINGS + [",Noid,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1"],
    "serial three times": THINGS + ["t-5,Fifth,alpha,1,1,1,1,2024-01-01,true,1,o1,,x,1",
                                    "t-6,Sixth,alpha,1,1,1,1,2024-01-01,true,1,o1,,x,1"],
    "extra cell": THINGS + ["t-5,Fifth,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1,surplus"],
    "missing cells": THINGS + ["t-5,Fifth,alpha,1"],
    "a misshapen row's id is remembered": THINGS + ["t-5,Fifth,alpha,1,surplus,1,1,1,2024-01-01,true,9,o1,,x,1",
                                                    "t-5,Again,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1"],
    "a line break in a cell and missing cells": THINGS + ['t-5,"Fi\nfth",alpha,1'],
    "a line break in a cell and an extra cell": THINGS + ['t-5,"Fi\nfth",alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1,x'],
    "a pattern cell ending in a line break": THINGS + ['"t-5\n",Fifth,alpha,1,1,1,1,2024-01-01,true,9,o1,,x,1'],
    "a key to a refused cell": THINGS + ["t-5,Fifth,alpha,1,1,1,1,2024-01-01,true,9,o1,T 1,x,1"],
}


@pytest.mark.parametrize("case", ROWS)
def test_one_row_gives_the_problems_frictionless_gives(tmp_path, case):
    root = write_package(tmp_path, things=ROWS[case])
    columns, oracle = both_paths(root, SCHEMAS)
    assert columns == oracle


PACKAGES = {
    "duplicate composite key": {"pairs": PAIRS + ["x,1,uno"]},
    "composite key with one part empty twice": {"pairs": PAIRS + ["y,,why-not"]},
    "composite key all empty": {"pairs": PAIRS + [",,nothing"]},
    "a composite key read as typed": {"pairs": PAIRS + ["x,01,again"]},
    "unique label twice": {"pairs": PAIRS + ["z,1,one"]},
    "a referenced row gone": {"others": OTHERS[:2]},
    "a referenced table that cannot be read": {"others": ["id,title", "o1,One"]},
    "a referenced table with no rows": {"others": OTHERS[:1]},
    "a referenced key cell refused": {"pairs": ["a,b,label", "x,one,one", "x,2,two", "y,,why"]},
}


@pytest.mark.parametrize("case", PACKAGES)
def test_keys_across_tables_give_the_problems_frictionless_gives(tmp_path, case):
    root = write_package(tmp_path, **PACKAGES[case])
    columns, oracle = both_paths(root, SCHEMAS)
    assert columns == oracle


# The shipped package: its own schemas, with suggestions from its own tables.

def shipped(root: Path) -> dict:
    return {name: table_schema(root / "schemas", name) for name in table_names(root / "schemas")}


def test_the_shipped_package_has_no_schema_problem_either_way(project):
    assert both_paths(project, shipped(project)) == ([], [])


def test_defects_in_the_shipped_package_give_the_problems_frictionless_gives(project):
    edit_cell(project, "regions", 3, "subject_type", "kray")
    edit_cell(project, "regions", 2, "federal_district_id", "centrall")
    edit_cell(project, "bonuses", 2, "region_code", "Tatarstan")
    edit_cell(project, "bonuses", 3, "category_id", "Contract soldier")
    edit_cell(project, "bonuses", 4, "qualifier", "at least")
    edit_cell(project, "bonuses", 5, "value", "1_000")
    edit_cell(project, "sources", 3, "footnote", "1.5")
    edit_cell(project, "federal_districts", 4, "name_en", "")
    edit_cell(project, "casualties", 2, "as_of", "2024-13-01")
    edit_cell(project, "casualties", 3, "source_id", "fn999")
    copy_row(project, "casualties", "deaths-ru-da", "deaths-ru-da")
    line = line_of(project, "bonuses", "bonus-peak-ru-me-nok")
    edit_cell(project, "bonuses", line, "same_payment_as", "no-such-bonus")
    columns, oracle = both_paths(project, shipped(project))
    assert columns == oracle
    assert {problem[3] for problem in columns} == {"enum-constraint", "foreign-key", "pattern-constraint",
                                                   "type-error", "required-constraint", "primary-key"}


def test_a_table_that_cannot_be_read_is_not_looked_up(project):
    path = project / "raw" / "sources.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    edit_cell(project, "regions", 2, "federal_district_id", "centrall")
    columns, oracle = both_paths(project, shipped(project))
    assert columns == oracle and [problem[3] for problem in columns] == ["foreign-key"]


# Each type reads a cell as frictionless reads it: the same cells refused, the same values.

TRICKY = ["+1", "-1", "1.0", "01", "-0", " 1", "1 ", "\t1\n", "1e3", "1E-2", ".5", "1.", "NaN", "nan", "inf",
          "-Infinity", "1_000", "1__0", "１２", "٣", "abc", "0x10", " ", "1,000", "2024-02-29", "2024-02-30",
          "2024-1-5", "20240101", "2024-W01-1", " 2024-01-05", "2024-01- 5", "２０２４-01-05", "true", "True", "TRUE",
          "yes", "1", "0", "t", " true", "false", "FALSE", "", "x" * 3]


@pytest.mark.parametrize("type_", ["integer", "number", "date", "boolean", "string"])
def test_a_cell_is_refused_by_its_type_exactly_when_frictionless_refuses_it(type_):
    from frictionless import Field

    from pipeline.columns import field_column

    spec = {"name": "x", "type": type_}
    oracle = Field.from_descriptor(spec)
    column = field_column(spec, TRICKY)
    for cell, value in zip(TRICKY, column.values):
        expected, notes = oracle.read_cell(cell)
        assert (column.broken.get(cell) == "type", type(value), str(value)) == \
            (bool(notes and "type" in notes), type(expected), str(expected)), cell


def test_typed_rows_are_the_rows_frictionless_reads(project):
    """The typed tables handed to the build are what frictionless reads from the same files."""
    from pipeline.columns import typed_rows
    from pipeline.tables import read_typed_rows

    schemas = shipped(project)
    tables = {name: read_raw_table(project, name, schema) for name, schema in schemas.items()}
    _, checked = schema_problems(tables, schemas, {})
    for name, schema in schemas.items():
        assert typed_rows(checked[name]) == read_typed_rows(project, name, schema), name


def test_a_repeated_cell_of_a_column_is_stored_once():
    from pipeline.columns import ColumnCells

    rows = [["".join(["RU", "-AD"]), "a", ""], ["".join(["RU-", "AD"]), "b", ""], ["RU-ALT", "c"], ["", "", ""]]
    assert rows[0][0] is not rows[1][0]
    cells = ColumnCells(3)
    cells.add(rows)
    columns, blank = cells.columns, cells.blank
    assert columns == [["RU-AD", "RU-AD", "RU-ALT", ""], ["a", "b", "c", ""], ["", "", None, ""]]
    assert columns[0][0] is columns[0][1]
    assert blank == [3]
