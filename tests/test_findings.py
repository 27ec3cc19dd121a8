"""The findings table (the report's qualitative claims): its checks, its content, its place in every edition."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from pipeline import validate
from pipeline.schemas import table_names, table_schema

from .conftest import ROOT, copy_row, edit_cell, header_of, line_of

TABLES = table_names(ROOT / "schemas")
PACKAGE = "russia-war-recruitment"


def rows() -> list[dict]:
    with (ROOT / "raw" / "findings.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def errors_at(root: Path, line: int) -> list[str]:
    return [p.as_text() for p in validate(root, ["findings"]) if p.line == line and p.is_error]


# ---- checks: one defect each, and the exact problem it gives --------------------

def test_own_claim_with_a_footnote(project):
    line = line_of(project, "findings", "reservists-hidden-mobilisation")
    edit_cell(project, "findings", line, "claimed_by", "report-authors")
    assert errors_at(project, line) == [
        f'raw/findings.csv:{line}:{header_of(project, "findings").index("source_id") + 1}: report-authors-with-other-source: source_id ("fn14"): claimed_by '
        '"report-authors" is only for the report\'s own assertions (source_id report); a row resting on a footnote '
        "or link is claimed by whoever produced the figure or made the statement there"
    ]


def test_the_same_claim_twice_under_another_id(project):
    line, copy = copy_row(project, "findings", "courts-side-with-state", "courts-favour-the-state")
    message = ("duplicate-fact: statement (\"Russian courts generally decide in the state's favour.\"): the same "
               "fact (statement, category_id, region_code, federal_district_id, country_code) is on another row; "
               "merge them, or give both the same conflict_id if the report contradicts itself")
    found = [p.as_text() for p in validate(project, ["findings"]) if p.is_error]
    assert found == [f"raw/findings.csv:{line}:11: {message}", f"raw/findings.csv:{copy}:11: {message}"]


def test_a_topic_outside_the_vocabulary(project):
    line = line_of(project, "findings", "dedovshchina")
    edit_cell(project, "findings", line, "topic", "hazing")
    [problem] = errors_at(project, line)
    assert problem.startswith(f'raw/findings.csv:{line}:2: enum-constraint: topic: "hazing" is not an allowed '
                              "value; use one of: mobilisation, exemptions, enforcement,")


def test_a_kind_of_claim_outside_the_vocabulary(project):
    line = line_of(project, "findings", "chechen-units-avoid-storming")
    edit_cell(project, "findings", line, "assertion", "guess")
    assert errors_at(project, line) == [
        f'raw/findings.csv:{line}:3: enum-constraint: assertion: "guess" is not an allowed value; use one of: '
        "stated, assessment, reported, presumed, hypothesis, unclear"
    ]


# ---- content ----------------------------------------------------------------------

def find(**where) -> list[dict]:
    return [row for row in rows() if all(row[k] == v for k, v in where.items())]


def test_exemptions_from_conscription():
    exempt = find(topic="exemptions", section="1.1", group_id="exempt-from-conscription")
    assert {r["id"] for r in exempt} == {"exempt-serving-sentence-or-investigated", "exempt-academic-degree",
                                         "exempt-relatives-of-dead-conscripts"}
    assert all(r["category_id"] == "conscript" for r in exempt)


def test_groups_recruitment_targets():
    targets = find(topic="recruitment-targets", section="1.3", group_id="recruitment-targets")
    assert len(targets) == 4 and {r["assertion"] for r in targets} == {"presumed"}
    text = " ".join(r["statement"] for r in targets).lower()
    for group in ("poor", "unemployed", "debt", "criminal cases"):
        assert group in text


def test_bonuses_above_an_average_annual_wage():
    [row] = find(id="bonuses-exceed-average-annual-wage")
    assert (row["topic"], row["section"], row["category_id"]) == ("bonuses-and-pay", "1.3", "contract")


def test_threats_to_migrants():
    assert find(id="migrants-threatened-with-losing-citizenship", section="1.4", topic="migrants-and-citizenship")
    assert find(id="migrants-threatened-with-deportation", section="2.2", topic="migrants-and-citizenship")


def test_hazing_of_new_recruits():
    [row] = find(id="dedovshchina")
    assert (row["topic"], row["section"]) == ("hazing-and-abuse", "1.3")


def test_chechen_units_avoiding_assaults_is_a_hypothesis():
    [row] = find(id="chechen-units-avoid-storming")
    assert (row["assertion"], row["region_code"], row["section"]) == ("hypothesis", "RU-CE", "2.4")


def test_every_topic_has_rows():
    schema = table_schema(ROOT / "schemas", "findings")
    [topic] = [f for f in schema["fields"] if f["name"] == "topic"]
    assert set(topic["constraints"]["enum"]) == {r["topic"] for r in rows()}


def test_own_claims_rest_on_no_footnote():
    assert [r["id"] for r in rows() if r["claimed_by"] == "report-authors" and r["source_id"] != "report"] == []


# ---- every table, the new one included, has a place in every edition ---------------

@pytest.mark.parametrize("table", TABLES)
def test_every_table_has_a_place_in_every_edition(built, table):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {table, f"{table}-json", f"{table}-parquet"} <= names
    for fmt in ("csv", "json", "parquet"):
        assert (built / fmt / f"{table}.{fmt}").is_file()
    assert f"## `{table}`: " in (built / "data-dictionary.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(built / f"{PACKAGE}.xlsx") as workbook:
        assert f'name="{table}"' in workbook.read("xl/workbook.xml").decode("utf-8")
    with sqlite3.connect(built / f"{PACKAGE}.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).fetchone() == (1,)
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    assert table in metadata["databases"][PACKAGE]["tables"]
    page = f"table-{table}.html"
    assert (built / "site" / page).is_file()
    for other in ("index.html", "chart-deaths.html"):
        assert f'href="{page}"' in (built / "site" / other).read_text(encoding="utf-8"), other
