"""Nothing lost between formats or between releases.

- A cell longer than an edition can hold (a spreadsheet cell holds 32,767
  characters) is an error here, so the spreadsheet never cuts it silently.
- A table that lost all its rows, or most of them, since the last release is
  named in a warning (a file emptied by mistake is easy to miss in a diff).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from . import history
from . import catalogue
from .problems import ERROR, WARNING, Problem

XLSX_CELL_LIMIT = 32_767  # characters in one spreadsheet cell (Excel, LibreOffice, XlsxWriter)
MOST = 0.5  # losing more than this share of a table's rows is worth a word


def long_cell_problems(display: str, header: list[str], rows: list[tuple[int, list[str]]]) -> list[Problem]:
    """An error for every cell longer than a spreadsheet cell holds."""
    problems = []
    for line, cells in rows:
        for index, cell in enumerate(cells):
            if len(cell) > XLSX_CELL_LIMIT:
                name = header[index] if index < len(header) else ""
                problems.append(Problem(display, line, index + 1, catalogue.CELL_TOO_LONG,
                                        f"{name}: {len(cell)} characters, more than a spreadsheet cell holds "
                                        f"({XLSX_CELL_LIMIT}); shorten it or split it over rows, so that no "
                                        "edition cuts it", name, ERROR))
    return problems


def released_row_counts(root: Path) -> tuple[str | None, dict[str, int]]:
    """The newest recorded release and the number of rows of each of its tables."""
    version = history.latest_release(root)
    if version is None:
        return None, {}
    snapshot = history.release_folder(root, version) / "snapshot"
    counts = {}
    try:
        descriptor = json.loads((snapshot / "datapackage.json").read_text(encoding="utf-8"))
        for resource in descriptor["resources"]:
            text = (snapshot / resource["path"]).read_text(encoding="utf-8")
            counts[resource["name"]] = max(len(list(csv.reader(io.StringIO(text, newline="")))) - 1, 0)
    except (OSError, ValueError, KeyError):
        return version, {}
    return version, counts


def lost_rows_problems(root: Path, rows_now: dict[str, tuple[str, int]]) -> list[Problem]:
    """A warning for each table (display name, rows now) that lost all or most of its rows since the last release."""
    version, before = released_row_counts(root)
    problems = []
    for name, (display, count) in rows_now.items():
        had = before.get(name, 0)
        if had and count == 0:
            message = f"the table has no rows; release {version} had {had} (emptied by mistake?)"
        elif had and count < had * (1 - MOST):
            message = f"the table has {count} rows; release {version} had {had}: most rows are gone (by mistake?)"
        else:
            continue
        problems.append(Problem(display, 0, 0, catalogue.ROWS_LOST, message, "", WARNING))
    return problems
