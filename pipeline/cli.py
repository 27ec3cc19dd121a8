"""The command line: thin wrappers over the library functions of the same name.

Exit codes: 0 success, 1 invalid data, 2 usage error, 3 a bug in the pipeline.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import click

from . import __version__, catalogue
from .problems import DataInvalid, PipelineError, UsageProblem, errors_in, format_problems, summary_line
from .validate import validate as validate_tables
from .history import SEMVER, parse_version, release_record
# The other stages are imported by the commands that run them, so `validate` loads no writer.

BUG_REPORT = (
    "this is a bug in the pipeline, not in your data; please open an issue with the command you ran "
    "(set RECRUITMENT_DEBUG=1 to see the traceback)"
)

root_option = click.option(
    "--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."), show_default=True,
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
    except UsageProblem as error:
        raise click.UsageError(str(error)) from None
    except PipelineError as error:
        _fail(str(error), 1)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            _unexpected(error)
        _fail(f"no space left on device ({error.filename or 'writing'}); nothing was changed", 1)
    except Exception as error:  # noqa: BLE001 - a bug: short message, no traceback
        _unexpected(error)


def _unexpected(error: Exception) -> None:
    """A bug: a short message and exit 3, no traceback (RECRUITMENT_DEBUG=1 shows it)."""
    if os.environ.get("RECRUITMENT_DEBUG"):
        raise error
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
    package itself, then its signature (`<zip>.sig` beside it) against the
    project's key: "signed by the project's key", "intact but unsigned" or
    "tampered" (exit 1).
    One problem per line as `raw/<table>.csv:<line>:<column>: <code>: <message>`,
    then a summary. Exit 0 when valid, 1 when not.
    """
    zips = [t for t in tables if t.endswith(".zip")]
    if zips and len(zips) != len(tables):
        raise click.UsageError("give either release zips or raw tables, not both")
    if zips:
        missing = [z for z in zips if not Path(z).exists()]
        if missing:
            raise click.UsageError(f"no such file: {', '.join(missing)}")
        from .archive import validate_release
        from .signing import SIGNED, TAMPERED, authenticity

        problems = [p for z in zips for p in _run(validate_release, z)]
    else:
        problems = _run(validate_tables, root, list(tables) or None)
    _echo_problems(problems, fmt)
    tampered = False
    for z in zips:
        intact = not any(p.file == z and p.code == catalogue.RELEASE_INTEGRITY for p in problems)
        state = _run(authenticity, Path(z), root) if intact else None
        if state is None:
            click.echo(f"{z}: authenticity: tampered or damaged: it fails the integrity checks above", err=True)
        else:
            label = {SIGNED: "", TAMPERED: "tampered: "}.get(state.status, "intact but unsigned: ")
            click.echo(f"{z}: authenticity: {label}{state.message}", err=True)
        tampered |= state is None or state.status == TAMPERED
    if html_dir is not None:
        from .report import write_html_report

        click.echo(f"HTML report: {write_html_report(problems, html_dir)}", err=True)
    sys.exit(1 if errors_in(problems) or tampered else 0)


@main.command()
@root_option
def expectations(root: Path) -> None:
    """Regenerate schemas/expectations/*.json from schemas/.

    The Great Expectations suites are derived from the Table Schemas and their
    x-checks blocks; run this after editing a schema, and commit the result.
    """
    from .expectations import expectations as write_expectations

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
    from .build import build as build_package

    progress = _terminal_progress if sys.stderr.isatty() else None
    try:
        result = _run(build_package, root, dist, progress)
    except DataInvalid as error:
        _echo_problems(error.problems, fmt)
        click.echo("build: nothing written; dist/ is unchanged", err=True)
        sys.exit(1)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
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
@click.argument("old", required=False)
@click.argument("new", default="raw")
@root_option
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "csv"]), default="markdown", show_default=True,
              help="markdown (for the changelog), json, or csv (the changes.csv of a release).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the report to this file.")
@click.option("--summary", is_flag=True, help="Also append the report to $GITHUB_STEP_SUMMARY when it is set.")
def diff(old: str | None, new: str, root: Path, fmt: str, output: Path | None, summary: bool) -> None:
    """Compare two data packages: rows added, removed and changed, and schema changes.

    OLD and NEW are each `raw` (what raw/ and schemas/ build now), a released
    version (e.g. 1.0.0, read from releases/1.0.0/snapshot), a folder holding
    datapackage.json (e.g. dist), a release zip, or a git ref. OLD defaults to
    the newest release, NEW to raw. Ends with the least version bump the
    changes need.
    """
    from .diff import diff as diff_packages, changes_csv, diff_json, diff_markdown, previous_release

    old = old or _run(previous_release, root)
    for ref in (old, new):
        _known_package(ref, root)
    result = _run(diff_packages, old, new, root)
    text = {"markdown": diff_markdown, "json": diff_json, "csv": changes_csv}[fmt](result)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    if summary and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(f"## Data changes since {result.old_version}\n\n{text}\n")
    click.echo(text, nl=False)


