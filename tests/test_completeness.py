"""Completeness: every figure, date, region and country of the founding report is in the data.

The report is not copied into the project. What it names, per section, is committed as data in
tests/fixtures/report-facts.csv (see tests/report_facts.py): the data is checked against that
index everywhere, and, where the report is present (../shared/sources/), the index is checked
against the report. The spot checks read only the data and run everywhere too.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest

from pipeline.schemas import shared_fields, table_names, table_schema

from . import report_facts
from .conftest import REPORT, ROOT, edit_cell, line_of
from .report_facts import DELIBERATELY_OMITTED, KINDS, NAMED_COUNTRIES, NAMED_REGIONS, read_index


def needs_report(test):
    """A test that reads the report itself: it runs where ../shared is (here), and may skip on GitHub, where the
    committed fact index stands in for the report."""
    skip = pytest.mark.skipif(not REPORT.is_file(), reason=f"founding report not found at {REPORT}")
    return pytest.mark.may_skip_in_ci(skip(test))


NUMERIC_FIELDS = ("value", "value_low", "value_high", "starts_after_days")


def raw_rows(table: str, root: Path = ROOT) -> list[dict]:
    with (root / "raw" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def all_rows(root: Path = ROOT) -> dict[str, list[dict]]:
    return {table: raw_rows(table, root) for table in table_names(root / "schemas")}


def numbers_in_data(root: Path = ROOT) -> set[Decimal]:
    found = set()
    for rows in all_rows(root).values():
        for row in rows:
            for name in NUMERIC_FIELDS:
                if row.get(name):
                    found.add(Decimal(row[name]).normalize())
    return found


def dated_rows(root: Path = ROOT) -> set[tuple[str, date]]:
    """(section, date) for every date of every row: the section of the row that holds the date."""
    found = set()
    for table, rows in all_rows(root).items():
        date_fields = [f["name"] for f in table_schema(root / "schemas", table)["fields"] if f["type"] == "date"]
        for row in rows:
            found |= {(row.get("section", ""), date.fromisoformat(row[name])) for name in date_fields if row.get(name)}
    return found


def codes_used(field: str, root: Path = ROOT, leave_out: tuple[str, ...] = ()) -> set[str]:
    return {row[field] for table, rows in all_rows(root).items() if table not in leave_out
            for row in rows if row.get(field)}


def indexed(kind: str) -> list[dict]:
    """The index rows of one kind that the data must hold (those not deliberately omitted)."""
    return [fact for fact in read_index() if fact["kind"] == kind and not fact["omitted"]]


def missing(kind: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(section, value) of each indexed fact of one kind that no row of the data holds.

    Numbers, months, regions and countries may be in any row; a full date must be in a row of
    the section that gives it.
    """
    if kind == "number":
        have = {format(n, "f") for n in numbers_in_data(root)}
        return [(f["section"], f["value"]) for f in indexed(kind) if f["value"] not in have]
    if kind == "date":
        have = {(section, day.isoformat()) for section, day in dated_rows(root)}
        return [(f["section"], f["value"]) for f in indexed(kind) if (f["section"], f["value"]) not in have]
    if kind == "month":
        have = {day.isoformat()[:7] for _, day in dated_rows(root)}
    elif kind == "region":
        have = codes_used("region_code", root, leave_out=("regions",))
    else:
        have = codes_used("country_code", root)
    return [(f["section"], f["value"]) for f in indexed(kind) if f["value"] not in have]


# ---- the index is well formed ---------------------------------------------------------

def test_the_index_is_well_formed():
    facts = read_index()
    sections = shared_fields(ROOT / "schemas")["section"]["constraints"]["enum"]
    assert facts and all(fact["section"] in sections and fact["kind"] in KINDS for fact in facts)
    keys = Counter((fact["section"], fact["kind"], fact["value"]) for fact in facts)
    assert [key for key, count in keys.items() if count > 1] == []
    regions = {row["region_code"] for row in raw_rows("regions")}
    for fact in facts:
        kind, value = fact["kind"], fact["value"]
        if kind == "number":
            assert Decimal(value).normalize() == Decimal(value) and format(Decimal(value), "f") == value, value
        elif kind == "date":
            date.fromisoformat(value)
        elif kind == "month":
            date.fromisoformat(f"{value}-01")
        elif kind == "region":
            assert value in regions, value
        else:
            assert pycountry.countries.get(alpha_2=value), value


def test_omissions_are_the_deliberate_ones_with_their_reasons():
    omitted = {(f["kind"], f["value"], f["section"]): f["omitted"] for f in read_index() if f["omitted"]}
    assert omitted == DELIBERATELY_OMITTED


# ---- the data against the index: runs everywhere ---------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_indexed_fact_is_in_the_data(kind):
    assert missing(kind) == []


