"""`validate`: one defect per test, and the exact line the curator sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import validate
from pipeline.problems import PipelineError, format_problems

from .conftest import edit_cell, header_of, text_problems


def text_of(root: Path, *tables: str) -> list[str]:
    return [problem.as_text() for problem in validate(root, list(tables) or None)]


def test_shipped_data_has_no_errors(shipped_problems):
    assert [text for text in shipped_problems if ": warning: " not in text] == []


def test_enum_value_outside_the_vocabulary(project):
    edit_cell(project, "regions", 3, "subject_type", "kray")
    assert text_of(project, "regions") == [
        'raw/regions.csv:3:7: enum-constraint: subject_type: "kray" is not an allowed value; use one of: '
        "republic, krai, oblast, federal-city, autonomous-oblast, autonomous-okrug, "
        "autonomous-republic, city-special-status"
    ]


def test_foreign_key_to_a_missing_row(project):
    edit_cell(project, "regions", 2, "federal_district_id", "centrall")
    assert text_of(project, "regions") == [
        'raw/regions.csv:2:8: foreign-key: federal_district_id: "centrall" is not found in '
        "federal_districts.id (raw/federal_districts.csv); did you mean central (Central Federal District)?"
    ]


def test_required_cell_left_empty(project):
    edit_cell(project, "federal_districts", 4, "name_en", "")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:4:2: required-constraint: name_en is required but the cell is empty"
    ]


def test_duplicate_id_is_reported_once_with_the_other_line(project):
    path = project / "raw" / "federal_districts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first_id = lines[3].split(",")[0]
    edit_cell(project, "federal_districts", 5, "id", first_id)
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:5:1: primary-key: id: the same value is already used on line 4; "
        "ids must be unique"
    ]


def test_number_with_thousands_separator(project):
    edit_cell(project, "sources", 3, "footnote", "1,000")
    assert text_of(project, "sources") == [
        'raw/sources.csv:3:2: type-error: footnote: "1,000" is not a valid integer; '
        "write whole numbers in plain digits, e.g. 15000"
    ]


def test_pattern_of_a_code(project):
    edit_cell(project, "regions", 2, "region_code", "RU_AD")
    problems = text_of(project, "regions")
    assert problems[0] == (
        'raw/regions.csv:2:1: pattern-constraint: region_code: "RU_AD" does not have the required form '
        "(pattern (RU|UA)-[A-Z0-9]{2,3})"
    )


def test_legacy_encoding_is_named_not_decoded(project):
    path = project / "raw" / "federal_districts.csv"
    # Norwegian letters (name_no) have no cp1251 byte: a Russian spreadsheet program writes "?" for them
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251", errors="replace"))
    [problem] = validate(project, ["federal_districts"])
    assert problem.code == "encoding-error"
    assert (problem.file, problem.line) == ("raw/federal_districts.csv", 2)
    assert "it looks like cp1251 (Windows Cyrillic)" in problem.message


def test_byte_order_mark_is_a_warning_only(project):
    path = project / "raw" / "federal_districts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problems = validate(project, ["federal_districts"])
    assert [p.as_text() for p in problems] == [
        "raw/federal_districts.csv:1:1: utf8-bom: warning: the file starts with a UTF-8 byte order mark "
        "(BOM); it is read fine, but save as UTF-8 without BOM to keep diffs clean"
    ]


def test_crlf_line_ends_are_read(project):
    path = project / "raw" / "federal_districts.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert validate(project, ["federal_districts"]) == []


def test_missing_file(project):
    (project / "raw" / "federal_districts.csv").unlink()
    assert "raw/federal_districts.csv: missing-file: the table 'federal_districts' has no file; " \
        "create raw/federal_districts.csv with a header row" in text_of(project, "federal_districts")


def test_unknown_extra_file(project):
    """The check itself; tests/test_catalogue.py sees its problem in what validate prints."""
    from pipeline.schemas import table_names
    from pipeline.validate import unknown_files

    (project / "raw" / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    [problem] = unknown_files(project, table_names(project / "schemas"))
    assert problem.as_text().startswith("raw/notes.csv: unknown-file:")


def test_wrong_delimiter(project):
    path = project / "raw" / "federal_districts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:1:1: wrong-delimiter: the header is one cell containing ';': "
        "the file uses ';' as delimiter; save it with commas"
    ]


def test_renamed_header(project):
    path = project / "raw" / "federal_districts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name_en", "english_name", 1), encoding="utf-8")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:1:1: missing-column: the header has no column 'name_en'; "
        "expected columns: id, name_en, name_no, name_ru, correction_note",
        "raw/federal_districts.csv:1:2: unknown-column: the header has a column 'english_name' that the "
        "schema does not define (a typo or a renamed column?)",
    ]


def test_blank_row_and_extra_cell(project):
    path = project / "raw" / "federal_districts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, ",,,,")
    lines[5] = lines[5] + ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:4:1: blank-row: the row is blank; delete it",
        "raw/federal_districts.csv:6:6: extra-cell: row has 6 cells, header has 5: a comma inside an unquoted "
        "cell? put every cell that holds a comma in double quotes",
    ]


def test_one_table_only(project):
    edit_cell(project, "regions", 3, "subject_type", "kray")
    assert validate(project, ["raw/federal_districts.csv"]) == []
    assert len(validate(project, ["raw/regions.csv"])) == 1


def test_every_problem_is_reported_and_sorted(project):
    edit_cell(project, "regions", 5, "subject_type", "kray")
    edit_cell(project, "regions", 3, "country_code", "XX")
    edit_cell(project, "federal_districts", 2, "name_ru", "")
    lines = format_problems(validate(project, ["federal_districts", "regions"]), "text").splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        "raw/federal_districts.csv:2:4",
        "raw/regions.csv:3:2",
        "raw/regions.csv:5:7",
    ]
    assert lines[-1] == "invalid: 3 error(s), 0 warning(s)"


@pytest.mark.parametrize("fmt", ["github", "json"])
def test_other_formats_come_from_the_same_problems(project, fmt):
    edit_cell(project, "federal_districts", 4, "name_en", "")
    out = format_problems(validate(project, ["federal_districts"]), fmt)
    if fmt == "github":
        assert out.splitlines()[0] == (
            "::error file=raw/federal_districts.csv,line=4,col=2,title=required-constraint::"
            "name_en is required but the cell is empty"
        )
    else:
        import json

        [problem] = json.loads(out)
        assert problem == {
            "file": "raw/federal_districts.csv", "line": 4, "column": 2, "code": "required-constraint",
            "message": "name_en is required but the cell is empty", "field_name": "name_en",
            "severity": "error",
        }


def test_a_text_problem_does_not_hide_the_others(project):
    """Curators fix everything in one round: a stray space never masks a type, key or expectation error."""
    edit_cell(project, "sources", 3, "publisher", "BBC ")
    edit_cell(project, "sources", 4, "footnote", "abc")
    edit_cell(project, "regions", 5, "federal_district_id", "atlantis")
    edit_cell(project, "casualties", 2, "value_low", "-5")
    codes = {(p.file, p.line, p.code) for p in validate(project) if p.is_error}
    assert {("raw/sources.csv", 3, "surrounding-space"), ("raw/sources.csv", 4, "type-error"),
            ("raw/regions.csv", 5, "foreign-key")} <= codes
    assert any(file == "raw/casualties.csv" and line == 2 for file, line, _ in codes)


def test_an_unclosed_quote_is_a_problem_not_a_crash(project):
    path = project / "raw" / "federal_districts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",", ',"', 1) + "x" * 200_000
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [p.as_text() for p in validate(project, ["federal_districts"])]
    assert problems[0] == (
        "raw/federal_districts.csv:3:2: line-break-in-cell: name_en: the cell holds a line break, so it runs "
        'over several lines; keep each cell on one line (or is a quote (") opened and never closed?)'
    )


def test_empty_file(project):
    (project / "raw" / "federal_districts.csv").write_text("", encoding="utf-8")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:1:1: empty-file: the file is empty; it needs at least the header row"
    ]


def test_missing_cell(project):
    path = project / "raw" / "federal_districts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:3:5: missing-cell: row has 4 cells, header has 5: correction_note (column 5) "
        "is missing; give every column a cell, empty if need be"
    ]


# Numbers are plain ASCII decimals: validate flags every oddity Python would read, and build refuses it.
NOT_PLAIN = [
    ("1_000", "write the digits without underscores: 1000"),
    ("１２", "it has digits that are not plain ASCII (U+FF11 FULLWIDTH DIGIT ONE, U+FF12 FULLWIDTH DIGIT TWO); "
            "type them as 0-9: 12"),
    ("inf", "infinity and NaN are not figures; leave the cell empty when the source gives no figure"),
    ("nan", "infinity and NaN are not figures; leave the cell empty when the source gives no figure"),
    ("1e5", "write the number in full, without an exponent: 100000"),
    ("+12", "write it without the plus sign: 12"),
    ("12.", "write plain digits with a dot for decimals and no thousands separator, e.g. 15000 or 6.5"),
]


@pytest.mark.parametrize("cell,hint", NOT_PLAIN, ids=[c for c, _ in NOT_PLAIN])
def test_a_number_that_is_not_plain_is_named_with_its_hint(project, cell, hint):
    """The cell check on reading the text; the test below runs one of them through validate and build."""
    edit_cell(project, "bonuses", 2, "value", cell)
    assert [p.as_text() for p in text_problems(project, "bonuses")] == [
        f'raw/bonuses.csv:2:6: type-error: value: "{cell}" is not a valid number; {hint}']


def test_a_number_that_is_not_plain_is_refused_by_validate_and_build(project):
    from pipeline import build
    from pipeline.problems import DataInvalid

    edit_cell(project, "bonuses", 2, "value", "1_000")
    expected = ['raw/bonuses.csv:2:6: type-error: value: "1_000" is not a valid number; write the digits without '
                "underscores: 1000"]
    assert text_of(project, "bonuses") == expected
    with pytest.raises(DataInvalid) as refused:
        build(project)
    assert [p.as_text() for p in refused.value.problems if p.is_error] == expected
    assert not (project / "dist").exists()


def test_a_number_with_surrounding_space_is_one_problem(project):
    """Found on reading the text, and not said again by frictionless as a type error (build refuses it like
    any error: the test above)."""
    edit_cell(project, "bonuses", 2, "value", " 12")
    expected = ['raw/bonuses.csv:2:6: surrounding-space: value: " 12" starts or ends with a space; delete the space']
    assert [p.as_text() for p in text_problems(project, "bonuses")] == expected
    assert text_of(project, "bonuses") == expected


@pytest.mark.parametrize("cell,hint", [
    ("1.5", "write whole numbers in plain digits, e.g. 15000"),
    ("１", "it has digits that are not plain ASCII (U+FF11 FULLWIDTH DIGIT ONE); type them as 0-9: 1"),
])
def test_an_integer_that_is_not_plain(project, cell, hint):
    edit_cell(project, "sources", 3, "footnote", cell)
    assert [p.as_text() for p in text_problems(project, "sources")] == [f'raw/sources.csv:3:2: type-error: footnote: "{cell}" is not a valid '
                                           f"integer; {hint}"]


def test_the_writers_never_write_a_number_that_is_not_plain():
    from decimal import Decimal

    from pipeline.problems import PipelineError
    from pipeline.fieldtypes import plain_number

    assert [plain_number(Decimal("12.50")), plain_number(3.0), plain_number(-7)] == ["12.5", "3", "-7"]
    for value in (Decimal("Infinity"), Decimal("NaN"), float("inf"), float("nan")):
        with pytest.raises(PipelineError):
            plain_number(value)


# A row with the wrong number of cells: one problem, with its likely cause, and nothing else.

def rewrite_line(root: Path, table: str, line: int, edit) -> None:
    path = root / "raw" / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = edit(lines[line - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def new_problems(root: Path, shipped: tuple[str, ...], edit) -> list[str]:
    """What validate says after `edit` (on every table) and did not say about the shipped data."""
    edit()
    return [line for line in text_of(root) if line not in shipped]


def test_an_unquoted_thousands_separator_is_one_problem(project, shipped_problems):
    from .conftest import line_of

    line = line_of(project, "bonuses", "bonus-peak-ru-me-nok")
    columns = len(header_of(project, "bonuses"))
    found = new_problems(project, shipped_problems, lambda: rewrite_line(
        project, "bonuses", line, lambda text: text.replace(",324000,", ",324,000,")))
    assert found == [f'raw/bonuses.csv:{line}:{header_of(project, "bonuses").index("value") + 1}: extra-cell: row has '
                     f'{columns + 1} cells, header has {columns}: a comma inside an unquoted cell? value "324,000": '
                     "quote it or write 324000"]


def test_an_unquoted_comma_in_prose_names_the_cell(project, shipped_problems):
    import csv

    header = header_of(project, "bonuses")
    statement = next(csv.DictReader((project / "raw" / "bonuses.csv").open(encoding="utf-8")))["statement"]
    assert "," not in statement and '"' not in statement
    found = new_problems(project, shipped_problems, lambda: rewrite_line(
        project, "bonuses", 2, lambda text: text.replace(f",{statement},", f",In 2025, {statement},")))
    shown = f"In 2025, {statement}"
    shown = shown if len(shown) <= 60 else shown[:60] + "…"
    assert found == [f"raw/bonuses.csv:2:{header.index('statement') + 1}: extra-cell: row has {len(header) + 1} cells, "
                     f'header has {len(header)}: a comma inside an unquoted cell? statement "{shown}": put that '
                     "cell in double quotes"]


def test_missing_cells_are_one_problem(project, shipped_problems):
    columns = len(header_of(project, "bonuses"))
    found = new_problems(project, shipped_problems,
                         lambda: rewrite_line(project, "bonuses", 2, lambda text: text.rsplit(",", 2)[0]))
    assert found == [f"raw/bonuses.csv:2:{columns - 1}: missing-cell: row has {columns - 2} cells, header has "
                     f"{columns}: section, source_id (columns {columns - 1} to {columns}) are missing; give every "
                     "column a cell, empty if need be"]


def test_an_error_in_one_table_raises_no_unused_source_warning(project):
    """Rows of a table that cannot be read use sources too: the check is not run rather than blame sources.csv."""
    edit_cell(project, "bonuses", 2, "value", "1_000")
    edit_cell(project, "casualties", 2, "as_of", "yesterday")
    assert [p.as_text() for p in validate(project) if p.code == "unused-source"] == []


# A name where a code belongs is answered with the code.

@pytest.mark.parametrize("table,column,cell,expected", [
    ("bonuses", "region_code", "Tatarstan",
     'raw/bonuses.csv:2:2: pattern-constraint: region_code: "Tatarstan" does not have the required form (pattern '
     "(RU|UA)-[A-Z0-9]{2,3}); did you mean RU-TA (Republic of Tatarstan)?"),
    ("bonuses", "region_code", "Altai",
     'raw/bonuses.csv:2:2: pattern-constraint: region_code: "Altai" does not have the required form (pattern '
     "(RU|UA)-[A-Z0-9]{2,3}); did you mean RU-AL (Altai Republic) or RU-ALT (Altai Krai)?"),
    ("bonuses", "category_id", "Contract soldier",
     'raw/bonuses.csv:2:3: foreign-key: category_id: "Contract soldier" is not found in categories.id '
     "(raw/categories.csv); did you mean contract (Contract soldier)?"),
    ("foreign_countries", "country_code", "Belarus",
     'raw/foreign_countries.csv:2:2: pattern-constraint: country_code: "Belarus" does not have the required form '
     "(pattern [A-Z]{2}); did you mean BY (Belarus)?"),
    ("bonuses", "qualifier", "at least",
     'raw/bonuses.csv:2:5: enum-constraint: qualifier: "at least" is not an allowed value; use one of: exact, '
     "approximately, at_least, more_than, at_most, less_than, range; did you mean at_least?"),
], ids=["region", "ambiguous-region", "category", "country", "enum"])
def test_a_name_written_for_a_code_gets_a_suggestion(project, table, column, cell, expected):
    edit_cell(project, table, 2, column, cell)
    assert [p for p in text_of(project, table) if p.startswith(f"raw/{table}.csv:2:")] == [expected]


# The encoding a file that is not UTF-8 most likely has.

@pytest.mark.parametrize("encode,named", [
    (lambda text: text.encode("utf-16"), "UTF-16 (little-endian, it starts with a UTF-16 byte order mark)"),
    (lambda text: text.encode("utf-16-be"), "UTF-16 (big-endian, without a byte order mark: every other byte is zero)"),
    (lambda text: text.encode("cp1251", errors="replace"), "cp1251 (Windows Cyrillic)"),  # no byte for ø: "?"
], ids=["utf-16-bom", "utf-16-be", "cp1251"])
def test_the_encoding_of_a_file_is_named(project, encode, named):
    path = project / "raw" / "federal_districts.csv"
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    [problem] = validate(project, ["federal_districts"])
    assert problem.code == "encoding-error"
    assert problem.message == (f"the file is not UTF-8; it looks like {named}. Save it again as 'CSV UTF-8' in "
                               "your spreadsheet program")


def test_latin_1_is_not_called_cyrillic(project):
    path = project / "raw" / "federal_districts.csv"
    path.write_bytes("id,name_en,name_ru,correction_note\ncentral,Zürich Federal District,Tromsø,Ålesund\n"
                     .encode("latin-1"))
    assert text_of(project, "federal_districts") == [
        "raw/federal_districts.csv:2:10: encoding-error: the file is not UTF-8; it looks like latin-1 / cp1252 "
        "(Western European). Save it again as 'CSV UTF-8' in your spreadsheet program"]


def test_utf_16_of_ascii_text_without_bom_is_named(project):
    path = project / "raw" / "federal_districts.csv"
    path.write_bytes("id,name_en,name_ru,correction_note\ncentral,Central,Central,\n".encode("utf-16-le"))
    [problem] = validate(project, ["federal_districts"])
    assert "it looks like UTF-16 (little-endian, without a byte order mark: every other byte is zero)" in problem.message


def test_no_cross_table_check_runs_against_a_table_that_cannot_be_read(project):
    """sources.csv unreadable: its own problem only; no foreign-key error for every source_id that points into it."""
    path = project / "raw" / "sources.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert [(p.file, p.code) for p in validate(project) if p.is_error] == [("raw/sources.csv", "encoding-error")]


@pytest.mark.parametrize("schema,removed,message", [
    ("federal_districts", "    description_no: Det føderale distriktets navn på engelsk.\n",
     "schemas/federal_districts.yaml: field 'name_en' has no description_no"),
    ("federal_districts", "title_no: Føderale distrikter\n", "schemas/federal_districts.yaml:1:1: top level: the key 'title_no' is required"),
    ("package", "title_no: Slik skaffer Russland soldater til krigen mot Ukraina\n",
     "schemas/package.yaml:2:1: top level: the key 'title_no' is required"),
])
def test_every_title_and_description_is_also_in_norwegian(project, schema, removed, message):
    path = project / "schemas" / f"{schema}.yaml"
    text = path.read_text(encoding="utf-8")
    assert removed in text
    path.write_text(text.replace(removed, ""), encoding="utf-8")
    with pytest.raises(PipelineError) as refused:
        validate(project)
    assert str(refused.value) == f"{project}/{message}"


def test_a_table_read_in_small_blocks_says_what_one_block_says(project, monkeypatch):
    """A table is read a block of rows at a time; defects at a block's edge, a bad cell seen again in a later
    block, and a misshapen row whose cell comes back in a later row give the problems one block gives."""
    import importlib

    stage = importlib.import_module("pipeline.validate")  # the module (the package's `validate` is the function)
    for line, column, value in ((4, "note", " spaced"), (5, "note", " spaced"), (9, "date", "2024-13-01"),
                                (10, "note", "\u200bhidden"), (12, "date", "2024-13-01"), (14, "note", "\u200bhidden")):
        edit_cell(project, "events", line, column, value)
    path = project / "raw" / "events.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[9] += ",an extra cell"  # line 10 misshapen: its hidden character is said on line 14 only
    path.write_text("\n".join(lines), encoding="utf-8")
    whole = text_of(project, "events")
    monkeypatch.setattr(stage, "BLOCK_ROWS", 3)
    assert text_of(project, "events") == whole
    assert [text.split(": ")[0:2] for text in whole if "events.csv:1" in text] == [
        ["raw/events.csv:10:18", "extra-cell"], ["raw/events.csv:12:2", "type-error"],
        ["raw/events.csv:14:15", "invisible-character"]]


def test_a_column_of_all_different_cells_is_kept_as_read():
    from pipeline.columns import SHARED_TRIAL, ColumnCells

    cells = ColumnCells(2)
    first = cells.add([[f"id-{n}", "same"] for n in range(SHARED_TRIAL)])
    assert len(first[0]) == SHARED_TRIAL and first[1] == {"same"}
    again = cells.add([["id-0", "same"], ["id-0", "same"]])
    assert again == [{"id-0"}, set()]  # an unshared column gives each block's cells to check again
    assert cells.columns[0][-1] == "id-0" and cells.columns[1][-1] is cells.columns[1][0]
