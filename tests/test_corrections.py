"""The data review corrections (issue 10) stay corrected, and every corrected row says why."""

from __future__ import annotations

import csv

import pytest

from pipeline import history
from pipeline.diff import diff

from .conftest import ROOT


def raw_rows(table: str) -> list[dict]:
    with (ROOT / "raw" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_changed_since_the_last_release_says_why(built):
    latest = history.latest_release(ROOT)  # recorded under releases/, in every clone
    silent = sorted({(c.table, c.id, c.field) for c in diff(latest, built, ROOT).row_changes
                     if c.change == "changed" and not c.reason})
    assert silent == [], "set correction_note on these rows: one sentence saying why, and on what basis"


def test_peak_bonuses_are_not_upper_bounds():
    peaks = [r for r in raw_rows("bonuses") if r["level"] == "peak"]
    assert peaks and all(r["qualifier"] in ("exact", "approximately") for r in peaks)


@pytest.mark.parametrize("table", ["bonuses", "penalties"])
def test_a_payment_in_two_currencies_is_one_linked_pair(table):
    rows = {r["id"]: r for r in raw_rows(table)}
    paired = {rid: r["same_payment_as"] for rid, r in rows.items() if r["same_payment_as"]}
    assert paired, "no pair: the test checks nothing"
    for rid, other in paired.items():
        assert paired.get(other) == rid, f"{rid} -> {other} does not point back"
        assert rows[rid]["unit"] != rows[other]["unit"]
        assert rows[rid]["group_id"] == rows[other]["group_id"] != ""
    tatarstan = [r for r in rows.values() if r.get("region_code") == "RU-TA" and r.get("level") == "peak"]
    if table == "bonuses":
        assert len({frozenset((r["id"], r["same_payment_as"])) for r in tatarstan}) == 1  # one payment, not two


def test_section_2_4_latest_figures_are_undated():
    rows = [r for r in raw_rows("casualties") if r["section"] == "2.4" and r["claimed_by"] == "bbc-mediazona"]
    assert len(rows) == 7
    assert all(r["as_of"] == "" and r["date_basis"] == "" for r in rows)


def test_chechnya_conflict_names_its_likely_cause():
    rows = [r for r in raw_rows("casualties") if r["conflict_id"] == "chechnya-mobilised-deaths"]
    assert sorted(r["value"] for r in rows) == ["1", "2"]
    assert all("2 is the later count" in r["note"] for r in rows)


def test_training_length_tension_is_one_conflict():
    rows = [r for r in raw_rows("indicators") if r["conflict_id"] == "conscript-training-length"]
    assert sorted(r["section"] for r in rows) == ["1.1", "1.1", "1.3"]


def test_no_country_is_given_the_whole_of_thousands():
    per_country = [r for r in raw_rows("events") if r["country_code"] and r["id"].startswith("men-fled-")]
    assert per_country and not [r["id"] for r in per_country if "thousand" in r["statement"].lower()]
    [total] = [r for r in raw_rows("indicators") if r["id"] == "men-fled-russia-mobilisation"]
    assert total["group_id"] == "men-fled-after-invasion-2022"


def test_an_ambiguous_place_is_left_empty():
    [row] = [r for r in raw_rows("indicators") if r["id"] == "conscripts-in-war-ru-ce-kadyrov"]
    assert row["region_code"] == ""
