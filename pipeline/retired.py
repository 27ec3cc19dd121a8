"""Retired ids: an id removed by a release is never reused (schemas/retired_ids.csv).

A release adds the ids of the rows it removed (`retired_ids_with_removed`);
validation refuses a row that brings one back (`retired_id_problems`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import catalogue
from .problems import PipelineError, Problem

RETIRED_IDS = Path("schemas") / "retired_ids.csv"
RETIRED_IDS_HEADER = ["table", "id", "retired_in", "reason"]


def retired_ids(root: Path) -> dict[tuple[str, str], str]:
    """(table, id) -> the release that retired it, from schemas/retired_ids.csv."""
    path = Path(root) / RETIRED_IDS
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != RETIRED_IDS_HEADER:
            raise PipelineError(f"{path}: the header must be {','.join(RETIRED_IDS_HEADER)}")
        return {(row["table"], row["id"]): row["retired_in"] for row in reader}


def retired_id_problems(root: Path, tables: list, schemas: dict[str, dict]) -> list[Problem]:
    """Rows that reuse an id retired in an earlier release (`tables`: validate's RawTables)."""
    retired = retired_ids(root)
    problems = []
    for table in tables:
        key = schemas[table.name]["primaryKey"]
        if not retired or not table.parsed or len(key) != 1:
            continue
        column = table.header.index(key[0])
        ids = table.columns[column]  # None for a row without the cell
        reused = {value for name, value in retired if name == table.name}.intersection(ids)
        if (table.name, "") in retired:
            reused.add(None)  # a missing cell was read as empty
        if not reused:
            continue
        for line, value in zip(table.lines, ids):
            if value not in reused:
                continue
            value = value or ""
            version = retired[(table.name, value)]
            if version:
                problems.append(Problem(table.display, line, column + 1, catalogue.RETIRED_ID,
                                        f"{key[0]}: {value!r} was retired in release {version} and is never reused; "
                                        "choose a new id", key[0]))
    return problems


def retired_ids_with_removed(text: str | None, result, version: str) -> str:
    """schemas/retired_ids.csv with the ids of the rows a release removed (a PackageDiff) added, once each."""
    rows = list(csv.reader(io.StringIO(text or "", newline="")))[1:]
    known = {(row[0], row[1]) for row in rows}
    for change in result.row_changes:
        if change.change == "removed" and (change.table, change.id) not in known:
            known.add((change.table, change.id))
            rows.append([change.table, change.id, version, "removed in this release"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([RETIRED_IDS_HEADER] + rows)
    return buffer.getvalue()
