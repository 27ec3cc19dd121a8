"""Synthetic, schema-valid copies of the project at any size, for `make bench`.

`synthetic_project(target, rows, seed)` lays out a folder like the repository
(raw/, schemas/, releases/, LICENSES/) whose fact tables (casualties,
indicators, events) are grown to `rows` rows in all, in the proportions of the
shipped tables. Every shipped row is kept; each new row copies a shipped row of
the same table (so its statement, note, units and qualifiers are real curated
text that passes the hygiene and privacy checks) under a new id, with its dates
and region drawn at random: foreign keys stay valid and no fact is repeated.
The reference tables (sources, regions, categories, ...) are the real ones.
The same `rows` and `seed` give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("schemas", "releases", "LICENSES")
GROWN = ("casualties", "indicators", "events")
FIRST_DAY = date(2022, 2, 24)  # the earliest date every grown table accepts
FIRST_EVENT_DAY = date(2000, 1, 1)  # events go back further (schemas/events.yaml has no earliest_date)
LAST_DAY = date(2025, 12, 31)  # before any day the bench is run
DAYS = (LAST_DAY - FIRST_DAY).days
# The fact key of each grown table (schemas/<table>.yaml x-checks.fact_key); rows with a conflict_id are exempt.
FACT_KEYS = {
    "casualties": ("scope", "region_code", "federal_district_id", "category_id", "measure", "unit", "as_of",
                   "period_start", "period_end", "claimed_by"),
    "indicators": ("measure", "category_id", "region_code", "federal_district_id", "country_code", "unit", "as_of",
                   "period_start", "period_end", "claimed_by"),
    "events": ("date", "date_precision", "event_type", "category_id", "region_code", "country_code", "claimed_by",
               "source_id"),
}


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _day(rng: random.Random, after: date = FIRST_DAY) -> date:
    return after + timedelta(days=rng.randrange((LAST_DAY - after).days + 1))


def _dated(row: dict, rng: random.Random, force: bool) -> None:
    """New dates for a row, in the shape it already has (as_of, a period, an event date); `force` dates an undated one."""
    if "as_of" in row:
        if row["period_start"] or (force and not row["as_of"]):
            start = _day(rng)
            row["period_start"], row["as_of"] = start.isoformat(), ""
            row["period_end"] = _day(rng, start).isoformat() if row["period_end"] or force else ""
        elif row["as_of"]:
            row["as_of"] = _day(rng).isoformat()
        if (row["as_of"] or row["period_start"] or row["period_end"]) and not row["date_basis"]:
            row["date_basis"] = "stated"
    else:
        if row["date"] or force:
            start = _day(rng, FIRST_EVENT_DAY)
            row["date"] = start.isoformat()
            if row["date_precision"] == "unknown":
                row["date_precision"] = "day"
            if row["date_end"]:
                row["date_end"] = _day(rng, start).isoformat()
            if not row["date_basis"]:
                row["date_basis"] = "stated"


def grown_rows(table: str, rows: list[dict], count: int, regions: list[str], rng: random.Random) -> list[dict]:
    """`count` new rows made from `rows`: new ids, random dates and regions, no fact key twice."""
    key = FACT_KEYS[table]
    seen = {tuple(row[k] for k in key) for row in rows if not row["conflict_id"]}
    made = []
    pool = list(rows)  # templates that can still give a new fact
    for number in range(count):
        while True:
            if not pool:
                raise RuntimeError(f"{table}: no template gives a new fact any more after {number} new rows")
            template = pool[rng.randrange(len(pool))]
            row = _new_fact(table, template, number, key, seen, regions, rng)
            if row is not None:
                made.append(row)
                break
            pool.remove(template)  # its facts are used up (a district or country row only varies by date)
    return made


def _new_fact(table: str, template: dict, number: int, key: tuple, seen: set, regions: list[str],
              rng: random.Random) -> dict | None:
    """A copy of `template` under a new id with new dates (and region) whose fact key is new, or None after 50 tries."""
    for attempt in range(50):
        row = dict(template, id=f"{template['id']}-b{number}", group_id="", conflict_id="", correction_note="")
        if row["region_code"].startswith("RU-") or (table == "events" and attempt > 3 and not row["region_code"]):
            row["region_code"] = rng.choice(regions)  # an event of no place recurs in a region
        _dated(row, rng, force=attempt > 3)
        fact = tuple(row[k] for k in key)
        if fact not in seen:
            seen.add(fact)
            return row
    return None


def _csv_text(header: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def synthetic_project(target: Path, rows: int, seed: int = 12) -> dict[str, int]:
    """Write a project with `rows` rows in its grown tables into `target` (emptied first); rows per table."""
    if target.exists():
        shutil.rmtree(target)
    (target / "raw").mkdir(parents=True)
    for folder in COPIED:
        shutil.copytree(ROOT / folder, target / folder)
    rng = random.Random(seed)
    tables = {path.stem: _read(path) for path in sorted((ROOT / "raw").glob("*.csv"))}
    regions = [row["region_code"] for row in tables["regions"][1]
               if row["region_code"].startswith("RU-") and row["status"] == "russian-federal-subject"]
    shipped = sum(len(tables[name][1]) for name in GROWN)
    counts = {}
    for index, name in enumerate(GROWN):
        header, real = tables[name]
        share = rows - sum(counts.values()) if index == len(GROWN) - 1 else round(rows * len(real) / shipped)
        extra = grown_rows(name, real, max(share - len(real), 0), regions, rng)
        tables[name] = (header, real + extra)
        counts[name] = len(real) + len(extra)
    for name, (header, table_rows) in tables.items():
        (target / "raw" / f"{name}.csv").write_text(_csv_text(header, table_rows), encoding="utf-8", newline="")
    return counts


def upstream_descriptor(target: Path) -> Path:
    """A datapackage.json over raw/*.csv with the resolved schemas, for upstream `frictionless validate`."""
    from pipeline.schemas import table_names, table_schema

    names = table_names(target / "schemas")
    resources = [{"name": name, "path": f"raw/{name}.csv", "format": "csv", "encoding": "utf-8",
                  "schema": table_schema(target / "schemas", name)} for name in names]
    path = target / "upstream-datapackage.json"
    path.write_text(json.dumps({"name": "bench", "resources": resources}, indent=2), encoding="utf-8")
    return path


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1])
    print(synthetic_project(out, int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 12))
    print(upstream_descriptor(out))
