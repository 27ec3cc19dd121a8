"""The command line: thin wrappers over the library functions of the same name.

Exit codes: 0 success, 1 invalid data, 2 usage error, 3 a bug in the pipeline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .build import build as build_package
from .expectations import expectations as write_expectations
from .report import write_html_report
from .problems import DataInvalid, PipelineError, errors_in, format_problems, summary_line
from .validate import validate as validate_tables
from .validate import validate_release
from .archive import archive as archive_package
from .diff import diff as diff_packages, changes_csv, diff_json, diff_markdown
from .release import release as release_package

BUG_REPORT = (
    "this is a bug in the pipeline, not in your data; please open an issue with the command you ran "
    "(set RECRUITMENT_DEBUG=1 to see the traceback)"
)

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="Project folder holding raw/ and schemas/.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
    help="How to print problems: text (one per line), github (Actions annotations) or json.",
)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


COLOURS = {"error": "red", "warning": "yellow"}


def _echo_problems(problems, fmt: str) -> None:
    """Print problems; in text format errors are red and warnings yellow (click drops colour off a terminal)."""
    if fmt != "text":
        click.echo(format_problems(problems, fmt))
        return
    for problem in sorted(problems):
        click.echo(click.style(problem.as_text(), fg=COLOURS[problem.severity]))
    click.echo(summary_line(problems))


def _run(func, *args, **kwargs):
    """Call a library function, turning its exceptions into one message and an exit code."""
    try:
        return func(*args, **kwargs)
    except DataInvalid:
        raise
    except PipelineError as error:
        _fail(str(error), 1)
    except Exception as error:  # noqa: BLE001 - a bug: short message, no traceback
        if os.environ.get("RECRUITMENT_DEBUG"):
            raise
        _fail(f"{type(error).__name__}: {error}\n{BUG_REPORT}", 3)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recruitment")
def main() -> None:
    """Validate and build the russia-war-recruitment data package.

    Curators run `recruitment validate` after editing raw/*.csv; maintainers run
    `recruitment build` to write dist/.
    """


@main.command()
@click.argument("tables", nargs=-1, metavar="[RAW_CSV]...")
@root_option
@format_option
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write an HTML report to this folder (index.html).")
def validate(tables: tuple[str, ...], root: Path, fmt: str, html_dir: Path | None) -> None:
    """Check raw tables against their schemas and print every problem.

    With no argument every table is checked; with paths such as raw/bonuses.csv
    only those (their foreign keys are still checked against the other tables).
    A release zip is checked too: safe paths, SHA256SUMS and hashes, then the
    package itself.
    One problem per line as `raw/<table>.csv:<line>:<column>: <code>: <message>`,
    then a summary. Exit 0 when valid, 1 when not.
    """
    zips = [t for t in tables if t.endswith(".zip")]
    if zips and len(zips) != len(tables):
        raise click.UsageError("give either release zips or raw tables, not both")
    if zips:
        problems = [p for z in zips for p in _run(validate_release, z)]
    else:
        problems = _run(validate_tables, root, list(tables) or None)
    _echo_problems(problems, fmt)
    if html_dir is not None:
        click.echo(f"HTML report: {write_html_report(problems, html_dir)}", err=True)
    sys.exit(1 if errors_in(problems) else 0)


@main.command()
@root_option
def expectations(root: Path) -> None:
    """Regenerate schemas/expectations/*.json from schemas/.

    The Great Expectations suites are derived from the Table Schemas and their
    x-checks blocks; run this after editing a schema, and commit the result.
    """
    for path in _run(write_expectations, root):
        click.echo(f"wrote {path}")


@main.command()
@root_option
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the package to.  [default: ROOT/dist]")
@format_option
def build(root: Path, dist: Path | None, fmt: str) -> None:
    """Validate, then write the data package to dist/.

    Every table as CSV, JSON and Parquet, the spreadsheet and SQLite editions,
    Datasette metadata, the data dictionary and the offline site (dist/site/).

    Writes nothing if the data is invalid; swaps the new dist/ in atomically.
    """
    progress = _terminal_progress if sys.stderr.isatty() else None
    try:
        result = _run(build_package, root, dist, progress)
    except DataInvalid as error:
        _echo_problems(error.problems, fmt)
        click.echo("build: nothing written; dist/ is unchanged", err=True)
        sys.exit(1)
    click.echo(build_summary(result))


def _terminal_progress(done: int, total: int, label: str) -> None:
    """One updating line on a terminal; CI (no terminal) sees nothing."""
    click.echo(f"\r\033[K[{done}/{total}] {label}", err=True, nl=done == total)


def build_summary(result) -> str:
    """What build wrote: tables, rows, files and sizes."""
    lines = [f"built {result.dist}: {len(result.rows)} tables, {sum(result.rows.values())} rows, "
             f"{len(result.files)} files, {result.size() / 1024:.0f} KiB"]
    lines += [f"  {table:<18} {rows:>5} rows" for table, rows in result.rows.items()]
    groups: dict[str, list] = {}
    for path in result.files:
        groups.setdefault(path.parts[0] if len(path.parts) > 1 else path.name, []).append(path)
    for group, paths in groups.items():
        size = sum((result.dist / p).stat().st_size for p in paths)
        label = f"{group}/ ({len(paths)} files)" if len(paths) > 1 or paths[0].parts[0] != group else group
        lines.append(f"  {label:<40} {size / 1024:>8.1f} KiB")
    return "\n".join(lines)


@main.command()
@click.argument("old")
@click.argument("new", default="dist")
@root_option
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "csv"]), default="markdown", show_default=True,
              help="markdown (for the changelog), json, or csv (the changes.csv of a release).")
def diff(old: str, new: str, root: Path, fmt: str) -> None:
    """Compare two data packages: rows added, removed and changed, and schema changes.

    OLD and NEW are folders holding datapackage.json (e.g. dist), release zips,
    or git refs (e.g. v1.0.0). NEW defaults to dist. Ends with the least version
    bump the changes need.
    """
    result = _run(diff_packages, old, new, root)
    click.echo({"markdown": diff_markdown, "json": diff_json, "csv": changes_csv}[fmt](result), nl=False)


@main.command()
@root_option
def archive(root: Path) -> None:
    """Pack dist/ as build/release/<name>-<version>.zip plus SHA256SUMS (deterministic)."""
    path, digest = _run(archive_package, root)
    click.echo(f"{digest}  {path} ({path.stat().st_size / 1024:.0f} KiB)")


@main.command()
@root_option
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default=None,
              help="The kind of release; refused if smaller than the changes need.  [default: the least needed]")
@click.option("--new-version", "version", default=None, help="An exact new version, e.g. 1.0.0.")
@click.option("--previous", default=None, help="The previous release (git ref, folder or zip).  [default: newest vX.Y.Z tag]")
def release(root: Path, bump: str | None, version: str | None, previous: str | None) -> None:
    """Prepare a release: version, CHANGELOG.md, CITATION.cff, dist/ and the archive.

    Tags nothing: prints the git commands to run.
    """
    result = _run(release_package, root, bump, version, previous)
    click.echo(f"release {result.version} (from {result.previous}): {result.sha256}  {result.zip_path}")
    click.echo("Write the summary in CHANGELOG.md, then run:")
    for command in result.git_commands:
        click.echo(f"  {command}")


if __name__ == "__main__":
    main()