def _known_package(ref: str, root: Path) -> None:
    """A usage error (exit 2) unless `ref` names something `diff` can read: raw, a release, a folder, a zip, a git ref."""
    if ref == "raw" or (SEMVER.fullmatch(ref) and release_record(root, ref)) or Path(ref).is_dir() \
            or (ref.endswith(".zip") and Path(ref).is_file()):
        return
    known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=root,
                           capture_output=True)
    if known.returncode != 0:
        raise click.UsageError(f"{ref!r} is not raw, a release recorded in releases/, a folder, a release zip "
                               "or a git ref of this repository")


@main.command()
@root_option
def archive(root: Path) -> None:
    """Pack dist/ as build/release/<name>-<version>.zip plus SHA256SUMS (deterministic).

    The version is dist/'s: a release's number only when dist/ holds exactly
    that release's data and schemas, else `<version>+dev.<hash>`.
    """
    from .archive import archive as archive_package

    made = _run(archive_package, root)
    click.echo(f"{made.sha256}  {made.path} ({made.path.stat().st_size / 1024:.0f} KiB)")
    if not made.released:
        click.echo(f"note: {made.version} is a development build, not a release; cite a release instead", err=True)
    elif made.recorded_sha256 and made.recorded_sha256 != made.sha256:
        click.echo(f"note: the data of release {made.version}, but not its bytes (the pipeline changed since), so "
                   f"named +rebuild; the released zip has sha256 {made.recorded_sha256}", err=True)


@main.command()
@click.argument("zip_path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="OpenSSH Ed25519 private key (ssh-keygen -t ed25519); never stored in the repository.")
def sign(zip_path: Path, key_path: Path) -> None:
    """Sign a release zip offline: writes <zip>.sig (OpenSSH SSHSIG, Ed25519).

    Same bytes as `ssh-keygen -Y sign -n russia-war-recruitment -f KEY ZIP`.
    The public key must be in keys/release-signing.pub for `validate` to trust it.
    """
    from .signing import sign as sign_zip

    path = _run(sign_zip, zip_path, key_path)
    click.echo(f"wrote {path}")


@main.command()
@root_option
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default=None,
              help="The kind of release; refused if smaller than the changes need.  [default: the least needed]")
@click.option("--new-version", "version", default=None, help="An exact new version, e.g. 1.0.0.")
@click.option("--previous", default=None,
              help="The previous release (a version, git ref, folder or zip).  [default: the newest in releases/]")
@click.option("--first", is_flag=True, help="The first release: compare with an empty package.")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="A Markdown file with the summary for readers, put under the changelog heading.")
def release(root: Path, bump: str | None, version: str | None, previous: str | None, first: bool,
            summary_file: Path | None) -> None:
    """Cut a release: version, CHANGELOG.md, CITATION.cff, .zenodo.json, releases/<version>/,
    a fresh dist/ and the archive, committed as one commit.

    Refuses to start from uncommitted changes outside raw/ and schemas/. If it
    fails or is killed midway, every file it changed is put back (at once, or by
    the next run). Tags and pushes nothing: prints those commands.
    """
    if bump and version:
        raise click.UsageError("give either --bump or --new-version, not both")
    if version:
        try:
            parse_version(version)
        except PipelineError as error:
            raise click.BadParameter(str(error), param_hint="--new-version") from None
    from .release import release as release_package

    summary = summary_file.read_text(encoding="utf-8") if summary_file else None
    try:
        result = _run(release_package, root, bump, version, previous, summary=summary, first=first)
    except DataInvalid as error:
        _echo_problems(error.problems, "text")
        click.echo("release: the data is invalid; nothing was changed", err=True)
        sys.exit(1)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"release {result.version} (from {result.previous}): {result.archive.sha256}  {result.archive.path}")
    click.echo(f"committed {result.commit[:12]} \"Release {result.version}\"; git status is clean. Next, if you like:")
    for command in result.next_commands:
        click.echo(f"  {command}")


if __name__ == "__main__":
    main()
