"""Own words: no text the curators write shares a run of eight consecutive words with the report.

That covers each row's statement and its Norwegian statement (statement_no), the categories'
definitions in both languages, the curators' notes, and every title and description of the schemas
in both languages (the package's English description cites the report's title, so only its
Norwegian text is checked). The report's runs of eight words are committed as hashes
(tests/fixtures/report-shingles.txt, see tests/own_words.py): the check runs everywhere, and where
the report is present (../shared/sources/) the hashes are checked against it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipeline.schemas import LANGUAGE_KEYS, package_metadata, table_names, table_schema, table_title

from . import own_words
from .conftest import REPORT, ROOT, edit_cell, line_of

needs_report = pytest.mark.skipif(not REPORT.is_file(), reason=f"founding report not found at {REPORT}")

# The columns of raw/ the curators write as prose of their own.
OWN_WORDS_COLUMNS = ("statement", "statement_no", "definition", "definition_no", "note", "correction_note")


def row_texts(root: Path) -> list[tuple[str, str]]:
    """(where, text) for every cell of an own-words column of raw/."""
    found = []
    for table in table_names(root / "schemas"):
        with (root / "raw" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                found += [(f"raw/{table}.csv:{line} {name}", row[name]) for name in OWN_WORDS_COLUMNS if row.get(name)]
    return found


def schema_texts(root: Path) -> list[tuple[str, str]]:
    """(where, text) for every title and description of the schemas, in both languages."""
    schemas_dir = root / "schemas"
    meta = package_metadata(schemas_dir)
    found = [("schemas/package.yaml title_no", meta["title_no"]), ("schemas/package.yaml description_no", meta["description_no"])]
    for table in table_names(schemas_dir):
        for language in LANGUAGE_KEYS:
            found += zip((f"schemas/{table}.yaml {key}" for key in LANGUAGE_KEYS[language]),
                         table_title(schemas_dir, table, language))
        for field in table_schema(schemas_dir, table)["fields"]:
            found += [(f"schemas/{table}.yaml {field['name']} {key}", field[key])
                      for keys in LANGUAGE_KEYS.values() for key in keys]
    return found


def copies(root: Path, shingles: set[str]) -> list[str]:
    """Every run of eight words that a curated text shares with the report, with where it is."""
    return [f"{where}: {run}" for where, text in row_texts(root) + schema_texts(root)
            for run in own_words.copied_runs(text, shingles)]


# ---- the check itself ------------------------------------------------------------------

def test_a_shared_run_of_eight_words_is_a_copy_whatever_the_case_and_punctuation():
    source = own_words.shingles("Den gamle fergen la ut fra kaia tidlig hver morgen, i all slags vær.")
    assert own_words.copied_runs("Han sa: «DEN gamle fergen la ut fra kaia – tidlig!»", source) == [
        "den gamle fergen la ut fra kaia tidlig"]
    assert own_words.copied_runs("Den gamle fergen la ut fra kaia sent hver kveld.", source) == []  # seven words


def test_the_hashes_are_the_reports_runs_of_eight_words_and_no_prose():
    text = own_words.SHINGLES.read_text(encoding="ascii")
    assert re.fullmatch(r"([0-9a-f]{16}\n)+", text)
    assert text.splitlines() == sorted(set(text.splitlines()))


@needs_report
def test_the_committed_hashes_match_the_report():
    expected = own_words.shingles_file(own_words.report_shingles(REPORT.read_text(encoding="utf-8")))
    assert own_words.SHINGLES.read_text(encoding="ascii") == expected, \
        "tests/fixtures/report-shingles.txt is stale: regenerate it with own_words.shingles_file(report_shingles(...))"


@needs_report
def test_a_sentence_taken_from_the_report_is_caught(project):
    """A Norwegian statement that copies twelve words of the report fails the check (the words are read from
    the report at test time, never committed)."""
    copied = " ".join(own_words.words(REPORT.read_text(encoding="utf-8"))[200:212])
    line = line_of(project, "bonuses", "bonus-peak-ru-ta-nok")
    edit_cell(project, "bonuses", line, "statement_no", f"Vi skriver: {copied}.")
    found = copies(project, own_words.read_shingles())
    assert len(found) == 12 - 8 + 1
    assert all(f.startswith(f"raw/bonuses.csv:{line} statement_no: ") for f in found)


# ---- the data --------------------------------------------------------------------------

def test_no_curated_text_copies_the_report():
    assert copies(ROOT, own_words.read_shingles()) == []


def test_every_statement_has_a_norwegian_statement_with_the_same_numbers():
    number = re.compile(r"\d+(?:\.\d+)?")
    different = []
    for table in table_names(ROOT / "schemas"):
        names = [f["name"] for f in table_schema(ROOT / "schemas", table)["fields"]]
        if "statement" not in names:
            continue
        assert names[names.index("statement") + 1] == "statement_no", table
        with (ROOT / "raw" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if sorted(number.findall(row["statement"])) != sorted(number.findall(row["statement_no"])):
                    different.append(f"{table} {row['id']}")
    assert different == []
