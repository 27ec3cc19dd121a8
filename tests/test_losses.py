"""Nothing is lost between formats or tables: over-long cells and emptied tables are named."""

from __future__ import annotations

import pytest

from pipeline import DataInvalid, build, history, validate
from pipeline.diff import diff, diff_markdown

from .conftest import edit_cell, line_of


def test_a_cell_longer_than_a_spreadsheet_holds_is_an_error(project):
    line = line_of(project, "casualties", "deaths-ru-da")
    edit_cell(project, "casualties", line, "note", "a" * 40_000)
    problems = [p.as_text() for p in validate(project, ["casualties"]) if p.code == "cell-too-long"]
    header = (project / "raw" / "casualties.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert problems == [f"raw/casualties.csv:{line}:{header.index('note') + 1}: cell-too-long: note: 40000 characters, "
                        "more than a spreadsheet cell holds (32767); shorten it or split it over rows, so that no "
                        "edition cuts it"]
    with pytest.raises(DataInvalid):
        build(project)


def test_a_table_emptied_to_its_header_is_named_in_a_warning_and_the_change_report(project):
    path = project / "raw" / "bonuses.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(lines[0] + "\n", encoding="utf-8")
    latest = history.latest_release(project)
    warnings = [p.as_text() for p in validate(project, ["bonuses"]) if p.code == "rows-lost"]
    assert warnings == [f"raw/bonuses.csv: rows-lost: warning: the table has no rows; release {latest} had "
                        f"{len(lines) - 1} (emptied by mistake?)"]
    report = diff_markdown(diff(latest, "raw", project))
    assert f"**Warning: this table lost all of its rows ({len(lines) - 1} before, 0 now).**" in report


def test_losing_most_rows_is_named_too(project):
    path = project / "raw" / "casualties.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    [warning] = [p.message for p in validate(project, ["casualties"]) if p.code == "rows-lost"]
    assert warning.startswith("the table has 3 rows; release ") and warning.endswith("most rows are gone (by mistake?)")
