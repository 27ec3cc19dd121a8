"""The second layer (Great Expectations suites) and the text-hygiene and privacy checks.

One defect per test, and the exact problem it must produce.
"""

from __future__ import annotations

import csv
import json

import pytest

from pipeline import validate
from pipeline.expectations import expect, generate_suite, run_suites, suite_path, suite_text
from pipeline.schemas import table_names, table_schema

from .conftest import ROOT, copy_row, edit_cell, header_of, line_of, text_problems


def problems_at(root, table: str, line: int) -> list[str]:
    return [p.as_text() for p in validate(root, [table]) if p.line == line and p.is_error]


@pytest.mark.parametrize("table", table_names(ROOT / "schemas"))
def test_committed_suites_are_generated_from_schemas(table):
    committed = suite_path(ROOT / "schemas", table).read_text(encoding="utf-8")
    assert committed == suite_text(generate_suite(ROOT / "schemas", table)), \
        "run `make expectations` and commit schemas/expectations/"


@pytest.mark.parametrize("table", table_names(ROOT / "schemas"))
def test_suites_are_great_expectations_suites(table):
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite = json.loads(suite_path(ROOT / "schemas", table).read_text(encoding="utf-8"))
    for item in suite["expectations"]:
        expectation = ExpectationConfiguration(**item).to_domain_obj()  # raises on an unknown type or bad kwargs
        assert expectation.expectation_type == item["type"]
        assert expectation.meta["code"] == item["meta"]["code"]


def test_negative_count(project):
    line = line_of(project, "casualties", "deaths-ru-da")
    edit_cell(project, "casualties", line, "value", "-1874")
    assert f'raw/casualties.csv:{line}:8: negative-value: value ("-1874"): value is negative; counts, ' \
        "amounts and durations are never negative" in problems_at(project, "casualties", line)


def test_share_above_100_percent(project):
    [row] = [r for r in csv.DictReader(open(project / "raw" / "casualties.csv", encoding="utf-8"))
             if r["unit"] == "percent"]
    line = line_of(project, "casualties", row["id"])
    edit_cell(project, "casualties", line, "value", "142")
    assert problems_at(project, "casualties", line) == [
        f'raw/casualties.csv:{line}:8: percent-out-of-range: value ("142"): a share in percent lies '
        "between 0 and 100"
    ]


# run_suites on a frame of its own: each suite runs for success only, then its failing expectations again
# for their lines.

FIGURES = {"fields": [{"name": name} for name in ("id", "statement", "qualifier", "value", "value_low", "unit")]}
FIGURE_RULES = [
    expect("expect_column_values_to_be_between", "negative-value", "value is negative", column="value", min_value=0),
    expect("expect_column_values_to_be_between", "negative-value", "value_low is negative", column="value_low",
           min_value=0),
    expect("expect_column_values_to_not_be_null", "figure-without-unit", "a figure needs a unit", column="unit",
           row_condition="qualifier.notnull()"),
    expect("expect_column_values_to_be_null", "unit-without-figure", "a unit without a figure", severity="warning",
           column="unit", row_condition="qualifier.isnull()"),
]


def run_figure_rules(tmp_path, rows: list[tuple], rules=FIGURE_RULES) -> list[str]:
    import pandas as pd

    (tmp_path / "expectations").mkdir(exist_ok=True)
    (tmp_path / "expectations" / "figures.json").write_text(suite_text({"name": "figures", "expectations": rules}),
                                                             encoding="utf-8")
    names = [field["name"] for field in FIGURES["fields"]]
    frame = pd.DataFrame(rows, columns=[*names, "__line__"]).astype({"value": "float64", "value_low": "float64"})
    return [p.as_text() for p in sorted(run_suites({"figures": (frame, FIGURES)}, tmp_path, {}))]


