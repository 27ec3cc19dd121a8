"""Releases from any clone: the previous release is found in the repository, a release leaves
nothing behind, a version names one thing, the zip explains itself, and its origin can be checked."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline import build, history
from pipeline.archive import archive
from pipeline.cli import main
from pipeline.diff import changed_words, diff, diff_markdown
from pipeline.problems import PipelineError
from pipeline.release import release

from .conftest import ROOT, copy_project, edit_cell, line_of

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test Maintainer", "GIT_AUTHOR_EMAIL": "maintainer@example.org",
                "GIT_COMMITTER_NAME": "Test Maintainer", "GIT_COMMITTER_EMAIL": "maintainer@example.org"}


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout


def add_row_like(root: Path, table: str, template_id: str, new_id: str, **cells: str) -> None:
    """Append a copy of one row under a new id, with some cells changed (so it is a new fact)."""
    path = root / "raw" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    row = list(next(r for r in rows if r[0] == template_id))
    row[0] = new_id
    for name, value in cells.items():
        row[header.index(name)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows + [row])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def same_files(a: Path, b: Path) -> list[str]:
    """Paths whose bytes differ between two folders (or exist in only one)."""
    files = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files |= {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    return sorted(f for f in files if not ((a / f).is_file() and (b / f).is_file()
                                           and (a / f).read_bytes() == (b / f).read_bytes()))


@pytest.fixture
def clone(tmp_path, monkeypatch) -> Path:
    """A fresh clone of the committed repository, with no tags, as a new maintainer has it."""
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True)
    for tag in git(target, "tag", "--list").split():
        git(target, "tag", "-d", tag)
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    return target


def test_a_release_from_a_fresh_clone_lists_exactly_its_changes_and_leaves_nothing_behind(clone):
    assert history.latest_release(clone), "the repository records its releases under releases/"
    first = CliRunner().invoke(main, ["release", "--root", str(clone)])  # main may hold unreleased changes:
    assert first.exit_code == 0 or "nothing changed since" in first.output, first.output  # release them first
    previous = history.latest_release(clone)
    line = line_of(clone, "casualties", "deaths-ru-da")
    old_value = next(csv.reader([(clone / "raw" / "casualties.csv").read_text(encoding="utf-8").splitlines()[line - 1]]))
    header = (clone / "raw" / "casualties.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    old_value = old_value[header.index("value")]
    edit_cell(clone, "casualties", line, "value", "1875")
    edit_cell(clone, "casualties", line, "correction_note", "Recounted from the source's table (test).")
    add_row_like(clone, "bonuses", "bonus-peak-ru-me-nok", "zz-test-bonus-ru-ty", region_code="RU-TY")
    runner = CliRunner()

    # a change outside raw/ and schemas/ would be left out: refused, nothing written
    (clone / "README.md").write_text("edited\n", encoding="utf-8")
    refused = runner.invoke(main, ["release", "--root", str(clone)])
    assert refused.exit_code == 1
    assert "uncommitted changes that a release would not include: README.md" in refused.output
    git(clone, "checkout", "README.md")

    # too small a bump: refused with the reason, nothing written
    refused = runner.invoke(main, ["release", "--root", str(clone), "--bump", "patch"])
    assert refused.exit_code == 1
    assert "a patch release is too small: these changes need a minor version bump: 1 row(s) added" in refused.output
    assert sorted(git(clone, "status", "--porcelain").splitlines()) == [" M raw/bonuses.csv", " M raw/casualties.csv"]

    done = runner.invoke(main, ["release", "--root", str(clone)])
    assert done.exit_code == 0, done.output
    version = history.latest_release(clone)
    assert history.parse_version(version) > history.parse_version(previous)
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(clone, "log", "-1", "--format=%s").strip() == f"Release {version}"

    changes = list(csv.DictReader(io.StringIO((clone / "releases" / version / "changes.csv").read_text(encoding="utf-8"))))
    assert {(c["table"], c["id"], c["change"]) for c in changes} == {
        ("casualties", "deaths-ru-da", "changed"), ("bonuses", "zz-test-bonus-ru-ty", "added")}
    [changed] = [c for c in changes if c["change"] == "changed"]
    assert (changed["field"], changed["old"], changed["new"], changed["reason"]) == \
        ("value", old_value, "1875", "Recounted from the source's table (test).")
    assert {"field": "region_code", "new": "RU-TY"}.items() <= \
        next(c for c in changes if c["field"] == "region_code").items()

    changelog = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog[changelog.index(f"## [{version}]"):changelog.index(f"## [{previous}]")]
    assert f"Compared with {previous}: needs at least a **minor** version bump." in entry
    assert "- `deaths-ru-da` changed — reason: Recounted from the source's table (test).\n" \
           f"  - value: `{old_value}` → `1875`" in entry
    assert "- `zz-test-bonus-ru-ty` added: " in entry and "region_code `RU-TY`" in entry
    assert entry.count("\n- `") == 2  # exactly the two changes

    # the committed dist/ is a fresh build, and the zip is the recorded one
    fresh = clone / "build" / "fresh"
    build(clone, fresh)
    assert same_files(fresh, clone / "dist") == []
    record = json.loads((clone / "releases" / version / "release.json").read_text(encoding="utf-8"))
    assert archive(clone).sha256 == record["zip"]["sha256"]
    assert json.loads((clone / "dist" / "datapackage.json").read_text(encoding="utf-8"))["version"] == version


def test_with_no_recorded_release_release_refuses_and_says_why(tmp_path):
    root = copy_project(tmp_path / "project")
    shutil.rmtree(root / "releases")
    with pytest.raises(PipelineError, match=r"no previous release found: .* holds no <version>/release.json"):
        release(root, commit=False)


def as_if_released(root: Path, built: Path) -> str:
    """Record the data under `root` as the release of its package.yaml version (in this copy only);
    `built` is a build of the same inputs (the session's)."""
    from pipeline.schemas import package_metadata

    version = package_metadata(root / "schemas")["version"]
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    record = {"version": version, "released": "2026-01-01",
              "fingerprint": history.fingerprint([r for r in descriptor["resources"] if r.get("format") == "csv"])}
    (history.release_folder(root, version)).mkdir(parents=True, exist_ok=True)
    (history.release_folder(root, version) / "release.json").write_text(history.record_json(record), encoding="utf-8")
    return version


def test_an_unreleased_state_gets_a_version_and_a_name_no_release_has(tmp_path, built):
    root = copy_project(tmp_path / "project")
    version = as_if_released(root, built)
    build(root)
    released = archive(root)
    assert (released.version, released.released) == (version, True)
    assert released.path.name == f"russia-war-recruitment-{version}.zip"
    edit_cell(root, "casualties", line_of(root, "casualties", "deaths-ru-da"), "value", "1875")
    build(root)
    unreleased = archive(root)
    assert re.fullmatch(rf"{re.escape(version)}\+dev\.[0-9a-f]{{10}}", unreleased.version)
    assert not unreleased.released
    assert unreleased.path.name == f"russia-war-recruitment-{unreleased.version}.zip"
    assert unreleased.sha256 != released.sha256 and unreleased.path.name != released.path.name
    descriptor = json.loads((root / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == unreleased.version and "created" not in descriptor
    assert "not a release" in (root / "dist" / "README.md").read_text(encoding="utf-8")


def test_a_zip_of_a_releases_data_with_other_bytes_is_not_named_as_the_release(tmp_path, built):
    root = copy_project(tmp_path / "project")
    version = as_if_released(root, built)
    build(root)
    record_path = history.release_folder(root, version) / "release.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["zip"] = {"name": f"russia-war-recruitment-{version}.zip", "bytes": 1, "sha256": "0" * 64}
    record_path.write_text(history.record_json(record), encoding="utf-8")
    made = archive(root)
    assert made.path.name == f"russia-war-recruitment-{version}+rebuild.{made.sha256[:10]}.zip"


def test_the_zip_explains_itself_at_its_top_level(release_zip, built):
    with zipfile.ZipFile(release_zip) as bundle:
        names = bundle.namelist()
        readme = bundle.read("README.md").decode("utf-8")
        licence = bundle.read("LICENSE").decode("utf-8")
    assert {"datapackage.json", "README.md", "LICENSE", "CITATION.cff", "SHA256SUMS"} <= set(names)
    assert not any(name.endswith("/") for name in names)
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    if "created" in descriptor:  # a release
        assert f"**Version {descriptor['version']}**, released {descriptor['created'][:10]}" in readme
    else:  # main between releases
        assert f"**Version {descriptor['version']}**: a development build, **not a release**" in readme
    for resource in descriptor["resources"]:
        if resource.get("format") == "csv":
            assert f"| `{resource['name']}` |" in readme
    for words in ("`qualifier`", "`value_low`", "`value_high`", "`claimed_by`", 'pip install "frictionless[json,parquet,pandas]"',
                  "65001: Unicode (UTF-8)", "LibreOffice", "sha256sum -c SHA256SUMS", descriptor["citation"]):
        assert words in readme, words
    assert licence.startswith("Creative Commons Attribution 4.0 International")


def test_upstream_frictionless_validates_every_resource_of_the_zip(release_zip):
    from frictionless import Package

    descriptor = json.loads(zipfile.ZipFile(release_zip).read("datapackage.json"))
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", "--json", str(release_zip)], capture_output=True, text=True,
                            cwd=release_zip.parent)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], result.stdout[-2000:]
    assert sorted(task["name"] for task in report["tasks"]) == sorted(r["name"] for r in descriptor["resources"])
    package = Package(str(release_zip))
    assert len(package.resources) == len(descriptor["resources"])


def test_every_parquet_file_is_snappy_and_reads_the_same_in_a_second_reader(built):
    import duckdb
    import pyarrow.parquet as pq

    files = sorted((built / "parquet").glob("*.parquet"))
    assert files
    for path in files:
        metadata = pq.ParquetFile(path).metadata
        codecs = {metadata.row_group(g).column(c).compression for g in range(metadata.num_row_groups)
                  for c in range(metadata.num_columns)}
        assert codecs == {"SNAPPY"}, path.name
        arrow = [tuple(row.values()) for row in pq.read_table(path).to_pylist()]
        other = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()  # DuckDB's own reader
        assert other == arrow, path.name


def test_changed_long_text_shows_the_changed_words_not_both_paragraphs():
    old = ("Qualifier at_most: the report says payments have been as high as this amount. The report gives no "
           "date for the peak, and both amounts are recorded as reported, not converted by the curators.")
    new = old.replace("Qualifier at_most", "Qualifier exact")
    assert changed_words(old, new) == "Qualifier ~~at\\_most:~~ **exact:** the report says payments…"
    assert changed_words("a b c d e f g h i j k l m n", "a b c d e f g X i j k l m n") == \
        "…d e f g ~~h~~ **X** i j k l…"


def test_diff_against_a_release_compares_what_raw_builds_now(tmp_path, built):
    root = copy_project(tmp_path / "project")
    latest = history.latest_release(root)
    unreleased = diff(latest, built, root).row_changes  # what main holds that the release does not (built from raw/)
    touched = {c.id for c in unreleased}
    rows = csv.DictReader(io.StringIO((root / "raw" / "casualties.csv").read_text(encoding="utf-8")))
    row_id = next(r["id"] for r in rows if r["id"] not in touched)
    line = line_of(root, "casualties", row_id)
    edit_cell(root, "casualties", line, "note", "A new note for the test, long enough to be shown as changed words only, "
                                               "not as two whole paragraphs side by side.")
    edit_cell(root, "casualties", line, "correction_note", "Note reworded (test).")
    result = diff(latest, "raw", root)  # dist/ was never rebuilt
    assert [(c.id, c.field, c.reason) for c in result.row_changes if c not in unreleased] == \
        [(row_id, "note", "Note reworded (test).")]
    text = diff_markdown(result)
    assert f"- `{row_id}` changed — reason: Note reworded (test).\n  - note: " in text
    out = CliRunner().invoke(main, ["diff", "--root", str(root), "--format", "csv"])
    assert out.exit_code == 0 and f"{row_id},changed,note," in out.output


def test_the_pull_request_workflow_writes_the_change_report_to_the_job_summary(tmp_path):
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "contributions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["validate"]["steps"]
    [step] = [s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", "") or "make changes" in s.get("run", "")]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")
               and "build/changes" in str(s.get("with", {}).get("path", ""))]
    assert uploads, "the change report is uploaded as an artifact"
    summary = tmp_path / "summary.md"
    env = os.environ | {"GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", step["run"]], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith(f"## Data changes since {history.latest_release(ROOT)}\n")
    assert "Compared with " in text
    assert (ROOT / "build" / "changes" / "changes.md").read_text(encoding="utf-8") in text


