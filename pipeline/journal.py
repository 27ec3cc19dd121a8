"""A journal for steps that change several files: all of them happen, or none.

Before the first change, the journal saves what it will touch (files, and
whole folders such as dist/) under `build/journal-<name>/` and writes its
manifest last, in one rename: from then on it is active. On an exception the
block rolls back at once; after a crash or `kill -9` the next run finds the
active journal and rolls back first (`recover`). A journal without its
manifest was never active and is simply removed.
"""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

from . import swap

MANIFEST = "manifest.json"


def journal_folder(root: Path, name: str) -> Path:
    return Path(root) / "build" / f"journal-{name}"


def _begin(root: Path, name: str, label: str, files: list[Path], folders: list[Path], created: list[Path]) -> Path:
    folder = journal_folder(root, name)
    shutil.rmtree(folder, ignore_errors=True)  # an incomplete journal (no manifest) was never active
    (folder / "saved").mkdir(parents=True)
    entries = []
    for number, path in enumerate(files + folders):
        relative = Path(path).relative_to(root).as_posix()
        saved = None
        if Path(path).is_dir() and not Path(path).is_symlink():
            saved = f"saved/{number}"
            shutil.copytree(path, folder / saved, symlinks=True)
        elif Path(path).is_file():
            saved = f"saved/{number}"
            shutil.copy2(path, folder / saved)
        entries.append({"path": relative, "saved": saved})
    manifest = {"label": label, "entries": entries,
                "created": [Path(p).relative_to(root).as_posix() for p in created]}
    partial = folder / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    partial.replace(folder / MANIFEST)
    return folder


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def rollback(root: Path, name: str) -> str | None:
    """Put back everything an active journal saved, remove what it created; return its label."""
    folder = journal_folder(root, name)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for relative in manifest["created"]:
        _remove(Path(root) / relative)
    for entry in manifest["entries"]:
        path = Path(root) / entry["path"]
        if entry["saved"] is None:
            _remove(path)
            continue
        saved = folder / entry["saved"]
        if saved.is_dir():
            if path.exists():
                swap.replace_directory(saved, path)
            else:
                saved.rename(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(saved, path)
    shutil.rmtree(folder, ignore_errors=True)
    return manifest["label"]


def active_label(root: Path, name: str) -> str | None:
    """The label of an active journal left by an interrupted run, or None."""
    path = journal_folder(root, name) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8"))["label"] if path.is_file() else None


def discard(root: Path, name: str) -> None:
    shutil.rmtree(journal_folder(root, name), ignore_errors=True)


@contextmanager
def journalled(root: Path, name: str, label: str, files: list[Path], folders: list[Path] = (),
               created: list[Path] = ()):
    """Run the block with a journal: on any exception everything is put back; on success the journal goes."""
    _begin(Path(root), name, label, list(files), list(folders), list(created))
    try:
        yield
    except BaseException:
        rollback(Path(root), name)
        raise
    discard(Path(root), name)
