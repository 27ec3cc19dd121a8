"""Nothing outside the repository is read: the build's inputs are checked before anything opens them.

The pipeline reads only real files (never symbolic links) in the folders that
are its inputs, and names tables with plain slugs, so that no table, schema or
data path can lead out of the repository. A link is named; its target is never
read or printed.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import catalogue
from .problems import PipelineError, Problem

INPUT_FOLDERS = ("raw", "schemas", "releases", "LICENSES", "keys")
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def link_problems(root: Path) -> list[Problem]:
    """A problem for every symbolic link among the pipeline's input folders (and for a linked folder)."""
    root = Path(root)
    problems = []
    for name in INPUT_FOLDERS:
        folder = root / name
        if folder.is_symlink():
            problems.append(Problem(f"{name}/", 0, 0, catalogue.SYMBOLIC_LINK,
                                    f"{name}/ is a symbolic link; the pipeline reads only real folders inside the "
                                    "repository (the link's target is not read)"))
            continue
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                shown = path.relative_to(root).as_posix()
                problems.append(Problem(shown, 0, 0, catalogue.SYMBOLIC_LINK,
                                        f"{shown} is a symbolic link; replace it with the file itself (the pipeline "
                                        "reads only real files inside the repository; the link's target is not read)"))
    return problems


def refuse_links(root: Path) -> None:
    """Raise if any input is a symbolic link (for steps that do not report problems one by one)."""
    problems = link_problems(root)
    if problems:
        raise PipelineError("; ".join(p.message for p in problems))


def checked_table_name(name: object, where: Path) -> str:
    """A table name from schemas/package.yaml, if it is a plain slug (so its files stay in raw/ and schemas/)."""
    if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
        raise PipelineError(f"{where}: resource {str(name)[:80]!r} is not a table name (lowercase letters, digits and "
                            "underscores); a table's schema and data always lie in schemas/ and raw/")
    return name
