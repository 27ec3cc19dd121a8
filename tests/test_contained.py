"""Nothing outside the package is read or fetched, and contributors' text cannot forge CI output."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from click.testing import CliRunner

from pipeline import validate
from pipeline.cli import main
from pipeline.problems import PipelineError
from pipeline.schemas import table_names

from .conftest import NetworkBlocked, edit_cell

SECRET = "TOKEN-6f1d2c-never-print-me"


def test_a_symlink_in_raw_is_refused_and_its_target_never_read(project, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text((project / "raw" / "bonuses.csv").read_text(encoding="utf-8") + SECRET + "\n", encoding="utf-8")
    (project / "raw" / "bonuses.csv").unlink()
    (project / "raw" / "bonuses.csv").symlink_to(outside)
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "raw/bonuses.csv: symbolic-link: raw/bonuses.csv is a symbolic link; replace it with the file itself (the "
        "pipeline reads only real files inside the repository; the link's target is not read)")
    assert SECRET not in result.output and str(outside) not in result.output
    build = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert build.exit_code == 1 and not (project / "dist").exists()


def test_a_symlinked_schema_or_folder_is_refused(project, tmp_path):
    (tmp_path / "elsewhere.yaml").write_text("title: x\n", encoding="utf-8")
    (project / "schemas" / "bonuses.yaml").unlink()
    (project / "schemas" / "bonuses.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert [p.as_text() for p in validate(project)][0].startswith(
        "schemas/bonuses.yaml: symbolic-link: schemas/bonuses.yaml is a symbolic link")
    (project / "schemas" / "bonuses.yaml").unlink()
    (project / "LICENSES").rename(tmp_path / "LICENSES")
    (project / "LICENSES").symlink_to(tmp_path / "LICENSES")
    assert [p.code for p in validate(project)] == ["symbolic-link"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/tmp/x", "Bonuses", "a/b"])
def test_a_table_name_cannot_lead_out_of_the_repository(project, name):
    path = project / "schemas" / "package.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - indicators\n", f"  - {name!r}\n"), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"is not a table name \(lowercase letters, digits and underscores\)"):
        table_names(project / "schemas")
    result = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert result.exit_code == 1 and "is not a table name" in result.output


@pytest.mark.parametrize("key", ["$schema", "profile"])
def test_a_profile_url_in_package_yaml_is_refused_not_fetched(project, key):
    path = project / "schemas" / "package.yaml"
    path.write_text(f"{key!r}: http://example.org/profile.json\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1
    assert f"'{key}' is set by the build, not here; remove it (no profile is ever fetched from a URL)" in result.output


def test_contributor_text_cannot_forge_a_ci_annotation(project):
    edit_cell(project, "bonuses", 3, "value", "12\n::error file=pipeline/cli.py,line=1::forged")
    for fmt in ("text", "github"):
        result = CliRunner().invoke(main, ["validate", "--root", str(project), "--format", fmt])
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert not any(line.startswith("::error file=pipeline") for line in lines), result.output
        assert any("::error file=pipeline" in line for line in lines)  # shown, escaped, on the problem's own line


def test_the_suite_cannot_reach_the_network_but_loopback_works():
    with pytest.raises(urllib.error.URLError, match="network access in a test: DNS lookup of 'example.org'"):
        urllib.request.urlopen("http://example.org/", timeout=2)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("93.184.215.14", 80), timeout=2)

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=5) as response:
            assert response.read() == b"hello"
    finally:
        thread.join(timeout=5)
        server.server_close()
