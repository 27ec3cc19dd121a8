"""Hostile release zips: every refusal is exit 1 naming the zip and the member, memory stays bounded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive import sha256_of, sha256sums
from pipeline.cli import main
from pipeline.problems import PipelineError
from pipeline.unpack import open_release

from .conftest import ROOT


def files_of(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as bundle:
        return {info.filename: bundle.read(info) for info in bundle.infolist()}


def write_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], resum: bool = False,
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip of these entries (in order); with resum, SHA256SUMS is rewritten to match them."""
    if resum:
        plain = {(e if isinstance(e, str) else e.filename): d for e, d in entries if e != "SHA256SUMS"}
        entries = [(e, d) for e, d in entries if e != "SHA256SUMS"] + [("SHA256SUMS", sha256sums(plain))]
    with zipfile.ZipFile(path, "w", compression=compression) as bundle:
        for entry, data in entries:
            bundle.writestr(entry, data)
    return path


def refused(zip_path: Path, tmp_path: Path) -> str:
    """The refusal of a zip, through the library and through the CLI (exit 1, no traceback)."""
    with pytest.raises(PipelineError) as error:
        open_release(zip_path, tmp_path / "out")
    result = CliRunner().invoke(main, ["validate", str(zip_path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "bug in the pipeline" not in result.output
    message = str(error.value)
    assert message.startswith(f"{zip_path}: ")
    return message.removeprefix(f"{zip_path}: ")


def test_duplicate_names_are_refused(release_zip, tmp_path):
    entries = list(files_of(release_zip).items())
    bad = write_zip(tmp_path / "dup.zip", entries + [("README.md", b"a second README")])
    assert refused(bad, tmp_path) == "README.md: in the zip twice; refusing to extract"


def test_names_that_collide_by_case_are_refused(release_zip, tmp_path):
    entries = list(files_of(release_zip).items())
    bad = write_zip(tmp_path / "case.zip", entries + [("readme.md", b"another")], resum=True)
    assert refused(bad, tmp_path) == "readme.md: in the zip and README.md (names that differ only by case); " \
                                     "refusing to extract"


def test_encrypted_members_are_refused(release_zip, tmp_path):
    bad = tmp_path / "enc.zip"
    shutil.copy(release_zip, bad)
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as bundle:
        info = bundle.getinfo("LICENSE")
    data[info.header_offset + 6] |= 0x1  # the "encrypted" flag, in the local header
    central = data.index(b"PK\x01\x02" + data[data.index(b"PK\x01\x02") + 4:][:2])  # first central header
    while data[central + 46:central + 46 + len("LICENSE")] != b"LICENSE":
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1  # and in the central directory
    bad.write_bytes(bytes(data))
    assert refused(bad, tmp_path) == "LICENSE: encrypted member; a release is never encrypted"


def test_unknown_compression_is_refused(release_zip, tmp_path):
    bad = write_zip(tmp_path / "bz.zip", list(files_of(release_zip).items()), compression=zipfile.ZIP_BZIP2)
    assert refused(bad, tmp_path).endswith("compression method 12 is not stored or deflate; refusing to extract")


def test_a_corrupt_member_is_named(release_zip, tmp_path):
    data = bytearray(release_zip.read_bytes())
    with zipfile.ZipFile(release_zip) as bundle:
        info = bundle.getinfo("csv/regions.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for at in range(start + 10, start + 40):
        data[at] ^= 0xFF
    bad = tmp_path / "corrupt.zip"
    bad.write_bytes(bytes(data))
    assert refused(bad, tmp_path).startswith("csv/regions.csv: corrupt member (")
    from pipeline import load

    with pytest.raises(PipelineError, match="csv/regions.csv: corrupt member"):
        load("regions", bad)


def bomb(path: Path, size: int, declared: int | None = None) -> Path:
    """A zip whose one extra member is `size` zero bytes (declared as `declared` in its headers)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024**2)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    if declared is not None:  # lie about the size, in the local and the central header
        data = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as bundle:
            info = bundle.getinfo("zeros.bin")
        central = data.rindex(b"PK\x01\x02")
        data[central + 24:central + 28] = declared.to_bytes(4, "little")
        data[info.header_offset + 22:info.header_offset + 26] = declared.to_bytes(4, "little")
        path.write_bytes(bytes(data))
    return path


def test_a_zip_bomb_is_stopped_early(tmp_path):
    bad = bomb(tmp_path / "bomb.zip", 400 * 1024**2)
    assert refused(bad, tmp_path) == "zeros.bin: unpacks to over 200 times its packed size; refusing (a zip bomb?)"
    assert sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()) < 300 * 1024**2


def test_a_member_that_lies_about_its_size_is_stopped(tmp_path):
    bad = bomb(tmp_path / "liar.zip", 8 * 1024**2, declared=1000)
    assert refused(bad, tmp_path).startswith("zeros.bin: ")


def test_unpacking_any_zip_stays_under_300_mb(tmp_path):
    bad = bomb(tmp_path / "bomb.zip", 1024**3, declared=500 * 1024**2)  # 1 GiB that says it is 500 MiB
    code = ("import resource, sys\nfrom pathlib import Path\nfrom pipeline.unpack import open_release\n"
            "from pipeline.problems import PipelineError\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    open_release(Path(sys.argv[1]), Path(sys.argv[2]))\nexcept PipelineError as e:\n    print(e)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    result = subprocess.run([sys.executable, "-c", code, str(bad), str(tmp_path / "out")], capture_output=True,
                            text=True, cwd=ROOT, check=True)
    message, grown_kib = result.stdout.splitlines()
    assert message.endswith("refusing (a zip bomb?)")
    # what unpacking adds to the process (importing the pipeline itself is measured by the benchmarks)
    assert int(grown_kib) < 300 * 1024, f"unpacking grew the process by {int(grown_kib) // 1024} MB"


def resigned(release_zip: Path, path: Path, change) -> Path:
    """The good zip with datapackage.json changed and every checksum made to match (a consistent forgery)."""
    files = files_of(release_zip)
    descriptor = json.loads(files["datapackage.json"])
    files["datapackage.json"] = change(descriptor)
    return write_zip(path, list(files.items()), resum=True)


def test_a_compressed_resource_is_refused(release_zip, tmp_path):
    def compress(descriptor):
        descriptor["resources"][0]["compression"] = "zip"
        return json.dumps(descriptor).encode()

    bad = resigned(release_zip, tmp_path / "compressed.zip", compress)
    assert refused(bad, tmp_path) == "resource sources: 'compression' is not something this project writes; refusing"


def test_a_foreign_profile_is_refused_and_never_fetched(release_zip, tmp_path):
    def profile(descriptor):
        descriptor["$schema"] = "http://example.org/evil-profile.json"
        return json.dumps(descriptor).encode()

    bad = resigned(release_zip, tmp_path / "profile.zip", profile)
    assert refused(bad, tmp_path) == ("datapackage.json: $schema 'http://example.org/evil-profile.json' is not the "
                                      "profile this project writes (https://datapackage.org/profiles/2.0/"
                                      "datapackage.json); nothing else is fetched or trusted")


def test_deeply_nested_json_is_refused(release_zip, tmp_path):
    bad = resigned(release_zip, tmp_path / "deep.zip", lambda d: b"[" * 200_000 + b"]" * 200_000)
    assert refused(bad, tmp_path) == "datapackage.json: not valid JSON (RecursionError)"


def test_a_folder_given_as_the_zip_is_refused(tmp_path):
    folder = tmp_path / "not-a.zip"
    folder.mkdir()
    assert refused(folder, tmp_path) == "a folder, not a zip file"


def test_a_release_of_the_old_layout_still_opens(release_zip, tmp_path):
    wrapped = write_zip(tmp_path / "old.zip", [(f"russia-war-recruitment-1.0.0/{n}", d)
                                               for n, d in files_of(release_zip).items()])
    folder = open_release(wrapped, tmp_path / "out")
    assert sha256_of((folder / "datapackage.json").read_bytes()) == sha256_of(files_of(release_zip)["datapackage.json"])