def test_a_figure_dropped_from_the_data_is_missed(project):
    edit_cell(project, "casualties", line_of(project, "casualties", "deaths-ru-da"), "value", "1875")
    assert missing("number", project) == [("2.4", "1874")]


def test_a_date_moved_to_another_section_is_missed(project):
    edit_cell(project, "events", line_of(project, "events", "putin-conscripts-not-in-svo-zone"), "section", "2.1")
    assert missing("date", project) == [("2.2", "2022-03-08")]


def test_a_country_dropped_from_the_data_is_missed(project):
    for table in ("foreign_countries", "events"):
        for row in raw_rows(table, project):
            if row["country_code"] == "TR":
                edit_cell(project, table, line_of(project, table, row["id"]), "country_code", "")
    assert missing("country", project) == [("1.2", "TR")]


# ---- the index against the report: where the report is present ---------------------------

@needs_report
def test_the_report_has_the_figures_we_expect_to_parse():
    body, _ = report_facts.report_body(report_facts.report_text())
    figures = {value for _, value in report_facts.figures(body)}
    for expected in ("15000", "884", "2700000", "6.5", "42", "130000", "160000", "86744", "60344"):
        assert Decimal(expected) in figures, expected


@needs_report
def test_the_index_is_what_the_report_names():
    """Rewrite it with `python -m tests.report_facts` after a deliberate change."""
    found = report_facts.extract(report_facts.report_text())
    assert found == read_index()
    assert report_facts.index_text(found) == report_facts.INDEX.read_text(encoding="utf-8")


def test_the_index_knows_a_date_split_by_a_footnote():
    """"den 24. [footnote 1 at the page foot] september 2025" is a full date, not a month."""
    assert {"section": "1.1", "kind": "date", "value": "2025-09-24", "omitted": ""} in read_index()


@needs_report
@pytest.mark.parametrize("name", sorted(NAMED_REGIONS) + sorted(NAMED_COUNTRIES))
def test_every_listed_name_is_in_the_report(name):
    assert name in report_facts.words(report_facts.report_text())


def the_row(table: str, row_id: str) -> dict:
    [row] = [row for row in raw_rows(table) if row["id"] == row_id]
    return row


def find(table: str, **where) -> list[dict]:
    return [row for row in raw_rows(table) if all(row.get(k) == v for k, v in where.items())]


def test_spot_check_mobilised_deaths_nationwide():
    [row] = find("casualties", category_id="mobilised", scope="russia", measure="deaths")
    assert (row["value"], row["qualifier"], row["as_of"], row["claimed_by"], row["source_id"]) == \
        ("15000", "at_least", "2025-09-21", "bbc-mediazona", "fn08")


def test_spot_check_chechnya_mobilised_deaths_conflict():
    rows = find("casualties", category_id="mobilised", region_code="RU-CE", measure="deaths")
    assert sorted((r["value"], r["section"]) for r in rows) == [("1", "1.2"), ("2", "2.4")]
    assert rows[0]["conflict_id"] and rows[0]["conflict_id"] == rows[1]["conflict_id"]


def test_spot_check_tatarstan_bonus_in_two_currencies():
    rows = find("bonuses", region_code="RU-TA", level="peak")
    assert sorted((r["unit"], r["value"]) for r in rows) == [("NOK", "337000"), ("RUB", "2700000")]
    assert rows[0]["group_id"] == rows[1]["group_id"] != ""


def test_spot_check_altai_is_left_open():
    [row] = [r for r in raw_rows("bonuses") if "Altai" in r["statement"]]
    assert row["region_code"] == "" and "RU-AL" in row["note"] and "RU-ALT" in row["note"]


def test_spot_check_ukrainian_claim_is_a_claim():
    [row] = find("casualties", value="86744")
    assert row["claimed_by"] == "ukrainian-authorities"
    assert (row["period_start"], row["period_end"]) == ("2025-01-01", "2025-08-31")


def test_spot_check_kadyrov_claims():
    values = {r["value"]: r for r in raw_rows("indicators") if r["claimed_by"] == "ramzan-kadyrov"}
    assert {"13000", "60344", "22064"} <= set(values)
    assert values["13000"]["qualifier"] == "more_than"


def test_spot_check_year_round_conscription_timeline():
    dates = {r["date"] for r in raw_rows("events") if r["event_type"] == "conscription-law"}
    assert {"2025-09-24", "2025-11-04", "2026-01-01"} <= dates


def test_spot_check_numbers_written_in_words():
    """Figures the report spells out in words (tre, fire-fem, hundre, syv, et dusin, fire)."""
    known = numbers_in_data()
    for value in ("3", "4", "5", "100", "7", "12"):
        assert Decimal(value) in known, value