# Authenticity: signatures with a throwaway key.

def throwaway_key(path: Path) -> str:
    """Write an OpenSSH Ed25519 private key; return its public key line."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return public.decode() + " test-release-key"


@pytest.fixture
def signing_root(tmp_path, release_zip) -> tuple[Path, Path, Path]:
    root = tmp_path / "root"
    (root / "keys").mkdir(parents=True)
    key = tmp_path / "release_key"
    (root / "keys" / "release-signing.pub").write_text(throwaway_key(key) + "\n", encoding="utf-8")
    zip_path = tmp_path / release_zip.name
    shutil.copy(release_zip, zip_path)
    return root, key, zip_path


def authenticity_line(root: Path, zip_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", "--root", str(root), str(zip_path)])
    [line] = [line for line in result.output.splitlines() if "authenticity:" in line]
    return result.exit_code, line.split("authenticity: ", 1)[1]


def test_a_signed_release_is_recognised_and_a_rewritten_one_is_tampered(signing_root):
    root, key, zip_path = signing_root
    code, text = authenticity_line(root, zip_path)
    assert code == 0 and text.startswith("intact but unsigned")
    signed = CliRunner().invoke(main, ["sign", str(zip_path), "--key", str(key)])
    assert signed.exit_code == 0, signed.output
    code, text = authenticity_line(root, zip_path)
    assert code == 0 and text.startswith("signed by the project's key test-release-key (SHA256:")

    # every file and every checksum rewritten consistently: intact, but not the signed bytes
    from pipeline.archive import sha256sums

    with zipfile.ZipFile(zip_path) as old:
        files = {name: old.read(name) for name in old.namelist() if name != "SHA256SUMS"}
    files["README.md"] = files["README.md"].replace(b"How to cite", b"How to cite (forged)")
    files["SHA256SUMS"] = sha256sums(files)
    with zipfile.ZipFile(zip_path, "w") as forged:
        for name, data in sorted(files.items()):
            forged.writestr(name, data)
    code, text = authenticity_line(root, zip_path)
    assert code == 1 and text == "tampered: the signature does not match the zip: its bytes changed after signing"


def test_a_signature_by_another_key_is_not_the_projects(signing_root, tmp_path):
    """The check itself (the test above runs a tampered zip through `validate`: exit 1, "tampered: ...")."""
    from pipeline.signing import TAMPERED, authenticity

    root, _, zip_path = signing_root
    other = tmp_path / "other_key"
    throwaway_key(other)
    assert CliRunner().invoke(main, ["sign", str(zip_path), "--key", str(other)]).exit_code == 0
    state = authenticity(zip_path, root)
    assert state.status == TAMPERED and state.message.startswith("signed by a key that is not the project's (SHA256:")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) not installed")
def test_signatures_are_openssh_signatures(signing_root, tmp_path):
    root, key, zip_path = signing_root
    key.chmod(0o600)
    ours = CliRunner().invoke(main, ["sign", str(zip_path), "--key", str(key)])
    assert ours.exit_code == 0
    ours_text = (zip_path.parent / (zip_path.name + ".sig")).read_text()
    public = (root / "keys" / "release-signing.pub").read_text().split()
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"maintainer {public[0]} {public[1]}\n")
    verify = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "maintainer", "-n",
                             "russia-war-recruitment", "-s", str(zip_path) + ".sig"], stdin=zip_path.open("rb"),
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    (zip_path.parent / (zip_path.name + ".sig")).unlink()
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "russia-war-recruitment", "-f", str(key), str(zip_path)],
                   check=True, capture_output=True)
    assert (zip_path.parent / (zip_path.name + ".sig")).read_text() == ours_text  # Ed25519 is deterministic
