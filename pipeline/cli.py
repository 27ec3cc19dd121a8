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
from .problems import DataInvalid, PipelineError, errors_in, format_problems, summary_line
from .validate import validate as validate_tables

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
def validate(tables: tuple[str, ...], root: Path, fmt: str) -> None:
    """Check raw tables against their schemas and print every problem.

    With no argument every table is checked; with paths such as raw/bonuses.csv
    only those (their foreign keys are still checked against the other tables).
    One problem per line as `raw/<table>.csv:<line>:<column>: <code>: <message>`,
    then a summary. Exit 0 when valid, 1 when not.
    """
    problems = _run(validate_tables, root, list(tables) or None)
    click.echo(format_problems(problems, fmt))
    sys.exit(1 if errors_in(problems) else 0)


@main.command()
@root_option
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the package to.  [default: ROOT/dist]")
@format_option
def build(root: Path, dist: Path | None, fmt: str) -> None:
    """Validate, then write the data package to dist/ (CSV, JSON, Parquet).

    Writes nothing if the data is invalid; swaps the new dist/ in atomically.
    """
    try:
        outputs = _run(build_package, root, dist)
    except DataInvalid as error:
        click.echo(format_problems(error.problems, fmt))
        click.echo("build: nothing written; dist/ is unchanged", err=True)
        sys.exit(1)
    files = [path for output in outputs for path in output.files.values()]
    size = sum(path.stat().st_size for path in files)
    rows = sum(output.rows for output in outputs)
    click.echo(f"built {dist or root / 'dist'}: {len(outputs)} tables, {rows} rows, "
               f"{len(files)} data files, {size / 1024:.0f} KiB")
    for output in outputs:
        click.echo(f"  {output.name:<18} {output.rows:>5} rows")


if __name__ == "__main__":
    main()
