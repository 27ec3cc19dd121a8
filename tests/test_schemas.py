"""schemas/ is read strictly (pipeline/schemas.py): a key the model does not know, a value of the wrong kind or a
key given twice is an error with its file, line and column; the folder is read once until a file changes."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from pipeline.problems import PipelineError
from pipeline.schemas import load_schemas, table_schema

PACKAGE = """\
name: tiny
title: A tiny package
title_no: En liten pakke
description: One table.
description_no: Én tabell.
version: 1.0.0
licenses:
  - name: CC-BY-4.0
resources:
  - things
"""
FIELDS = """\
id:
  type: string
  title: Id
  title_no: Id
  description: Stable slug.
  description_no: Stabil slug.
  constraints:
    required: true
"""
THINGS = """\
title: Things
title_no: Ting
description: Some things.
description_no: Noen ting.
fields:
  - name: id
  - name: label
    type: string
    title: Label
    title_no: Navn
    description: What the thing is called.
    description_no: Hva tingen heter.
    constraints:
      minLength: 2
primaryKey: [id]
x-checks:
  fact_key: [label]
"""


def write_schemas(folder: Path, package: str = PACKAGE, fields: str = FIELDS, things: str = THINGS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("package", package), ("fields", fields), ("things", things)):
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def error_of(folder: Path) -> str:
    with pytest.raises(PipelineError) as raised:
        load_schemas(folder)
    return str(raised.value).replace(f"{folder}/", "")


def test_the_fixture_is_valid_and_norwegian_titles_are_allowed(tmp_path):
    schemas = load_schemas(write_schemas(tmp_path))
    assert [f["name"] for f in schemas.resolved["things"]["schema"]["fields"]] == ["id", "label"]
    assert schemas.package["title_no"] == "En liten pakke"


@pytest.mark.parametrize("file, old, new, message", [
    ("things", "      minLength: 2", "      minLenght: 2",
     "things.yaml:14:7: fields item 2: constraints: unknown key 'minLenght'; did you mean 'minLength'?"),
    ("things", "primaryKey: [id]", "primarykey: [id]",
     "things.yaml:15:1: top level: unknown key 'primarykey'; did you mean 'primaryKey'?"),
    ("things", "    title: Label\n", "    title: Label\n    colour: blue\n",
     "things.yaml:10:5: fields item 2: unknown key 'colour'; allowed: name, type, format, title, description, "
     "title_no, description_no, constraints, foreignKey"),
    ("things", "  fact_key: [label]", "  fact_keys: [label]",
     "things.yaml:17:3: x-checks: unknown key 'fact_keys'; did you mean 'fact_key'?"),
    ("fields", "    required: true", "    required: yes please",
     "fields.yaml:8:5: id: constraints: required must be true or false, not 'yes please'"),
    ("fields", "  title: Id\n", "  title: Id\n  title: Identifier\n",
     "fields.yaml:4:3: id: the key 'title' is given twice"),
    ("package", "version: 1.0.0", "versoin: 1.0.0",
     "package.yaml:6:1: top level: unknown key 'versoin'; did you mean 'version'?"),
    ("package", "version: 1.0.0\n", "",
     "package.yaml:1:1: top level: the key 'version' is required"),
    ("package", "  - name: CC-BY-4.0", "  - name: CC-BY-4.0\n    url: https://example.org",
     "package.yaml:9:5: licenses item 1: unknown key 'url'; allowed: name, title, path"),
])
def test_one_defect_one_exact_message(tmp_path, file, old, new, message):
    texts = {"package": PACKAGE, "fields": FIELDS, "things": THINGS}
    assert old in texts[file]
    texts[file] = texts[file].replace(old, new)
    assert error_of(write_schemas(tmp_path, **texts)) == message


def test_a_type_without_an_edition_is_refused(tmp_path):
    folder = write_schemas(tmp_path, things=THINGS.replace("    type: string\n", "    type: bool\n"))
    assert error_of(folder) == ("things.yaml: field 'label' has type 'bool', which the package has no edition for; "
                                "types: string, integer, number, date, boolean (pipeline/fieldtypes.py)")


def test_a_declared_code_may_not_take_a_catalogued_one(tmp_path):
    rule = ("  patterns:\n    - {when: 'label == \"x\"', column: label, regex: '^y', code: surrounding-space,"
            " message: not this}\n")
    assert error_of(write_schemas(tmp_path, things=THINGS + rule)) == (
        "things.yaml: x-checks pattern code 'surrounding-space' is already a code of pipeline/catalogue.py; "
        "give the rule a code of its own")


def test_read_once_until_a_file_changes(tmp_path):
    folder = write_schemas(tmp_path)
    first = load_schemas(folder)
    assert load_schemas(folder) is first
    path = folder / "things.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Some things.", "Other things."), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert load_schemas(folder) is not first
    assert load_schemas(folder).resolved["things"]["description"] == "Other things."


def test_callers_get_copies_they_may_change(tmp_path):
    folder = write_schemas(tmp_path)
    table_schema(folder, "things")["fields"].clear()
    assert len(table_schema(folder, "things")["fields"]) == 2
