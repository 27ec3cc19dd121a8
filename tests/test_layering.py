"""The layout's promises: `import pipeline` is light, and CI cannot pass while a test that matters was skipped."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT

HEAVY = ("pandas", "great_expectations", "frictionless", "pyarrow")


def imported_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return eval(result.stdout.strip().splitlines()[-1])  # a list literal printed above


def test_import_pipeline_loads_no_build_stack():
    assert imported_after("import pipeline") == []


def test_the_catalogue_schemas_and_type_registry_are_light_too():
    assert imported_after("import pipeline.catalogue, pipeline.schemas, pipeline.fieldtypes") == []


def test_pipeline_load_and_validate_import_on_first_use():
    assert "pandas" in imported_after("import pipeline\nassert callable(pipeline.load)")
    assert imported_after("import pipeline\nfrom pipeline import validate\nassert callable(validate)") != []


def test_the_functions_stay_the_packages_attributes_when_their_modules_load():
    code = ("import pipeline, pipeline.validate, pipeline.build\n"
            "assert pipeline.validate.__name__ == 'validate' and callable(pipeline.validate)\n"
            "assert pipeline.build.__module__ == 'pipeline.build'")
    imported_after(code)


SKIPPING = """
import pytest

def test_needs_a_browser():
    pytest.skip("no browser here")

@pytest.mark.may_skip_in_ci
def test_needs_the_report():
    pytest.skip("no report here")
"""


def run_skipping_tests(tmp_path, require: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_skipping.py").write_text(SKIPPING, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REQUIRE_ALL_TESTS"}
    if require is not None:
        env["REQUIRE_ALL_TESTS"] = require
    env["PYTHONPATH"], env["COLUMNS"] = str(ROOT), "300"  # wide enough for the whole reason
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(tmp_path / "test_skipping.py")],
                          capture_output=True, text=True, cwd=tmp_path, env=env)


def test_a_skip_passes_locally(tmp_path):
    result = run_skipping_tests(tmp_path, None)
    assert result.returncode == 0 and "2 skipped" in result.stdout, result.stdout


def test_a_skip_that_matters_fails_when_all_tests_are_required(tmp_path):
    result = run_skipping_tests(tmp_path, "1")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 skipped" in result.stdout
    assert "REQUIRE_ALL_TESTS=1 makes a skip a failure: no browser here" in result.stdout
