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
    assert example in [p.as_text() for p in validate(project)]


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
    targets = set(re.findall(r"\bmake (\w+)", commands))
    assert {"validate", "build", "test"} <= targets
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"].rstrip("/") == "build/validation-report"
    assert "--html build/validation-report" in makefile


def test_makefile_parses_and_every_documented_target_exists():
    import subprocess

    for target in ("build", "validate", "test", "expectations", "archive", "release", "clean"):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
