"""`make bench`: our validate and build against upstream frictionless, at growing sizes.

For each size (rows in the grown fact tables, see generate.py) this makes a
synthetic project in a temporary folder and measures, each in a fresh process:
`recruitment validate`, the build (`pipeline.build.build`, what `recruitment
build` runs: it validates too, then writes every output; timed stage by stage),
upstream `frictionless validate` on the same raw CSVs, and a bare
`import great_expectations`; wall and CPU time (medians of the runs) and peak
memory (the largest process's resident set, and the whole process tree's, see
measure.py). It also checks that a defect planted in the last row of the largest
grown table is reported with its line, and names what dominates our build at
each size (the stages of the measured build). The table is printed and
written to bench/results/bench.md and bench.csv.

Usage: python bench/run.py [--sizes 1000,10000,100000,1000000] [--runs 3] [--timeout 900]
(sizes of 100,000 rows and more are measured once each, smaller ones `--runs` times).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import synthetic_project, upstream_descriptor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
MEASURE = Path(__file__).resolve().parent / "measure.py"  # runs one command, prints what it cost
STAGES = ("import time, json, sys\n"
          "from pathlib import Path\n"
          "import importlib\n"
          "b = importlib.import_module('pipeline.build')  # the module; pipeline.build is the lazy function\n"
          "marks = [('start', time.perf_counter())]\n"
          "def progress(done, total, label): marks.append((label, time.perf_counter()))\n"
          "real = b.checked_tables\n"
          "def timed(*args, **kw):\n"
          "    result = real(*args, **kw); marks.append(('validated', time.perf_counter())); return result\n"
          "b.checked_tables = timed\n"
          "b.build(sys.argv[1], progress=progress)\n"
          "marks.append(('end', time.perf_counter()))\n"
          "Path(sys.argv[2]).write_text(json.dumps(marks))\n")


def measure(command: list[str], timeout: float, cwd: Path) -> tuple[float, float, str, float, float]:
    """(wall seconds, peak MiB of the largest process, exit code, CPU seconds, peak MiB of the whole process
    tree) of one run of `command`."""
    out = subprocess.run([sys.executable, str(MEASURE), str(timeout), *command], cwd=cwd, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, out[2], float(out[3]), int(out[4]) / 1024


def commands(project: Path) -> dict[str, list[str]]:
    """The measured commands. The build is `pipeline.build.build(P)`, what `recruitment build --root P` runs,
    under a stage timer that writes its marks beside the project, so one build gives both its cost and its stages."""
    return {
        "validate": [str(BIN / "recruitment"), "validate", "--root", str(project)],
        "build": [sys.executable, "-c", STAGES, str(project), str(marks_file(project))],
        "frictionless": [str(BIN / "frictionless"), "validate", str(upstream_descriptor(project))],
        "import_gx": [str(BIN / "python"), "-c", "import great_expectations"],
    }


def marks_file(project: Path) -> Path:
    return project.parent / f"{project.name}.stages.json"


def stage_times(project: Path) -> list[tuple[str, float]]:
    """Seconds of each stage of the last measured build (validation, each table's three files, spreadsheet,
    SQLite, site, the rest)."""
    try:
        marks = json.loads(marks_file(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    stages = []
    for (label, start), (_, end) in zip(marks, marks[1:]):
        stages.append(("validate" if label == "start" else label, end - start))
    return stages


def dominant(stages: list[tuple[str, float]]) -> str:
    """The costliest stages, grouping the per-table file writes."""
    grouped: dict[str, float] = {}
    for label, seconds in stages:
        key = "CSV/JSON/Parquet" if label.startswith("table ") else "validate" if label in ("validate", "validated") \
            else label
        grouped[key] = grouped.get(key, 0) + seconds
    total = sum(grouped.values()) or 1
    top = sorted(grouped.items(), key=lambda item: -item[1])[:3]
    return ", ".join(f"{name} {seconds:.1f} s ({seconds / total:.0%})" for name, seconds in top)


def defect_found(project: Path, timeout: float) -> str:
    """Plant a bad date in the last row of raw/events.csv; whether validate reports it with that line."""
    path = project / "raw" / "events.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    column = rows[0].index("date")
    rows[-1][column] = "2025-13-45"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    try:
        result = subprocess.run([str(BIN / "recruitment"), "validate", "--root", str(project)], capture_output=True,
                                text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        path.write_text(text, encoding="utf-8", newline="")
    expected = f"raw/events.csv:{len(rows)}:{column + 1}: type-error"
    return "yes" if result.returncode == 1 and expected in result.stdout else f"NO (want {expected})"


def run(sizes: list[int], runs: int, timeout: float, done=lambda results: None) -> list[dict]:
    """Measure each size; `done(results)` is called after each (so an interrupted run keeps what it measured)."""
    results, too_slow = [], set()  # a command that timed out is not run at larger sizes
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        for size in sizes:
            project = Path(folder) / f"rows-{size}"
            started = time.perf_counter()
            counts = synthetic_project(project, size)
            generated = time.perf_counter() - started
            repeat = runs if size < 100_000 else 1
            row = {"rows": size, "tables": " ".join(f"{k}={v}" for k, v in counts.items()),
                   "csv_mib": sum(p.stat().st_size for p in (project / "raw").glob("*.csv")) / 2**20,
                   "generate_s": generated, "runs": repeat}
            for name, command in commands(project).items():
                if name in too_slow:
                    samples = [(float("nan"), float("nan"), "skipped", float("nan"), float("nan"))]
                else:
                    samples = [measure(command, timeout, project) for _ in range(repeat)]
                if samples[0][2] == "timeout":
                    too_slow.add(name)
                row[f"{name}_s"] = statistics.median(s[0] for s in samples)
                row[f"{name}_mib"] = max(s[1] for s in samples)
                row[f"{name}_exit"] = samples[0][2]
                row[f"{name}_cpu"] = statistics.median(s[3] for s in samples)
                row[f"{name}_tree_mib"] = max(s[4] for s in samples)
                print(f"{size:>9} rows  {name:<13} {row[f'{name}_s']:8.2f} s {row[f'{name}_cpu']:8.2f} CPU s "
                      f"{row[f'{name}_mib']:8.0f} MiB {row[f'{name}_tree_mib']:8.0f} MiB tree "
                      f"exit {row[f'{name}_exit']}", flush=True)
            upstream = row["frictionless_s"]
            row["validate_ratio"] = row["validate_s"] / (upstream + row["import_gx_s"])
            row["build_ratio"] = row["build_s"] / upstream
            row["validate_cpu_ratio"] = row["validate_cpu"] / (row["frictionless_cpu"] + row["import_gx_cpu"])
            row["build_cpu_ratio"] = row["build_cpu"] / row["frictionless_cpu"]
            row["dominates"] = dominant(stage_times(project)) if row["build_exit"] == "0" else \
                f"build {row['build_exit']}"
            row["defect_reported"] = defect_found(project, timeout) if "validate" not in too_slow else "skipped"
            results.append(row)
            done(results)
    return results


COLUMNS = [("rows", "rows (grown tables)", "{:,}"), ("csv_mib", "raw CSV MiB", "{:.1f}"), ("runs", "runs", "{}"),
           ("validate_s", "our validate s", "{:.2f}"), ("validate_mib", "MiB", "{:.0f}"),
           ("build_s", "our validate+build s", "{:.2f}"), ("build_mib", "MiB", "{:.0f}"),
           ("build_tree_mib", "MiB, all processes", "{:.0f}"),
           ("frictionless_s", "upstream frictionless validate s", "{:.2f}"), ("frictionless_mib", "MiB", "{:.0f}"),
           ("import_gx_s", "import great_expectations s", "{:.2f}"),
           ("validate_ratio", "validate / (frictionless + import GX)", "{:.2f}"),
           ("build_ratio", "validate+build / frictionless", "{:.2f}"),
           ("validate_cpu", "CPU s: validate", "{:.1f}"), ("build_cpu", "build", "{:.1f}"),
           ("frictionless_cpu", "frictionless", "{:.1f}"), ("import_gx_cpu", "import GX", "{:.1f}"),
           ("validate_cpu_ratio", "CPU ratio validate", "{:.2f}"), ("build_cpu_ratio", "CPU ratio build", "{:.2f}"),
           ("defect_reported", "defect in last row reported with its line", "{}"),
           ("dominates", "what dominates our build", "{}")]


def markdown(results: list[dict], note: str) -> str:
    lines = ["# make bench", "", note, "",
             "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for row in results:
        lines.append("| " + " | ".join(fmt.format(row[key]) if key in row else "" for key, _, fmt in COLUMNS) + " |")
    lines += ["", "Rows per table: " + "; ".join(f"{row['rows']:,}: {row['tables']}" for row in results),
              "", "Exit codes (0 valid, 1 invalid, timeout): " + "; ".join(
                  f"{row['rows']:,}: " + ", ".join(f"{n} {row[f'{n}_exit']}" for n in
                                                    ("validate", "build", "frictionless", "import_gx"))
                  for row in results), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true",
                        help="keep the rows of bench/results/bench.csv for sizes not measured this time")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    load = os.getloadavg()[0]
    note = (f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
            f"({os.cpu_count()} cores, Python {platform.python_version()}), load average {load:.1f} at the start "
            f"(other work on the machine slows every column alike). Wall and CPU (user+system) time are medians of the runs; under load CPU time is the steadier measure; memory "
            f"is the peak resident set of the command's largest process and, for the build, the peak of all its "
            f"processes together (proportional set sizes summed, sampled every 50 ms; the site's forked bokmål "
            f"writer shares pages with the build). Commands: "
            f"`recruitment validate --root P`, `pipeline.build.build(P)` (what `recruitment build --root P` runs: "
            f"validates, then writes every output; under a stage timer), `frictionless validate P/upstream-datapackage.json` (the same CSVs and schemas), "
            f"`python -c 'import great_expectations'`.")
    kept = [row for row in earlier_results() if row["rows"] not in sizes] if args.keep else []
    results = kept + run(sizes, args.runs, args.timeout, lambda results: write_results(kept + results, note))
    print(markdown(results, note))


def earlier_results() -> list[dict]:
    """The rows of the last bench.csv, numbers as numbers."""
    def value(text: str):
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    path = RESULTS / "bench.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{key: value(text) for key, text in row.items()} for row in csv.DictReader(handle)]


def write_results(results: list[dict], note: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.md").write_text(markdown(results, note), encoding="utf-8")
    with (RESULTS / "bench.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(dict.fromkeys(key for row in results for key in row)), lineterminator="\n")
        writer.writeheader()
        writer.writerows(results)


if __name__ == "__main__":
    main()
