"""Release archives: a deterministic zip of dist/, and the check of one (`validate_release`; unpack.py reads it safely).

The zip holds every file of dist/ at its top level (datapackage.json,
README.md, LICENSE, CITATION.cff, the tables, the editions, and for a
release its changes.csv), plus a SHA256SUMS of those files; no wrapping
folder, so `frictionless validate <zip>` and `frictionless.Package(<zip>)`
read it as a package. Entries are sorted, timestamps and permissions fixed,
compression fixed (deflate, level 9), so the same dist/ gives the same bytes.
Beside the zip, build/release/SHA256SUMS holds the zip's own hash.

The zip is named after the version dist/ carries: a release's number only
when dist/ holds exactly that release's data, else `<version>+dev.<hash>`
(see history.py), so a version names one thing.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import catalogue, history
from .problems import PipelineError, Problem
from .unpack import unpacked_release

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256sums(files: dict[str, bytes]) -> bytes:
    """A SHA256SUMS file (`sha256sum -c` reads it) of these files."""
    return "".join(f"{sha256_of(data)}  {name}\n" for name, data in sorted(files.items())).encode()


def release_files(root: Path) -> dict[str, bytes]:
    """Every file that goes into the zip, by its path in the zip."""
    dist = root / "dist"
    files = {}
    for path in sorted(dist.rglob("*")):
        if path.is_symlink():
            raise PipelineError(f"{path}: a symbolic link in dist/; refusing to archive it")
        if path.is_file():
            files[path.relative_to(dist).as_posix()] = path.read_bytes()
    files["SHA256SUMS"] = sha256sums(files)
    return files


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the permissions below mean the same everywhere
    info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
    return info


@dataclass
class Archive:
    path: Path
    sha256: str
    version: str
    released: bool  # dist/ holds exactly the release its version names
    recorded_sha256: str | None  # the sha256 recorded when that release was cut


def archive(root: Path | str = ".") -> Archive:
    """Pack dist/ as build/release/<name>-<version>.zip with SHA256SUMS."""
    root = Path(root)
    try:
        descriptor = json.loads((root / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError("dist/datapackage.json not found; run `make build` first") from None
    version = descriptor["version"]
    out = root / "build" / "release"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{descriptor['name']}-{version}.zip"
    for stale in out.glob("*.zip.partial"):  # left by an archive that was killed
        stale.unlink()
    partial = path.with_suffix(".zip.partial")
    try:
        with zipfile.ZipFile(partial, "w") as bundle:
            for name, data in sorted(release_files(root).items()):
                bundle.writestr(_entry(name), data, compresslevel=9)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest = sha256_of(partial.read_bytes())
    released = history.is_release_version(version)
    recorded = ((history.release_record(root, version) or {}).get("zip") or {}).get("sha256") if released else None
    if recorded and recorded != digest:
        # The release's data, but not its bytes (the pipeline changed since): never under the release's name.
        path = out / f"{descriptor['name']}-{version}+rebuild.{digest[:10]}.zip"
    partial.replace(path)
    (out / "SHA256SUMS").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return Archive(path, digest, version, released, recorded)


def validate_release(zip_path: Path | str) -> list[Problem]:
    """Problems in a release zip: integrity first (paths, SHA256SUMS, hashes), then the package itself.

    Frictionless runs in its untrusted mode here: a release cannot make it read
    files outside the zip or fetch anything.
    """
    from frictionless import Package

    zip_path = Path(zip_path)
    try:
        with unpacked_release(zip_path) as folder:
            report = Package(str(folder / "datapackage.json")).validate()
    except PipelineError as error:
        return [Problem(str(zip_path), 0, 0, catalogue.RELEASE_INTEGRITY, str(error).removeprefix(f"{zip_path}: "))]
    problems = []
    for task in report.tasks:
        place = f"{zip_path}:{task.place}"
        for error in task.errors:
            problems.append(Problem(place, getattr(error, "row_number", None) or 0,
                                    getattr(error, "field_number", None) or 0, catalogue.RELEASE_PACKAGE,
                                    f"{error.type}: {error.message}"))
    return sorted(problems)
