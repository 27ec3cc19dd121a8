"""The README cannot drift: its code runs and its example output is real."""

from __future__ import annotations

import os
import re

from pipeline import validate

from .conftest import ROOT, edit_cell

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_snippets_run_against_the_committed_dist(capsys):
    snippets = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(snippets) >= 2
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for snippet in snippets:
            exec(compile(snippet, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip()


def test_example_problem_line_is_what_validate_prints(project):
    example = re.search(r"```text\n(raw/bonuses\.csv:.*)\n", README).group(1)
    edit_cell(project, "bonuses", 3, "value", "12,000")
    assert example in [p.as_text() for p in validate(project, ["bonuses"])]


def test_set_up_commands_are_the_makefile_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("build", "test", "validate", "clean"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make build" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_contribution_workflow_parses_and_uses_existing_targets():
    import yaml

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "contributions.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers
    steps = workflow["jobs"]["validate"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "bash .ci/run" in commands  # CI here is the CI everywhere
    assert workflow["jobs"]["validate"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    commands += (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    targets = set(re.findall(r"\bmake (\w+)", commands))
    assert {"validate", "build", "test"} <= targets
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert "build/validation-report" in [s["with"]["path"].rstrip("/") for s in uploads]
    assert "--html build/validation-report" in makefile


def test_makefile_parses_and_every_documented_target_exists():
    import subprocess

    for target in ("build", "validate", "test", "expectations", "archive", "release", "clean"):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def run_snippet(containing: str) -> dict:
    """Run the README's Python snippet that contains this text, from the project folder; return its names."""
    [snippet] = [s for s in re.findall(r"```python\n(.*?)```", README, re.S) if containing in s]
    names: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(snippet, "README.md", "exec"), names)
    finally:
        os.chdir(cwd)
    return names


def test_the_duckdb_example_ranks_like_with_like_and_keeps_ranges(capsys):
    import pandas as pd

    deaths = run_snippet("import duckdb")["deaths"]
    casualties = pd.read_parquet(ROOT / "dist" / "parquet" / "casualties.parquet").set_index("id")
    rows = casualties.loc[list(deaths["id"])]
    assert rows["category_id"].isna().all() and (rows["measure"] == "deaths").all()  # one kind of count only
    everything = casualties[(casualties.measure == "deaths") & casualties.category_id.isna()
                            & casualties.region_code.notna()]
    assert set(deaths["id"]) == set(everything.index)  # every such row, ranges included
    assert (deaths["qualifier"] == "range").any() and deaths.loc[deaths.qualifier == "range", "value"].isna().all()
    assert "mobilised" not in set(casualties.loc[list(deaths["id"]), "category_id"].dropna())


def test_the_pandas_csv_example_keeps_section_as_text(capsys):
    names = run_snippet("pd.read_csv(\"dist/csv/penalties.csv\"")
    sections = names["penalties"]["section"]
    assert str(sections.dtype) == "string" and set(sections) <= {"intro", "1.1", "1.2", "1.3", "1.4", "1.5", "2.1",
                                                                "2.2", "2.3", "2.4", "2.5"}


def test_the_datasette_command_names_where_datasette_is():
    import sys
    from pathlib import Path

    [command] = re.findall(r"`(\S*datasette) dist/russia-war-recruitment\.sqlite -m dist/metadata\.json`", README)
    assert command == ".venv/bin/datasette"
    assert (Path(sys.executable).parent / "datasette").is_file()  # make test installs it where the README says


def test_the_readme_cites_the_current_release_and_prints_the_signing_keys():
    from pipeline import history
    from pipeline.citation import citation_text

    meta = history.released_metadata(ROOT, history.latest_release(ROOT))  # as released
    citation = re.search(r"<!-- citation:[^\n]*-->\n> (.*)\n<!-- /citation -->", README).group(1)
    assert citation == citation_text(meta, meta["version"])
    keys = [line for line in (ROOT / "keys" / "release-signing.pub").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert keys and all(key in README for key in keys)
