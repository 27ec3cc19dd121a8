"""Release archives: a deterministic zip of dist/, and safe reading of one.

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
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import history
from .problems import PipelineError

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
    partial = path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w") as bundle:
        for name, data in sorted(release_files(root).items()):
            bundle.writestr(_entry(name), data, compresslevel=9)
    digest = sha256_of(partial.read_bytes())
    released = history.is_release_version(version)
    recorded = ((history.release_record(root, version) or {}).get("zip") or {}).get("sha256") if released else None
    if recorded and recorded != digest:
        # The release's data, but not its bytes (the pipeline changed since): never under the release's name.
        path = out / f"{descriptor['name']}-{version}+rebuild.{digest[:10]}.zip"
    partial.replace(path)
    (out / "SHA256SUMS").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return Archive(path, digest, version, released, recorded)


def _safe_member(info: zipfile.ZipInfo) -> PurePosixPath:
    name = PurePosixPath(info.filename)
    if info.filename.startswith(("/", "\\")) or name.is_absolute() or ":" in name.parts[0]:
        raise PipelineError(f"{info.filename}: absolute path in the zip; refusing to extract")
    if ".." in name.parts or "\\" in info.filename:
        raise PipelineError(f"{info.filename}: path leaves the archive folder ('..'); refusing to extract")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise PipelineError(f"{info.filename}: symbolic link in the zip; refusing to extract")
    return name


MAX_RELEASE_BYTES = 2 * 1024**3  # refuse to unpack more than this (a zip bomb)


@contextmanager
def unpacked_release(zip_path: Path):
    """A verified release zip, unpacked into a temporary folder for the `with` block."""
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        yield open_release(Path(zip_path), Path(scratch))


def open_release(zip_path: Path, target: Path) -> Path:
    """Extract a release zip safely into `target` and verify it; return the package folder.

    Refuses absolute paths, `..` and links; checks every file against SHA256SUMS
    and every resource against the hash in datapackage.json, naming any mismatch.
    """
    try:
        bundle = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, FileNotFoundError) as error:
        raise PipelineError(f"{zip_path}: not a readable zip ({error})") from None
    with bundle:
        members = [(info, _safe_member(info)) for info in bundle.infolist() if not info.is_dir()]
        if sum(info.file_size for info, _ in members) > MAX_RELEASE_BYTES:
            raise PipelineError(f"{zip_path}: unpacks to more than {MAX_RELEASE_BYTES} bytes; refusing")
        files = {name.as_posix(): bundle.read(info) for info, name in members}
    files = _without_wrapping_folder(files)
    names = set(files)
    for name in names:
        parents = {str(parent) for parent in PurePosixPath(name).parents}
        if parents & names:
            raise PipelineError(f"{zip_path}: {name} is inside a path that is also a file; refusing to extract")
    try:
        verify_release_files(zip_path.name, files)
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # malformed JSON, text or descriptor
        raise PipelineError(f"{zip_path.name}: malformed release ({type(error).__name__}: {error})") from None
    folder = target / "package"
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def _without_wrapping_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files by their path in the package: releases since 1.1.0 are flat; 1.0.0 wrapped
    everything in one `<name>-<version>/` folder, which is stripped."""
    if "datapackage.json" in files:
        return files
    tops = {PurePosixPath(name).parts[0] for name in files}
    if len(tops) == 1 and all(len(PurePosixPath(name).parts) > 1 for name in files):
        return {PurePosixPath(*PurePosixPath(name).parts[1:]).as_posix(): data for name, data in files.items()}
    return files


def verify_release_files(label: str, files: dict[str, bytes]) -> None:
    if "SHA256SUMS" not in files or "datapackage.json" not in files:
        raise PipelineError(f"{label}: SHA256SUMS or datapackage.json missing; not a release of this project")
    listed = {}
    for line in files["SHA256SUMS"].decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, data in files.items():
        if name == "SHA256SUMS":
            continue
        if name not in listed:
            raise PipelineError(f"{label}: {name} is not listed in SHA256SUMS")
        if sha256_of(data) != listed[name]:
            raise PipelineError(f"{label}: {name} does not match its sha256 in SHA256SUMS (changed after release)")
    missing = sorted(set(listed) - set(files))
    if missing:
        raise PipelineError(f"{label}: listed in SHA256SUMS but missing: {', '.join(missing)}")
    descriptor = json.loads(files["datapackage.json"])
    for resource in descriptor.get("resources", []):
        for key in ("schema", "dialect"):
            if isinstance(resource.get(key), str):
                raise PipelineError(f"{label}: resource {resource.get('name')} refers to a {key} outside "
                                    "datapackage.json; a release carries its schemas inline")
        expected = resource.get("hash", "").removeprefix("sha256:")
        data = files.get(resource["path"])
        if data is None:
            raise PipelineError(f"{label}: resource {resource['name']} ({resource['path']}) is missing")
        if expected and sha256_of(data) != expected:
            raise PipelineError(f"{label}: {resource['path']} does not match its hash in datapackage.json")
