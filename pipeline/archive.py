"""Release archives: a deterministic zip of dist/, and safe reading of one.

The zip holds `<name>-<version>/` with every file of dist/, the release's
changes.csv (when `release` wrote one), CITATION.cff and a SHA256SUMS of its
files. Entries are sorted, timestamps and permissions fixed, compression fixed
(deflate, level 9), so the same inputs give the same bytes. Beside the zip,
build/release/SHA256SUMS holds the zip's own hash.
"""

from __future__ import annotations

import hashlib
import json
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .problems import PipelineError

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def release_files(root: Path) -> dict[str, bytes]:
    """Every file that goes into the release, by its path inside the package folder."""
    dist = root / "dist"
    descriptor = json.loads((dist / "datapackage.json").read_text(encoding="utf-8"))
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}
    changes = root / "releases" / descriptor["version"] / "changes.csv"
    if changes.is_file():
        files["changes.csv"] = changes.read_bytes()
    if (root / "CITATION.cff").is_file():
        files["CITATION.cff"] = (root / "CITATION.cff").read_bytes()
    files["SHA256SUMS"] = "".join(f"{sha256_of(data)}  {name}\n" for name, data in sorted(files.items())).encode()
    return files


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the permissions below mean the same everywhere
    info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
    return info


def archive(root: Path | str = ".") -> tuple[Path, str]:
    """Pack dist/ as build/release/<name>-<version>.zip with SHA256SUMS; return the zip and its sha256."""
    root = Path(root)
    try:
        descriptor = json.loads((root / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError("dist/datapackage.json not found; run `make build` first") from None
    folder = f"{descriptor['name']}-{descriptor['version']}"
    out = root / "build" / "release"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{folder}.zip"
    partial = path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w") as bundle:
        for name, data in sorted(release_files(root).items()):
            bundle.writestr(_entry(f"{folder}/{name}"), data, compresslevel=9)
    partial.replace(path)
    digest = sha256_of(path.read_bytes())
    (out / "SHA256SUMS").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return path, digest


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
        tops = {name.parts[0] for _, name in members}
        if len(tops) != 1:
            raise PipelineError(f"{zip_path}: expected one top folder, found {sorted(tops)}")
        files = {PurePosixPath(*name.parts[1:]).as_posix(): bundle.read(info) for info, name in members}
    names = set(files)
    for name in names:
        parents = {str(parent) for parent in PurePosixPath(name).parents}
        if parents & names:
            raise PipelineError(f"{zip_path}: {name} is inside a path that is also a file; refusing to extract")
    try:
        verify_release_files(zip_path.name, files)
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # malformed JSON, text or descriptor
        raise PipelineError(f"{zip_path.name}: malformed release ({type(error).__name__}: {error})") from None
    folder = target / tops.pop()
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


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
