"""Releases: the diff, the version rule, the changelog, the archive and reading a release safely."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from pipeline import build
from pipeline.archive import archive, open_release
from pipeline.cli import main
from pipeline.diff import MAJOR, MINOR, PATCH, Snapshot, diff, schema_changes
from pipeline.expectations import expectations
from pipeline.problems import PipelineError
from pipeline.release import bump_between, choose_version, release
from pipeline.validate import validate

from .conftest import ROOT, edit_cell


def row_line(root: Path, table: str, row_id: str) -> int:
    text = (root / "raw" / f"{table}.csv").read_text(encoding="utf-8")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if row[0] == row_id:
            return number
    raise LookupError(row_id)


def add_enum_value(root: Path, field: str, value: str) -> None:
    path = root / "schemas" / "fields.yaml"
    fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields[field]["constraints"]["enum"].append(value)
    path.write_text(yaml.safe_dump(fields, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """v1 is the shipped data; v2 has one correction (with its reason), one new row and one new enum value."""
    from .conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("versions"))
    build(root, root / "v1")
    line = row_line(root, "casualties", "deaths-ru-da")
    edit_cell(root, "casualties", line, "value", "1875")
    edit_cell(root, "casualties", line, "correction_note", "Recounted from the source's table.")
    path = root / "raw" / "bonuses.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    new = rows[1].split(",", 1)[1]
    path.write_text("\n".join(rows + ["zz-new-bonus-row," + new]) + "\n", encoding="utf-8")
    edit_cell(root, "bonuses", len(rows) + 1, "region_code", "RU-TY")  # a new fact, not a duplicate
    add_enum_value(root, "unit", "weeks")
    expectations(root)
    build(root, root / "v2")
    return root


def test_diff_finds_each_kind_of_change(two_versions):
    result = diff(two_versions / "v1", two_versions / "v2")
    changed = [c for c in result.row_changes if c.change == "changed"]
    assert [(c.table, c.id, c.field, c.old, c.new, c.reason) for c in changed] == [
        ("casualties", "deaths-ru-da", "value", "1874", "1875", "Recounted from the source's table."),
    ]
    assert [(c.table, c.id) for c in result.row_changes if c.change == "added"] == [("bonuses", "zz-new-bonus-row")]
    enum_added = {(c.table, c.detail, c.bump) for c in result.schema_changes if c.kind == "enum-value-added"}
    assert ("casualties", "unit: value 'weeks' added", MINOR) in enum_added
    assert result.required_bump() == MINOR


def test_too_small_a_bump_is_refused_with_the_reason(two_versions):
    result = diff(two_versions / "v1", two_versions / "v2")
    with pytest.raises(PipelineError) as refused:
        choose_version("1.0.0", result, "patch", None)
    assert str(refused.value).startswith("a patch release is too small: these changes need a minor version bump: ")
    assert "1 row(s) added" in str(refused.value)
    assert choose_version("1.0.0", result, None, None) == ("1.1.0", MINOR)
    assert choose_version("1.0.0", result, "major", None) == ("2.0.0", MAJOR)
    with pytest.raises(PipelineError, match="too small"):
        choose_version("1.0.0", result, None, "1.0.1")


def snapshot(fields: list[dict], key=("id",), table="t") -> Snapshot:
    schema = {"fields": fields, "primaryKey": list(key)}
    return Snapshot({"version": "1.0.0"}, {table: schema}, {table: {}})


F = {"name": "id", "type": "string"}
UNIT = {"name": "unit", "type": "string", "constraints": {"enum": ["a", "b"]}}


@pytest.mark.parametrize("label,old,new,kind,bump", [
    ("field removed", [F, UNIT], [F], "field-removed", MAJOR),
    ("field renamed", [F, UNIT], [F, {**UNIT, "name": "units"}], "field-renamed", MAJOR),
    ("field added", [F], [F, UNIT], "field-added", MINOR),
    ("type narrowed", [F, {"name": "n", "type": "number"}], [F, {"name": "n", "type": "integer"}], "field-retyped", MAJOR),
    ("type widened", [F, {"name": "n", "type": "integer"}], [F, {"name": "n", "type": "number"}], "field-retyped", MINOR),
    ("enum value removed", [F, UNIT], [F, {**UNIT, "constraints": {"enum": ["a"]}}], "enum-value-removed", MAJOR),
    ("enum value added", [F, UNIT], [F, {**UNIT, "constraints": {"enum": ["a", "b", "c"]}}], "enum-value-added", MINOR),
    ("description edited", [F, UNIT], [F, {**UNIT, "description": "new words"}], "field-description", PATCH),
])
def test_version_rule_for_each_schema_change(label, old, new, kind, bump):
    [change] = schema_changes(snapshot(old), snapshot(new))
    assert (change.kind, change.bump) == (kind, bump)


def test_primary_key_change_and_table_changes_are_classified():
    old = snapshot([F, UNIT])
    assert [(c.kind, c.bump) for c in schema_changes(old, snapshot([F, UNIT], key=("id", "unit")))] == \
        [("primary-key-changed", MAJOR)]
    assert [(c.kind, c.bump) for c in schema_changes(old, snapshot([F, UNIT], table="u"))] == \
        [("table-removed", MAJOR), ("table-added", MINOR)]


def test_bump_between_versions():
    assert (bump_between("1.2.3", "2.0.0"), bump_between("1.2.3", "1.3.0"), bump_between("1.2.3", "1.2.4")) == \
        (MAJOR, MINOR, PATCH)
    assert bump_between("1.2.3", "1.2.3") is None


def test_release_writes_version_changelog_citation_and_archive(two_versions, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(two_versions / "raw", root / "raw")
    shutil.copytree(two_versions / "schemas", root / "schemas")
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    # v1 was released as 1.0.0 in this scenario; this release drops one row as well.
    v1 = tmp_path / "v1"
    shutil.copytree(two_versions / "v1", v1)
    descriptor = json.loads((v1 / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = "1.0.0"
    (v1 / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    path = root / "raw" / "foreign_countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    removed_id = lines[1].split(",")[0]
    path.write_text("\n".join([lines[0]] + lines[2:]) + "\n", encoding="utf-8")

    result = release(root, previous=str(v1), day=date(2026, 12, 1))

    assert result.version == "1.1.0"
    package = (root / "schemas" / "package.yaml").read_text(encoding="utf-8")
    assert "version: 1.1.0" in package and 'created: "2026-12-01T00:00:00Z"' in package
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    entry = changelog[changelog.index("## [1.1.0] - 2026-12-01"):]
    assert entry.splitlines()[:5] == [
        "## [1.1.0] - 2026-12-01",
        "",
        "<!-- Summary for readers: what changed and why, in a few sentences. -->",
        "",
        "Compared with 1.0.0: needs at least a **minor** version bump.",
    ]
    assert "- `deaths-ru-da` value: `1874` → `1875` — Recounted from the source's table." in entry
    assert f"- `{removed_id}` removed" in entry
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["version"], citation["date-released"]) == ("1.1.0", "2026-12-01")
    assert f"foreign_countries,{removed_id},1.1.0," in (root / "schemas" / "retired_ids.csv").read_text(encoding="utf-8")
    changes = (root / "releases" / "1.1.0" / "changes.csv").read_text(encoding="utf-8")
    assert changes.splitlines()[0] == "table,id,change,field,old,new,reason"
    assert result.zip_path.name == "russia-war-recruitment-1.1.0.zip"
    assert json.loads((root / "dist" / "datapackage.json").read_text(encoding="utf-8"))["version"] == "1.1.0"
    with zipfile.ZipFile(result.zip_path) as bundle:
        assert "russia-war-recruitment-1.1.0/changes.csv" in bundle.namelist()

    # the retired id can never come back
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p.code for p in validate(root, ["foreign_countries"]) if p.is_error] == ["retired-id"]


@pytest.fixture(scope="module")
def release_zip(tmp_path_factory, built) -> Path:
    root = tmp_path_factory.mktemp("archive")
    shutil.copytree(built, root / "dist")
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    path, _ = archive(root)
    return path


def test_archive_is_deterministic(release_zip, tmp_path, built):
    other = tmp_path / "other"
    shutil.copytree(built, other / "dist")
    shutil.copy(ROOT / "CITATION.cff", other / "CITATION.cff")
    path, digest = archive(other)
    assert digest == hashlib.sha256(release_zip.read_bytes()).hexdigest()
    assert (other / "build" / "release" / "SHA256SUMS").read_text() == f"{digest}  {path.name}\n"
    with zipfile.ZipFile(path) as bundle:
        infos = bundle.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def rewrite_zip(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            name, data = change(info.filename, old.read(info))
            new.writestr(name, data)
    return target


def test_good_release_opens_and_validates(release_zip, tmp_path):
    folder = open_release(release_zip, tmp_path)
    assert (folder / "datapackage.json").is_file()
    result = CliRunner().invoke(main, ["validate", str(release_zip)])
    assert result.exit_code == 0, result.output


def test_one_changed_byte_in_a_csv_is_named(release_zip, tmp_path):
    def flip(name, data):
        return name, (data.replace(b"Moscow", b"Moscoq", 1) if name.endswith("csv/regions.csv") else data)

    tampered = rewrite_zip(release_zip, tmp_path / "tampered.zip", flip)
    with pytest.raises(PipelineError, match=r"csv/regions.csv does not match its sha256 in SHA256SUMS"):
        open_release(tampered, tmp_path / "out")
    result = CliRunner().invoke(main, ["validate", str(tampered)])
    assert result.exit_code == 1
    assert "release-integrity: csv/regions.csv does not match its sha256" in result.output


@pytest.mark.parametrize("evil,message", [
    ("russia-war-recruitment-0/../../escape.txt", "path leaves the archive folder"),
    ("/etc/escape.txt", "absolute path in the zip"),
])
def test_zip_slip_is_refused(release_zip, tmp_path, evil, message):
    def add(name, data):
        return name, data

    target = rewrite_zip(release_zip, tmp_path / "evil.zip", add)
    with zipfile.ZipFile(target, "a") as bundle:
        bundle.writestr(evil, b"x")
    with pytest.raises(PipelineError, match=message):
        open_release(target, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_symlink_in_zip_is_refused(release_zip, tmp_path):
    target = rewrite_zip(release_zip, tmp_path / "link.zip", lambda n, d: (n, d))
    info = zipfile.ZipInfo("russia-war-recruitment-x/link")
    info.create_system = 3
    info.external_attr = (0o120777) << 16
    with zipfile.ZipFile(target, "a") as bundle:
        bundle.writestr(info, "/etc/passwd")
    with pytest.raises(PipelineError, match="symbolic link"):
        open_release(target, tmp_path / "out")


def test_citation_file_is_valid_cff():
    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.validate(citation, schema)
    version = yaml.safe_load((ROOT / "schemas" / "package.yaml").read_text(encoding="utf-8"))["version"]
    assert citation["version"] == version


def test_retired_ids_are_never_reused():
    """Every id retired by a release stays out of raw/ (the list is kept in schemas/retired_ids.csv)."""
    assert [p.as_text() for p in validate(ROOT) if p.code == "retired-id"] == []


def test_load_reads_a_release_zip(release_zip, built):
    from pipeline import load

    assert load("regions", release_zip).equals(load("regions", built))


def test_a_failed_release_puts_every_file_back(two_versions, tmp_path, monkeypatch):
    import pipeline.release as release_module

    root = tmp_path / "repo"
    shutil.copytree(two_versions / "raw", root / "raw")
    shutil.copytree(two_versions / "schemas", root / "schemas")
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}

    def broken_archive(_root):
        raise OSError("disk full")

    monkeypatch.setattr(release_module, "archive", broken_archive)
    with pytest.raises(OSError):
        release(root, previous=str(two_versions / "v1"), day=date(2026, 12, 1))
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "dist" not in p.parts}
    assert after == before


def test_a_version_already_in_the_changelog_is_refused(tmp_path, two_versions):
    root = tmp_path / "repo"
    shutil.copytree(two_versions / "raw", root / "raw")
    shutil.copytree(two_versions / "schemas", root / "schemas")
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [9.0.0] - 2026-01-01\n\nold\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="already has an entry for 9.0.0"):
        release(root, version="9.0.0", previous=str(two_versions / "v1"))


def test_validate_refuses_zips_mixed_with_tables(release_zip):
    result = CliRunner().invoke(main, ["validate", str(release_zip), "raw/bonuses.csv"])
    assert result.exit_code == 2 and "either release zips or raw tables" in result.output


def test_the_package_says_how_to_cite_a_version(built):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert f"version {descriptor['version']} [data set]" in descriptor["citation"]
    assert "Cite the version you used" in descriptor["citation"]
