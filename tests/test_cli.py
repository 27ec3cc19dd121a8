"""The command line: exit codes and output, through click's CliRunner."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.schemas import table_names

from .conftest import ROOT, edit_cell


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("recruitment, version ")


def test_help_of_each_command():
    for command in ("validate", "build", "diff", "archive", "release", "expectations"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_validate_clean_data_exits_0(project):
    result = run("validate", "--root", project)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith("valid")


def test_validate_bad_cell_exits_1_without_traceback(project):
    edit_cell(project, "regions", 4, "federal_district_id", "atlantis")
    result = run("validate", "raw/regions.csv", "--root", project)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'raw/regions.csv:4:7: foreign-key: federal_district_id: "atlantis" is not found in '
        "federal_districts.id (raw/federal_districts.csv)",
        "invalid: 1 error(s), 0 warning(s)",
    ]
    assert "Traceback" not in result.output


def test_usage_error_exits_2(project):
    assert run("validate", "--format", "xml", "--root", project).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_unknown_table_argument_exits_1_with_message(project):
    result = run("validate", "raw/nope.csv", "--root", project)
    assert result.exit_code == 1
    assert "raw/nope.csv: not a table of the package" in result.output


def test_build_refuses_invalid_data_and_leaves_dist(project):
    assert run("build", "--root", project).exit_code == 0
    before = {p: p.read_bytes() for p in (project / "dist").rglob("*") if p.is_file()}
    edit_cell(project, "federal_districts", 3, "name_ru", "")
    result = run("build", "--root", project)
    assert result.exit_code == 1
    assert "raw/federal_districts.csv:3:3: required-constraint: name_ru is required" in result.output
    assert "nothing written; dist/ is unchanged" in result.output
    after = {p: p.read_bytes() for p in (project / "dist").rglob("*") if p.is_file()}
    assert after == before


def test_build_prints_a_summary(project):
    result = run("build", "--root", project)
    assert result.exit_code == 0
    assert f"{len(table_names(ROOT / 'schemas'))} tables" in result.output.splitlines()[0]


def test_a_pipeline_bug_is_a_short_message(project, monkeypatch):
    import pipeline.cli as cli

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli, "validate_tables", broken)
    monkeypatch.delenv("RECRUITMENT_DEBUG", raising=False)
    result = run("validate", "--root", project)
    assert result.exit_code == 3
    assert "ZeroDivisionError: boom" in result.output and "bug in the pipeline" in result.output
    assert "Traceback" not in result.output
