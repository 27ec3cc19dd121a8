"""Shared fixtures: a throw-away copy of the project, and one build of the shipped data."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from pipeline import build

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT.parent / "shared" / "sources" / "000_e8e03fc529c28da8.txt"


BUILD_INPUTS = ("raw", "schemas", "releases", "LICENSES")


LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}


class NetworkBlocked(OSError):
    """Raised when code under test tries to reach anything but this machine."""


def _is_local(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host in LOOPBACK_HOSTS or host.startswith("127."))


def block_network() -> None:
    """No test may reach the network: only loopback (the servers a test starts itself) and Unix sockets."""
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self, address, *args):
        if self.family == getattr(socket, "AF_UNIX", None) or _is_local(address):
            return real_connect(self, address, *args)
        raise NetworkBlocked(f"network access in a test: connect to {address!r}")

    def connect_ex(self, address, *args):
        if self.family == getattr(socket, "AF_UNIX", None) or _is_local(address):
            return real_connect_ex(self, address, *args)
        raise NetworkBlocked(f"network access in a test: connect to {address!r}")

    def getaddrinfo(host, *args, **kwargs):
        if host is None or _is_local((host if isinstance(host, str) else host.decode(),)):
            return real_getaddrinfo(host, *args, **kwargs)
        raise NetworkBlocked(f"network access in a test: DNS lookup of {host!r}")

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo


def pytest_configure(config):
    block_network()
    config.addinivalue_line("markers", "may_skip_in_ci: a skip of this test is expected in CI (REQUIRE_ALL_TESTS)")


SHARE_ID = re.compile(r"\[share-\d+-of-\d+\]$")


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: without it (-p no:xdist) nothing to do
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with one exception: a test parametrized into shares (ids `share-I-of-N`, the browser test)
    sends each share to whichever worker is free, so that the workers share it. Every other file's tests run on
    one worker, so that its module fixtures are made once."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadFileOrShare(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if SHARE_ID.search(nodeid) else nodeid.split("::", 1)[0]

    return LoadFileOrShare(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With REQUIRE_ALL_TESTS=1 (set by .ci/run) a skipped test fails, unless marked may_skip_in_ci: CI must not
    show green while the browser, LibreOffice or signature tests did not run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("REQUIRE_ALL_TESTS") == "1" and not item.get_closest_marker("may_skip_in_ci"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped, and REQUIRE_ALL_TESTS=1 makes a skip a failure: {reason}"


def copy_project(target: Path) -> Path:
    """Copy the build's inputs (raw/, schemas/, the release records and the licence texts) into `target`."""
    for folder in BUILD_INPUTS:
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of raw/ and schemas/ that a test may break."""
    return copy_project(tmp_path / "project")


@contextlib.contextmanager
def made_once(tmp_path_factory, name: str):
    """A folder `name` that the pytest-xdist workers of one run share (this process's own without xdist), held
    under a lock: yields (folder, whether it is still empty); the first to enter fills it, the others find it made."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # basetemp/popen-gw0 -> basetemp, the run's own folder
    folder, done = base / name, base / f"{name}.done"
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            yield folder, True
            done.touch()
        else:
            yield folder, False


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """dist/ freshly built from the shipped raw/ and schemas/ (built once per run, shared by the xdist workers:
    no test may change it)."""
    with made_once(tmp_path_factory, "built") as (root, empty):
        if empty:
            build(copy_project(root))
    return root / "dist"


@pytest.fixture(scope="session")
def release_zip(tmp_path_factory, built) -> Path:
    """The zip `archive` makes of the session's build (made once per run, shared by the xdist workers: no test may
    change it; copy it first)."""
    with made_once(tmp_path_factory, "archive") as (root, empty):
        if empty:
            from pipeline.archive import archive

            shutil.copytree(built, root / "dist")
            archive(root)
    [path] = (root / "build" / "release").glob("*.zip")
    return path


@pytest.fixture(scope="session")
def shipped_problems(tmp_path_factory) -> tuple[str, ...]:
    """What validate says about the shipped raw/ and schemas/ (warnings only, if the data is valid), as text
    (validated once per run): the baseline against which a test's edit shows its new problems."""
    with made_once(tmp_path_factory, "shipped") as (root, empty):
        if empty:
            from pipeline import validate

            problems = [problem.as_text() for problem in validate(copy_project(root / "project"))]
            (root / "problems.json").write_text(json.dumps(problems), encoding="utf-8")
    return tuple(json.loads((root / "problems.json").read_text(encoding="utf-8")))


@pytest.fixture
def built_project(project: Path, built: Path) -> Path:
    """A copy of the project with the dist/ a build of it writes (copied from the session's one build:
    the same inputs give byte-identical files), for tests that need a previous dist/."""
    shutil.copytree(built, project / "dist")
    return project


def text_problems(root: Path, table: str) -> list:
    """What validate finds by reading one table's text (cell counts, hygiene, privacy), without the
    frictionless and Great Expectations passes: for tests of one cell's check."""
    from pipeline.privacy import read_public_persons
    from pipeline.schemas import table_schema
    from pipeline.validate import read_raw_table

    public, _ = read_public_persons(root)
    return read_raw_table(root, table, table_schema(root / "schemas", table), public).problems


def edit_cell(root: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell of raw/<table>.csv (line as an editor counts it, header is line 1)."""
    import csv
    import io

    path = root / "raw" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    index = rows[0].index(column)
    rows[line - 1][index] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def line_of(root: Path, table: str, row_id: str) -> int:
    """The line (as an editor counts it) of the row with this id in raw/<table>.csv."""
    import csv
    import io

    text = (root / "raw" / f"{table}.csv").read_text(encoding="utf-8")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if row[0] == row_id:
            return number
    raise LookupError(row_id)


def copy_row(root: Path, table: str, row_id: str, new_id: str) -> tuple[int, int]:
    """Append a copy of a row of raw/<table>.csv under a new id; (line of the row, line of the copy)."""
    path = root / "raw" / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = line_of(root, table, row_id)
    lines.append(lines[line - 1].replace(f"{row_id},", f"{new_id},", 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return line, len(lines)


def header_of(root: Path, table: str) -> list[str]:
    """The column names of raw/<table>.csv."""
    return (root / "raw" / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
