"""Reading a release zip that may be hostile: safely, in bounded memory, and verified.

A downloaded zip is untrusted input. Before anything reads it as a package,
every member is checked and streamed to disk in chunks (never whole into
memory), stopping at the first sign of trouble:

- names: no absolute paths, no `..`, no links, no duplicates, no two names that
  differ only by case, no file that is also a folder;
- members: no encryption, no compression other than stored or deflate, no
  member larger than declared or than a sane ratio to its compressed size, and
  limits on the number of members and the unpacked total (zip bombs);
- content: every file against SHA256SUMS, every resource against its hash in
  datapackage.json, and a descriptor that refers to nothing outside itself (no
  schema or dialect by path or URL, no compressed resources, no profile other
  than the one this project writes).

Every refusal is a PipelineError naming the zip and the member.
"""

from __future__ import annotations

import hashlib
import json
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .problems import PipelineError

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 256 * 1024**2
MAX_TOTAL_BYTES = 512 * 1024**2
MAX_RATIO = 200  # unpacked / packed; this project's files stay far below it
RATIO_FLOOR = 1024**2  # small members may compress well without being suspect
MAX_METADATA_BYTES = 64 * 1024**2  # datapackage.json and SHA256SUMS are read into memory
CHUNK = 1024**2
SUPPORTED = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
# The only profile this project's packages declare; nothing else is ever fetched or trusted.
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_KEYS_REFUSED = ("compression", "innerpath", "profile", "$schema")


def _refuse(zip_path: Path, message: str) -> PipelineError:
    return PipelineError(f"{zip_path}: {message}")


def member_name(zip_path: Path, info: zipfile.ZipInfo) -> PurePosixPath:
    """The member's path, if it is safe to create; else a refusal naming it."""
    name = PurePosixPath(info.filename)
    if info.filename.startswith(("/", "\\")) or name.is_absolute() or (name.parts and ":" in name.parts[0]):
        raise _refuse(zip_path, f"{info.filename}: absolute path in the zip; refusing to extract")
    if ".." in name.parts or "\\" in info.filename:
        raise _refuse(zip_path, f"{info.filename}: path leaves the archive folder ('..'); refusing to extract")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(zip_path, f"{info.filename}: symbolic link in the zip; refusing to extract")
    if info.flag_bits & 0x1:
        raise _refuse(zip_path, f"{info.filename}: encrypted member; a release is never encrypted")
    if info.compress_type not in SUPPORTED:
        raise _refuse(zip_path, f"{info.filename}: compression method {info.compress_type} is not stored or "
                                "deflate; refusing to extract")
    return name


def package_paths(zip_path: Path, names: list[PurePosixPath]) -> list[str]:
    """Each member's path inside the package: releases since 1.1.0 are flat; 1.0.0 wrapped
    everything in one `<name>-<version>/` folder, which is stripped."""
    flat = [n.as_posix() for n in names]
    if "datapackage.json" not in flat and names and all(len(n.parts) > 1 for n in names) \
            and len({n.parts[0] for n in names}) == 1:
        flat = [PurePosixPath(*n.parts[1:]).as_posix() for n in names]
    seen: dict[str, str] = {}
    for path in flat:
        folded = path.casefold()
        if folded in seen:
            same = "twice" if seen[folded] == path else f"and {seen[folded]} (names that differ only by case)"
            raise _refuse(zip_path, f"{path}: in the zip {same}; refusing to extract")
        seen[folded] = path
    folders = {str(parent).casefold() for path in flat for parent in PurePosixPath(path).parents}
    for path in flat:
        if path.casefold() in folders:
            raise _refuse(zip_path, f"{path} is inside a path that is also a file; refusing to extract")
    return flat


