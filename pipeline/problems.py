"""Validation problems as data, and the pipeline's own exceptions.

A Problem has a code, a message, a place (file, line, column, field) and a
severity. The same objects are printed as text, as GitHub annotations or as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


class PipelineError(Exception):
    """A problem the user can fix (bad input, bad usage); printed without a traceback."""


class UsageProblem(PipelineError):
    """The command was given wrong arguments (an unknown table, ref or combination); the CLI exits 2."""


class DataInvalid(PipelineError):
    """Raised by `build` when validation finds errors; carries the problems."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__(summary_line(problems))


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int = 0
    column: int = 0
    code: str = field(default="", compare=True)
    message: str = field(default="", compare=True)
    field_name: str = field(default="", compare=False)
    severity: str = field(default=ERROR, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def place(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            parts.append(str(self.column or 1))
        return ":".join(parts)

    def as_text(self) -> str:
        """One line, whatever the message holds: a line break in quoted cell text is shown as \\n, so text
        from a contributor can never start a line of its own (a forged CI log command)."""
        prefix = "" if self.is_error else "warning: "
        return _one_line(f"{self.place()}: {self.code}: {prefix}{self.message}")

    def as_github(self) -> str:
        kind = "error" if self.is_error else "warning"
        props = [f"file={_github_property(self.file)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.column or 1}"]
        props.append(f"title={_github_property(self.code)}")
        return f"::{kind} {','.join(props)}::{_github_data(self.message)}"


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A workflow command's property value (file=, title=), escaped so it cannot end the command early."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def errors_in(problems: list[Problem]) -> list[Problem]:
    """Only the problems that fail validation."""
    return [problem for problem in problems if problem.is_error]


def summary_line(problems: list[Problem]) -> str:
    errors = len(errors_in(problems))
    warnings = len(problems) - errors
    if not problems:
        return "valid: no problems found"
    return f"invalid: {errors} error(s), {warnings} warning(s)" if errors else f"valid: {warnings} warning(s)"


def format_problems(problems: list[Problem], fmt: str) -> str:
    """All problems, sorted, in one of the formats `text`, `github` or `json`."""
    ordered = sorted(problems)
    if fmt == "json":
        return json.dumps([asdict(problem) for problem in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        lines = [problem.as_github() for problem in ordered]
    else:
        lines = [problem.as_text() for problem in ordered]
    return "\n".join(lines + [summary_line(ordered)])
