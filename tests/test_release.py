"""Releases: the diff, the version rule, the changelog, the archive and reading a release safely."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from pipeline import build
from pipeline.archive import archive
from pipeline.unpack import open_release
from pipeline.cli import main
from pipeline.diff import MAJOR, MINOR, PATCH, Snapshot, diff, schema_changes
from pipeline.expectations import expectations
from pipeline.problems import PipelineError
from pipeline.release import bump_between, choose_version, release
from pipeline.validate import validate

from .conftest import BUILD_INPUTS, ROOT, edit_cell, line_of


def add_enum_value(root: Path, field: str, value: str) -> None:
    path = root / "schemas" / "fields.yaml"
    fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields[field]["constraints"]["enum"].append(value)
    path.write_text(yaml.safe_dump(fields, allow_unicode=True, sort_keys=False), encoding="utf-8")


def released_as(folder: Path, version: str) -> None:
    """Give a built package the version of a release."""
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["version"] = version
    path.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, built):
    """v1 is the shipped data (the session's build of it); v2 has one correction (with its reason), one new row
    and one new enum value."""
    from .conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("versions"))
    shutil.copytree(built, root / "v1")
    released_as(root / "v1", "8.0.0")  # v1 plays a release no real one has, whatever main holds now
    line = line_of(root, "casualties", "deaths-ru-da")
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
    added = [c for c in result.row_changes if c.change == "added"]
    assert {(c.table, c.id) for c in added} == {("bonuses", "zz-new-bonus-row")}
    assert ("region_code", "RU-TY") in {(c.field, c.new) for c in added}  # an added row shows its values
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
    ("Norwegian description edited", [F, UNIT], [F, {**UNIT, "description_no": "nye ord"}], "field-description_no", PATCH),
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


def copy_versions(two_versions: Path, root: Path) -> Path:
    """The v2 inputs of `two_versions` with the project's release records and licence texts."""
    for folder in BUILD_INPUTS:
        shutil.copytree(two_versions / folder, root / folder)
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    return root


def test_release_writes_version_changelog_citation_and_archive(two_versions, tmp_path):
    root = copy_versions(two_versions, tmp_path / "repo")
    # v1 was released as 8.0.0 in this scenario (a version no real release has); this release drops one row as well.
    package = root / "schemas" / "package.yaml"
    package.write_text(re.sub(r"^version: .*$", "version: 8.0.0", package.read_text(encoding="utf-8"), flags=re.M),
                       encoding="utf-8")
    v1 = tmp_path / "v1"
    shutil.copytree(two_versions / "v1", v1)
    released_as(v1, "8.0.0")
    path = root / "raw" / "foreign_countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    removed_id = lines[1].split(",")[0]
    path.write_text("\n".join([lines[0]] + lines[2:]) + "\n", encoding="utf-8")

    result = release(root, previous=str(v1), day=date(2026, 12, 1), commit=False, summary="Two fixes.")

    assert result.version == "8.1.0"
    package = (root / "schemas" / "package.yaml").read_text(encoding="utf-8")
    assert "version: 8.1.0" in package and 'created: "2026-12-01T00:00:00Z"' in package
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    entry = changelog[changelog.index("## [8.1.0] - 2026-12-01"):]
    assert entry.splitlines()[:5] == [
        "## [8.1.0] - 2026-12-01",
        "",
        "Two fixes.",
        "",
        "Compared with 8.0.0: needs at least a **minor** version bump.",
    ]
    assert "- `deaths-ru-da` changed — reason: Recounted from the source's table.\n  - value: `1874` → `1875`" in entry
    assert f"- `{removed_id}` removed: " in entry
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["version"], citation["date-released"]) == ("8.1.0", "2026-12-01")
    assert f"foreign_countries,{removed_id},8.1.0," in (root / "schemas" / "retired_ids.csv").read_text(encoding="utf-8")
    changes = (root / "releases" / "8.1.0" / "changes.csv").read_text(encoding="utf-8")
    assert changes.splitlines()[0] == "table,id,change,field,old,new,reason"
    assert result.archive.path.name == "russia-war-recruitment-8.1.0.zip"
    assert json.loads((root / "dist" / "datapackage.json").read_text(encoding="utf-8"))["version"] == "8.1.0"
    with zipfile.ZipFile(result.archive.path) as bundle:
        assert bundle.read("changes.csv").decode() == changes
    record = json.loads((root / "releases" / "8.1.0" / "release.json").read_text(encoding="utf-8"))
    assert record["zip"] == {"name": "russia-war-recruitment-8.1.0.zip", "bytes": result.archive.path.stat().st_size,
                             "sha256": result.archive.sha256}
    assert (root / "releases" / "8.1.0" / "snapshot" / "csv" / "bonuses.csv").read_bytes() == \
        (root / "dist" / "csv" / "bonuses.csv").read_bytes()

    # the retired id can never come back
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p.code for p in validate(root, ["foreign_countries"]) if p.is_error] == ["retired-id"]


