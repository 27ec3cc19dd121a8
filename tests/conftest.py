"""Shared fixtures: a throw-away copy of the project, and one build of the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import build

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT.parent / "shared" / "sources" / "000_e8e03fc529c28da8.txt"


def copy_project(target: Path) -> Path:
    """Copy raw/ and schemas/ (the build's only inputs) into `target`."""
    for folder in ("raw", "schemas"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of raw/ and schemas/ that a test may break."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """dist/ freshly built from the shipped raw/ and schemas/ (built once per session)."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    build(root)
    return root / "dist"


def edit_cell(root: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell of raw/<table>.csv (line as an editor counts it, header is line 1)."""
    import csv
    import io

    path = root / "raw" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    index = rows[0].index(column)
    rows[line - 1][index] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def line_of(root: Path, table: str, row_id: str) -> int:
    """The line of raw/<table>.csv (as an editor counts it) that holds the row with this id."""
    import csv
    import io

    text = (root / "raw" / f"{table}.csv").read_text(encoding="utf-8")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if row[0] == row_id:
            return number
    raise LookupError(row_id)


def copy_row(root: Path, table: str, row_id: str, new_id: str) -> tuple[int, int]:
    """Append a copy of a row of raw/<table>.csv under a new id; (line of the row, line of the copy)."""
    path = root / "raw" / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = line_of(root, table, row_id)
    lines.append(lines[line - 1].replace(f"{row_id},", f"{new_id},", 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return line, len(lines)
