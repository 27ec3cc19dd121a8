"""Faults leave nothing behind: killed builds, archives and releases, a full disk, bad versions."""

from __future__ import annotations

import errno
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import history
from pipeline.archive import archive
from pipeline.cli import main
from pipeline.release import recover_interrupted_release, release

from .conftest import ROOT, copy_project, edit_cell, line_of

build_module = importlib.import_module("pipeline.build")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_next_build_removes_what_a_killed_build_left(built_project):
    project = built_project
    leftover = project / ".dist.new-k1ll3d"
    (leftover / "csv").mkdir(parents=True)
    (leftover / "csv" / "half.csv").write_text("id\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "note: removed 1 folder(s) left by an interrupted build: .dist.new-k1ll3d" in result.output
    assert not leftover.exists()


def test_a_full_disk_is_exit_1_and_changes_nothing(built_project, monkeypatch):
    project = built_project
    before = tree(project / "dist")

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build_module, "_write", full)
    result = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert result.exit_code == 1
    assert result.output.startswith("error: no space left on device (")
    assert result.output.rstrip().endswith("nothing was changed")
    assert tree(project / "dist") == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []


def test_an_archive_never_leaves_a_partial_file(built_project, monkeypatch):
    project = built_project
    out = project / "build" / "release"
    out.mkdir(parents=True)
    (out / "russia-war-recruitment-0.0.1.zip.partial").write_bytes(b"killed")  # from a killed run
    archive(project)
    assert list(out.glob("*.partial")) == []

    import pipeline.archive as archive_module

    def broken(root):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(archive_module, "release_files", broken)
    with pytest.raises(OSError):
        archive(project)
    assert list(out.glob("*.partial")) == []


@pytest.mark.parametrize("args,message", [
    (["--new-version", "01.2.0"], "'01.2.0' is not a semantic version (MAJOR.MINOR.PATCH, no leading zeros"),
    (["--bump", "minor", "--new-version", "2.0.0"], "give either --bump or --new-version, not both"),
])
def test_release_usage_errors_exit_2(args, message, tmp_path):
    result = CliRunner().invoke(main, ["release", "--root", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_release_on_invalid_data_lists_the_problems_like_validate(tmp_path, monkeypatch):
    import pipeline.release as release_module

    root = copy_project(tmp_path / "project")
    edit_cell(root, "bonuses", 3, "value", "12,000")
    monkeypatch.setattr(release_module, "check_work_tree", lambda root: None)  # not a git clone here
    before = tree(root)
    result = CliRunner().invoke(main, ["release", "--root", str(root)])
    assert result.exit_code == 1
    assert "raw/bonuses.csv:3:6: type-error: value: \"12,000\" is not a valid number" in result.output
    assert "release: the data is invalid; nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert tree(root) == before


KILLED_RELEASE = """
import os, sys
import pipeline.release as release_module
release_module.archive = lambda root: os._exit(9)  # killed after every file was written, before the archive
release_module.release(sys.argv[1], commit=False)
"""


def test_a_release_killed_midway_is_rolled_back_by_the_next_run(built_project):
    root = built_project
    edit_cell(root, "casualties", line_of(root, "casualties", "deaths-ru-da"), "correction_note",
              "Reworded (test).")
    edit_cell(root, "casualties", line_of(root, "casualties", "deaths-ru-da"), "value", "1875")
    before = tree(root)
    killed = subprocess.run([sys.executable, "-c", KILLED_RELEASE, str(root)], cwd=ROOT, capture_output=True,
                            text=True)
    assert killed.returncode == 9, killed.stderr
    latest = history.latest_release(ROOT)
    assert tree(root) != before  # it had started writing: the version, the changelog, releases/<new>/
    assert "version: " + latest not in (root / "schemas" / "package.yaml").read_text(encoding="utf-8")

    note = recover_interrupted_release(root)
    assert note.startswith("rolled back an interrupted release of ")
    assert {k: v for k, v in tree(root).items() if not k.startswith("build/")} == before

    again = release(root, commit=False)  # and the re-run works
    assert again.version == note.split(" of ")[1].split(":")[0] and again.notes == []
