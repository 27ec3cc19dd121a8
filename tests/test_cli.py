"""The command line: exit codes and output, through click's CliRunner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.schemas import table_names

from .conftest import ROOT, edit_cell


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("recruitment, version ")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_of_each_command(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and result.output.startswith(f"Usage: main {command} ")


def test_the_cli_has_the_commands_the_readme_names():
    assert {"validate", "build", "diff", "archive", "release", "expectations"} <= set(main.commands)


def test_validate_clean_data_exits_0(project):
    result = run("validate", "--root", project)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith("valid")


def test_validate_bad_cell_exits_1_without_traceback(project):
    edit_cell(project, "regions", 4, "federal_district_id", "atlantis")
    result = run("validate", "raw/regions.csv", "--root", project)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'raw/regions.csv:4:8: foreign-key: federal_district_id: "atlantis" is not found in '
        "federal_districts.id (raw/federal_districts.csv)",
        "invalid: 1 error(s), 0 warning(s)",
    ]
    assert "Traceback" not in result.output


def test_usage_error_exits_2(project):
    assert run("validate", "--format", "xml", "--root", project).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_unknown_table_argument_is_a_usage_error(project):
    result = run("validate", "raw/nope.csv", "--root", project)
    assert result.exit_code == 2
    assert "Error: raw/nope.csv: not a table of the package; tables: sources, " in result.output


def test_build_refuses_invalid_data_and_leaves_dist(built_project):
    project = built_project
    before = {p: p.read_bytes() for p in (project / "dist").rglob("*") if p.is_file()}
    edit_cell(project, "federal_districts", 3, "name_ru", "")
    result = run("build", "--root", project)
    assert result.exit_code == 1
    assert "raw/federal_districts.csv:3:4: required-constraint: name_ru is required" in result.output
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


def test_diff_with_an_unknown_ref_is_a_usage_error(project):
    result = run("diff", "no-such-ref", "raw", "--root", project)
    assert result.exit_code == 2
    assert ("Error: 'no-such-ref' is not raw, a release recorded in releases/, a folder, a release zip or a git ref "
            "of this repository") in result.output


def test_a_missing_root_is_a_usage_error(tmp_path):
    for command in ("validate", "build", "archive", "expectations", "diff", "release"):
        result = run(command, "--root", tmp_path / "nowhere")
        assert result.exit_code == 2, command
        assert "Invalid value for '--root'" in result.output and "does not exist" in result.output


def test_bump_and_version_together_is_a_usage_error(project):
    result = run("release", "--bump", "minor", "--new-version", "2.0.0", "--root", project)
    assert result.exit_code == 2
    assert "Error: give either --bump or --new-version, not both" in result.output


def test_great_expectations_analytics_are_forced_off(project, monkeypatch):
    import os
    import subprocess
    import sys

    env = dict(os.environ, GX_ANALYTICS_ENABLED="True")
    shown = subprocess.run([sys.executable, "-c", "import os, pipeline.expectations; print(os.environ['GX_ANALYTICS_ENABLED'])"],
                           env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "True")  # set again after the import: running a suite forces it off
    assert run("validate", "raw/regions.csv", "--root", project).exit_code == 0
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