def test_archive_is_deterministic(release_zip, tmp_path, built):
    other = tmp_path / "other"
    shutil.copytree(built, other / "dist")
    made = archive(other)
    path, digest = made.path, made.sha256
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


def test_citation_files_are_valid_and_generated_from_package_yaml(built):
    from pipeline import history
    from pipeline.citation import citation_cff, zenodo_json

    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    latest = history.latest_release(ROOT)
    meta = history.released_metadata(ROOT, latest)  # the release's metadata; schemas/ may have moved on since
    assert meta["version"] == latest
    for path in (ROOT / "CITATION.cff", built / "CITATION.cff"):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    # the release's CITATION.cff and .zenodo.json are what package.yaml gives, never edited by hand
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == citation_cff(meta, meta["version"], released=True)
    assert (ROOT / ".zenodo.json").read_text(encoding="utf-8") == zenodo_json(meta, meta["version"])
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert (zenodo["upload_type"], zenodo["version"], zenodo["license"]) == ("dataset", meta["version"], "cc-by-4.0")
    assert f"version {meta['version']} [data set]" in zenodo["notes"]


def test_the_citation_names_the_identifier_once_known(tmp_path):
    from pipeline.citation import citation_cff, citation_text
    from pipeline.schemas import package_metadata

    meta = package_metadata(ROOT / "schemas") | {"doi": "10.5281/zenodo.1234567"}
    assert "version 1.2.3 [data set]. https://doi.org/10.5281/zenodo.1234567. CC-BY-4.0." in citation_text(meta, "1.2.3")
    assert yaml.safe_load(citation_cff(meta, "1.2.3", True))["doi"] == "10.5281/zenodo.1234567"


def test_retired_ids_are_never_reused(shipped_problems):
    """Every id retired by a release stays out of raw/ (the list is kept in schemas/retired_ids.csv)."""
    assert [text for text in shipped_problems if ": retired-id: " in text] == []


def test_a_row_that_reuses_a_retired_id_is_refused(project):
    with (project / "schemas" / "retired_ids.csv").open("a", encoding="utf-8") as handle:
        handle.write("federal_districts,central,1.0.0,merged into another district\n")
    assert [p.as_text() for p in validate(project, ["federal_districts"]) if p.code == "retired-id"] == [
        "raw/federal_districts.csv:2:1: retired-id: id: 'central' was retired in release 1.0.0 and is never "
        "reused; choose a new id"]


def test_load_reads_a_release_zip(release_zip, built):
    from pipeline import load

    assert load("regions", release_zip).equals(load("regions", built))


def test_a_failed_release_puts_every_file_back(two_versions, tmp_path, monkeypatch):
    import pipeline.release as release_module

    root = copy_versions(two_versions, tmp_path / "repo")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}

    def broken_archive(_root):
        raise OSError("disk full")

    monkeypatch.setattr(release_module, "archive", broken_archive)
    with pytest.raises(OSError):
        release(root, previous=str(two_versions / "v1"), day=date(2026, 12, 1), commit=False)
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "dist" not in p.parts}
    assert after == before


def test_a_version_already_in_the_changelog_is_refused(tmp_path, two_versions):
    root = copy_versions(two_versions, tmp_path / "repo")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [9.0.0] - 2026-01-01\n\nold\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="already has an entry for 9.0.0"):
        release(root, version="9.0.0", previous=str(two_versions / "v1"), commit=False)


def test_validate_refuses_zips_mixed_with_tables(release_zip):
    result = CliRunner().invoke(main, ["validate", str(release_zip), "raw/bonuses.csv"])
    assert result.exit_code == 2 and "either release zips or raw tables" in result.output


def test_the_package_says_how_to_cite_a_version(built):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert f"version {descriptor['version']} [data set]" in descriptor["citation"]
    assert "Cite the version you used" in descriptor["citation"]