def test_each_failing_row_once_with_its_line_and_value(tmp_path):
    rows = [("a", "fine", "exact", 12, None, "people", 2),
            ("b", "negative", "exact", -3, None, "people", 3),
            ("c", "negative low", "range", None, -2.5, "people", 4),
            ("d", "no unit", "at_least", 40, None, None, 5),
            ("e", "unit alone", None, None, None, "people", 6),
            ("f", "both wrong", "exact", -1, None, None, 7)]
    assert run_figure_rules(tmp_path, rows) == [
        'raw/figures.csv:3:4: negative-value: value ("-3"): value is negative',
        'raw/figures.csv:4:5: negative-value: value_low ("-2.5"): value_low is negative',
        "raw/figures.csv:5:6: figure-without-unit: unit: a figure needs a unit",
        'raw/figures.csv:6:6: unit-without-figure: warning: unit ("people"): a unit without a figure',
        'raw/figures.csv:7:4: negative-value: value ("-1"): value is negative',
        "raw/figures.csv:7:6: figure-without-unit: unit: a figure needs a unit",
    ]


def test_a_passing_suite_has_no_problem(tmp_path):
    assert run_figure_rules(tmp_path, [("a", "fine", "exact", 12, None, "people", 2),
                                       ("b", "no figure", None, None, None, None, 3)]) == []


def test_an_expectation_that_cannot_run_is_an_error_not_a_pass(tmp_path):
    """A row condition naming a column the table lacks breaks the suite; it must not pass, nor find no rows."""
    from pipeline.problems import PipelineError

    broken = [*FIGURE_RULES, expect("expect_column_values_to_not_be_null", "broken-rule", "never runs",
                                    column="unit", row_condition="unknown_column.notnull()")]
    with pytest.raises(PipelineError, match="figures.json: expectation broken-rule could not run: .*unknown_column"):
        run_figure_rules(tmp_path, [("a", "fine", "exact", 12, None, "people", 2)], broken)


def test_great_expectations_sends_nothing(tmp_path, monkeypatch):
    """Usage statistics stay off, and running the suites opens no connection and looks up no host."""
    import os
    import socket

    tried = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address, *args: tried.append(address))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: tried.append(host) or [])
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "True")
    run_figure_rules(tmp_path, [("b", "negative", "exact", -3, None, "people", 3)])
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
    assert tried == []


@pytest.mark.parametrize("table", [t for t in table_names(ROOT / "schemas")
                                   if {"claimed_by", "source_id"} <= {f["name"] for f in table_schema(ROOT / "schemas", t)["fields"]}])
def test_every_table_with_a_claimant_has_the_claimed_by_check(table):
    codes = [e["meta"]["code"] for e in generate_suite(ROOT / "schemas", table)["expectations"]]
    assert "report-authors-with-other-source" in codes


def test_an_undated_figure_must_say_the_report_gives_no_date(project):
    line = line_of(project, "casualties", "deaths-ru-da")
    edit_cell(project, "casualties", line, "note", "Totals for all categories of soldiers.")
    found = [p for p in validate(project, ["casualties"]) if p.line == line]
    assert [(p.code, p.severity) for p in found] == [("figure-without-date", "warning")]