def _stream(zip_path: Path, bundle: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> str:
    """Copy one member to `target` in chunks, refusing it as soon as it grows past its limits; return its sha256."""
    limit = min(info.file_size, MAX_MEMBER_BYTES)
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with bundle.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _refuse(zip_path, f"{info.filename}: unpacks to more than its declared {info.file_size} "
                                            "bytes (or the limit); refusing (a zip bomb?)")
                if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                    raise _refuse(zip_path, f"{info.filename}: unpacks to over {MAX_RATIO} times its packed size; "
                                            "refusing (a zip bomb?)")
                digest.update(chunk)
                sink.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise _refuse(zip_path, f"{info.filename}: corrupt member ({error})") from None
    except NotImplementedError as error:
        raise _refuse(zip_path, f"{info.filename}: cannot be unpacked ({error})") from None
    except RuntimeError as error:  # encrypted members that hid their flag
        raise _refuse(zip_path, f"{info.filename}: cannot be unpacked ({error})") from None
    return digest.hexdigest()


def open_release(zip_path: Path, target: Path) -> Path:
    """Extract a release zip safely into `target`/package and verify it; return that folder."""
    zip_path = Path(zip_path)
    if zip_path.is_dir():
        raise _refuse(zip_path, "a folder, not a zip file")
    try:
        bundle = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise _refuse(zip_path, f"not a readable zip ({error})") from None
    folder = Path(target) / "package"
    with bundle:
        infos = [info for info in bundle.infolist() if not info.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise _refuse(zip_path, f"{len(infos)} members, more than a release has ({MAX_MEMBERS}); refusing")
        names = [member_name(zip_path, info) for info in infos]
        paths = package_paths(zip_path, names)
        declared = sum(info.file_size for info in infos)
        if declared > MAX_TOTAL_BYTES:
            raise _refuse(zip_path, f"unpacks to {declared} bytes, more than {MAX_TOTAL_BYTES}; refusing")
        hashes = {}
        total = 0
        for info, path in zip(infos, paths):
            hashes[path] = _stream(zip_path, bundle, info, folder / path)
            total += (folder / path).stat().st_size
            if total > MAX_TOTAL_BYTES:
                raise _refuse(zip_path, f"unpacks to more than {MAX_TOTAL_BYTES} bytes; refusing")
    verify_package(zip_path, folder, hashes)
    return folder


@contextmanager
def unpacked_release(zip_path: Path):
    """A verified release zip, unpacked into a temporary folder for the `with` block."""
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        yield open_release(Path(zip_path), Path(scratch))


def _metadata(zip_path: Path, folder: Path, name: str, hashes: dict[str, str]) -> bytes:
    if name not in hashes:
        raise _refuse(zip_path, f"{name} missing; not a release of this project")
    path = folder / name
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise _refuse(zip_path, f"{name}: larger than {MAX_METADATA_BYTES} bytes; refusing")
    return path.read_bytes()


def _descriptor(zip_path: Path, data: bytes) -> dict:
    try:
        descriptor = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise _refuse(zip_path, f"datapackage.json: not valid JSON ({type(error).__name__})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise _refuse(zip_path, "datapackage.json: not a data package descriptor")
    return descriptor


def verify_package(zip_path: Path, folder: Path, hashes: dict[str, str]) -> None:
    """Every file against SHA256SUMS, every resource against datapackage.json; nothing refers outside."""
    try:
        sums = _metadata(zip_path, folder, "SHA256SUMS", hashes).decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(zip_path, "SHA256SUMS: not UTF-8 text") from None
    listed = {}
    for line in sums.splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, digest in sorted(hashes.items()):
        if name == "SHA256SUMS":
            continue
        if name not in listed:
            raise _refuse(zip_path, f"{name} is not listed in SHA256SUMS")
        if digest != listed[name]:
            raise _refuse(zip_path, f"{name} does not match its sha256 in SHA256SUMS (changed after release)")
    missing = sorted(set(listed) - set(hashes))
    if missing:
        raise _refuse(zip_path, f"listed in SHA256SUMS but missing: {', '.join(missing)}")
    descriptor = _descriptor(zip_path, _metadata(zip_path, folder, "datapackage.json", hashes))
    for key in ("$schema", "profile"):
        if key in descriptor and descriptor[key] != PACKAGE_PROFILE:
            raise _refuse(zip_path, f"datapackage.json: {key} {str(descriptor[key])[:200]!r} is not the profile "
                                    f"this project writes ({PACKAGE_PROFILE}); nothing else is fetched or trusted")
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            raise _refuse(zip_path, "datapackage.json: a resource without a path")
        label = resource.get("name", resource["path"])
        for key in ("schema", "dialect"):
            if key in resource and not isinstance(resource[key], dict):
                raise _refuse(zip_path, f"resource {label} refers to a {key} outside datapackage.json; "
                                        "a release carries its schemas inline")
        for key in RESOURCE_KEYS_REFUSED:
            if key in resource:
                raise _refuse(zip_path, f"resource {label}: {key!r} is not something this project writes; refusing")
        path = resource["path"]
        if path not in hashes:
            raise _refuse(zip_path, f"resource {label} ({path}) is missing")
        expected = str(resource.get("hash", "")).removeprefix("sha256:")
        if expected and hashes[path] != expected:
            raise _refuse(zip_path, f"{path} does not match its hash in datapackage.json")
