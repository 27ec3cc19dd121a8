"""The committed record of past releases, under `releases/<version>/`.

Tags are welcome but never needed: everything needed to recognise, compare
with and check a release travels with every clone.

    releases/<version>/release.json   version, date, fingerprint, the zip's name, size and sha256
    releases/<version>/changes.csv    what changed since the previous release (with reasons)
    releases/<version>/package.yaml   schemas/package.yaml as released (CITATION.cff and .zenodo.json come from it)
    releases/<version>/snapshot/      datapackage.json (CSV resources only) and csv/*.csv

The fingerprint is the sha256 of every table's CSV bytes and schema: two
builds with the same fingerprint hold the same data under the same schemas.
A build whose fingerprint is not its version's is not that release, and gets
the version `<version>+dev.<fingerprint prefix>`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .problems import PipelineError

RELEASES = "releases"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")  # canonical: no leading zeros
DEV_MARK = "+dev."


def parse_version(text: str) -> tuple[int, int, int]:
    match = SEMVER.fullmatch(str(text).strip())
    if not match:
        raise PipelineError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH, no leading zeros, e.g. 1.2.0)")
    return tuple(int(part) for part in match.groups())


def fingerprint(csv_resources: list[dict]) -> str:
    """sha256 over each table's name, CSV hash and schema (the data and its shape, not the version)."""
    parts = [[r["name"], r["hash"], r["schema"]] for r in sorted(csv_resources, key=lambda r: r["name"])]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def release_folder(root: Path, version: str) -> Path:
    return Path(root) / RELEASES / version


def released_metadata(root: Path, version: str) -> dict:
    """schemas/package.yaml as it was when `version` was released."""
    from .schemas import read_yaml

    return read_yaml(release_folder(root, version) / "package.yaml")


def release_record(root: Path, version: str) -> dict | None:
    """releases/<version>/release.json, or None when that version was never released."""
    path = release_folder(root, version) / "release.json"
    if not path.is_file() or path.is_symlink():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise PipelineError(f"{path}: not valid JSON ({error})") from None


def released_versions(root: Path) -> list[str]:
    """Every version with a release record, oldest first."""
    folder = Path(root) / RELEASES
    if not folder.is_dir():
        return []
    versions = [p.name for p in folder.iterdir() if SEMVER.fullmatch(p.name) and (p / "release.json").is_file()]
    return sorted(versions, key=parse_version)


def latest_release(root: Path) -> str | None:
    versions = released_versions(root)
    return versions[-1] if versions else None


def built_version(root: Path, version: str, data_fingerprint: str) -> tuple[str, bool]:
    """The version a build carries, and whether it is the release itself.

    The release when its record's fingerprint matches; otherwise a development
    version that cannot be mistaken for it.
    """
    record = release_record(root, version)
    if record and record.get("fingerprint") == data_fingerprint:
        return version, True
    return f"{version}{DEV_MARK}{data_fingerprint[:10]}", False


def is_release_version(version: str) -> bool:
    return DEV_MARK not in version


def snapshot_descriptor(descriptor: dict) -> dict:
    """The part of a datapackage.json the diff needs: name, version and the CSV resources with their schemas."""
    keep = ("name", "path", "format", "hash", "schema")
    return {"name": descriptor["name"], "version": descriptor["version"],
            "resources": [{k: r[k] for k in keep if k in r} for r in descriptor["resources"]
                          if r.get("format") == "csv"]}


def snapshot_files(dist: Path, version: str | None = None) -> dict[str, bytes]:
    """The files of a compact snapshot of a built package (as `version`), by path inside snapshot/."""
    descriptor = json.loads((Path(dist) / "datapackage.json").read_text(encoding="utf-8"))
    compact = snapshot_descriptor(descriptor)
    if version:
        compact["version"] = version
    files = {"datapackage.json": (json.dumps(compact, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    for resource in compact["resources"]:
        files[resource["path"]] = (Path(dist) / resource["path"]).read_bytes()
    return files


def record_json(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"