# One defect in one cell, and the exact problem it must produce ({line} is the row's line, {<column>} that
# column's position in the header).
ONE_CELL_DEFECTS = [
    ("range with a value", "casualties", "deaths-range-ru-ad", "value", "300",
     'raw/casualties.csv:{line}:8: range-with-value: value ("300"): a range has its figures in value_low and '
     "value_high; leave value empty"),
    ("reversed range", "casualties", "deaths-range-ru-ad", "value_low", "500",
     'raw/casualties.csv:{line}:10: range-bounds-reversed: value_high ("400"): value_high must be greater than '
     "value_low"),
    ("qualifier without a figure", "casualties", "deaths-ru-da", "value", "",
     "raw/casualties.csv:{line}:8: qualifier-without-value: value: this qualifier needs a figure in value (use "
     "qualifier range for low/high bounds)"),
    ("wrong unit for the measure", "casualties", "deaths-ru-da", "unit", "people",
     'raw/casualties.csv:{line}:11: unit-not-allowed: unit ("people"): when measure == "deaths", unit must be '
     "one of: deaths"),
    ("figure dated in the future", "casualties", "mobilised-deaths-ru-ba", "as_of", "2999-01-01",
     'raw/casualties.csv:{line}:12: date-out-of-window: as_of ("2999-01-01"): as_of must lie between 2022-02-24 '
     "and the day of validation"),
    ("report-authors with a footnote", "events", "year-round-conscription-first-reading", "claimed_by",
     "report-authors",
     'raw/events.csv:{line}:{source_id}: report-authors-with-other-source: source_id ("fn02"): claimed_by '
     '"report-authors" is only for the report\'s own assertions (source_id report); a row resting on a '
     "footnote or link is claimed by whoever produced the figure or made the statement there"),
    ("dated row without date_basis", "casualties", "mobilised-deaths-ru-ba", "date_basis", "",
     "raw/casualties.csv:{line}:{date_basis}: date-without-basis: date_basis: a row with a date (as_of, period_start, "
     "period_end) needs date_basis: stated (the source gives it) or inferred (the curators deduced it; the "
     "note says how)"),
    ("date_basis without a date", "casualties", "deaths-ru-da", "date_basis", "stated",
     'raw/casualties.csv:{line}:{date_basis}: basis-without-date: date_basis ("stated"): date_basis is only for a row '
     "with a date; leave it empty"),
    ("inferred date without a note", "events", "mobilisation-summonses-to-exempt", "note", "",
     "raw/events.csv:{line}:{note}: inferred-date-without-note: note: an inferred date needs a note saying how "
     "the curators deduced it"),
    ("same_payment_as to no row", "bonuses", "bonus-peak-ru-ta-nok", "same_payment_as", "bonus-peak-ru-ta-eur",
     'raw/bonuses.csv:{line}:{same_payment_as}: foreign-key: same_payment_as: "bonus-peak-ru-ta-eur" is not found in '
     "bonuses.id (raw/bonuses.csv); did you mean bonus-peak-ru-ta-rub or bonus-peak-ru-ta-nok or bonus-peak-ru-ba-nok?"),
]


@pytest.mark.parametrize("label,table,row_id,column,value,expected", ONE_CELL_DEFECTS,
                         ids=[d[0] for d in ONE_CELL_DEFECTS])
def test_one_cell_defect(project, label, table, row_id, column, value, expected):
    line = line_of(project, table, row_id)
    edit_cell(project, table, line, column, value)
    columns = {name: position for position, name in enumerate(header_of(project, table), start=1)}
    assert problems_at(project, table, line) == [expected.format(line=line, **columns)]


def test_duplicate_fact_under_a_new_id(project):
    line, copy = copy_row(project, "casualties", "deaths-ru-da", "deaths-ru-da-again")
    found = [p for p in validate(project, ["casualties"]) if p.code == "duplicate-fact"]
    assert sorted(p.line for p in found) == [line, copy]
    assert all(p.is_error for p in found)


def test_occupied_territory_coded_as_russian(project):
    line = line_of(project, "regions", "UA-43")
    edit_cell(project, "regions", line, "country_code", "RU")
    edit_cell(project, "regions", line, "status", "russian-federal-subject")
    assert f'raw/regions.csv:{line}:1: russian-region-code: region_code ("UA-43"): a Russian federal ' \
        "subject has an RU- code" in problems_at(project, "regions", line)


def test_unknown_country_code(project):
    edit_cell(project, "foreign_countries", 2, "country_code", "XK")
    assert problems_at(project, "foreign_countries", 2) == [
        'raw/foreign_countries.csv:2:2: unknown-country-code: country_code ("XK"): not an ISO 3166-1 '
        "alpha-2 country code"
    ]


def test_unused_source_is_a_warning_only(project):
    path = project / "raw" / "sources.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {"id": "inline-spare", "urls": "https://example.org/x", "publisher": "Example", "kind": "news",
           "section": "2.5"}
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([row.get(name, "") for name in header])
    problems = [p for p in validate(project, ["sources"]) if "inline-spare" in p.message]
    assert [(p.code, p.severity) for p in problems] == [("unused-source", "warning")]


