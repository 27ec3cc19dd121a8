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