HYGIENE = [
    ("trailing space", "Tatarstan ", "surrounding-space",
     'name_en: "Tatarstan " starts or ends with a space; delete the space'),
    ("no-break space", "Republic\u00a0of Tatarstan", "invisible-character",
     "name_en: contains invisible or control characters (U+00A0 NO-BREAK SPACE); retype the cell or "
     "replace them with plain spaces"),
    ("zero-width space", "Tatar\u200bstan", "invisible-character",
     "name_en: contains invisible or control characters (U+200B ZERO WIDTH SPACE); retype the cell or "
     "replace them with plain spaces"),
    ("decomposed accent", "Tatarsta\u0301n", "not-nfc",
     "name_en: is not in Unicode NFC form (letters built from combining accents); retype the accented letters"),
    ("formula", "=HYPERLINK(\"http://x\")", "formula-like",
     'name_en: "=HYPERLINK("http://x")" starts with \'=\', which a spreadsheet would run as a formula; '
     "reword so the cell starts with a letter or digit"),
]


@pytest.mark.parametrize("label,cell,code,message", HYGIENE, ids=[h[0] for h in HYGIENE])
def test_text_hygiene(project, label, cell, code, message):
    line = line_of(project, "regions", "RU-TA")
    edit_cell(project, "regions", line, "name_en", cell)
    found = [p for p in text_problems(project, "regions") if p.code == code]
    assert [(p.line, p.column, p.message) for p in found] == [(line, 3, message)]


def test_a_printable_cell_has_no_invisible_character():
    """The hygiene check reads a printable cell (str.isprintable) as clean without looking at each
    character: no character Python prints may be one the check calls invisible."""
    import sys

    from pipeline.hygiene import _invisible

    printable = (chr(code) for code in range(sys.maxunicode + 1))
    assert [f"U+{ord(c):04X}" for c in printable if c.isprintable() and _invisible(c)] == []


PRIVATE = [
    ("phone", "Call the recruiter at +7 912 345-67-89 for details.", "personal-phone"),
    ("service number", "His личный номер was АК-123456 according to the list.", "personal-id-number"),
    ("name and birth date", "Ivan Ivanovich Petrov, born 12.03.1999, signed in May.", "personal-name"),
    ("name and birth date", "Ivan Ivanovich Petrov, born 12.03.1999, signed in May.", "personal-birth-date"),
]


@pytest.mark.parametrize("label,note,code", PRIVATE, ids=[f"{p[0]}-{p[2]}" for p in PRIVATE])
def test_privacy_guard(project, label, note, code):
    """The guard's first cases (tests/test_privacy.py has the rest), now with a code per kind of data."""
    edit_cell(project, "bonuses", 2, "note", note)
    found = [p for p in text_problems(project, "bonuses") if p.code == code]
    assert found and all(p.line == 2 and p.field_name == "note" and p.is_error for p in found)


def test_public_official_in_office_is_not_flagged(project):
    """The listed official's name passes; the same cell's birth date does not (so the guard did run on it)."""
    edit_cell(project, "bonuses", 2, "note", "Vladimir Putin, born 7 October 1952, signed the law on 4 November 2025.")
    found = [p for p in text_problems(project, "bonuses") if p.code.startswith("personal-")]
    assert [(p.line, p.field_name, p.code) for p in found] == [(2, "note", "personal-birth-date")]


# Private individuals the report names; they must never appear in the data (principle 3).
NAMES_IN_THE_REPORT = ["Smirijadin", "Goryatsjkin", "Goryachkin", "Kalmykov", "Tulojev", "Tuloev", "Karginov"]


def test_no_private_individual_named_anywhere():
    """Not in raw/, nor in any file of dist/ (text, the SQLite file, inside the spreadsheet's zip)."""
    import zipfile

    for folder in ("raw", "dist"):
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or path.suffix == ".parquet":
                continue
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as bundle:
                    data = b"".join(bundle.read(name) for name in bundle.namelist())
            else:
                data = path.read_bytes()
            for name in NAMES_IN_THE_REPORT:
                assert name.encode() not in data, f"{path}: {name}"


def test_parquet_copies_hold_no_private_names():
    import pyarrow.parquet as pq

    for path in (ROOT / "dist" / "parquet").glob("*.parquet"):
        text = str(pq.read_table(path).to_pylist())
        assert not [name for name in NAMES_IN_THE_REPORT if name in text], path
