"""Read `schemas/`: package metadata, shared fields and table schemas, strictly, once per run.

`schemas/` is the single source of truth for the shape of every table. A table
schema lists its fields; an entry that names a field of `schemas/fields.yaml`
takes that shared definition, with any keys it gives merged on top. The
`foreignKey` of a shared field becomes a foreignKeys entry of the table.

Every file is checked against a model of what it may contain (`PACKAGE`,
`FIELD`, `TABLE` below): an unknown or misspelt key (`minLenght`), a value of
the wrong kind or a key given twice is an error with its file, line and column.
The folder is read and resolved once; `load_schemas` gives the same result until
a file in it changes.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .contained import checked_table_name
from .problems import PipelineError

FIELD_KEY_ORDER = ("name", "type", "format", "title", "title_no", "description", "description_no", "constraints")
# What every field, table and the package says about itself, in English and in Norwegian bokmål.
TEXT_KEYS = ("title", "description", "title_no", "description_no")
# The keys of (title, description) in each language.
LANGUAGE_KEYS = {"en": ("title", "description"), "no": ("title_no", "description_no")}
# Set by the build to the one profile this project writes; never taken from a contributor (it would be fetched).
REFUSED_PACKAGE_KEYS = ("$schema", "profile")


# The model. A spec is a kind ("text", "flag", "number", "integer", "any"), a list [spec] of items, a
# mapping {key: spec} whose keys marked by `REQUIRED` must be given, or `FREE` (a mapping of any keys to a spec).
TEXT, FLAG, NUMBER, INTEGER, ANY = "text", "flag", "number", "integer", "any"


@dataclass(frozen=True)
class Free:
    """A mapping whose keys are names (of fields, of columns), each with a value of `spec`."""

    spec: object


@dataclass(frozen=True)
class Required:
    spec: object


TITLES = {"title": TEXT, "description": TEXT, "title_no": TEXT, "description_no": TEXT}
CONSTRAINTS = {"required": FLAG, "unique": FLAG, "enum": [ANY], "pattern": TEXT, "minimum": NUMBER,
               "maximum": NUMBER, "exclusiveMinimum": NUMBER, "exclusiveMaximum": NUMBER,
               "minLength": INTEGER, "maxLength": INTEGER}
FIELD = {"name": TEXT, "type": TEXT, "format": TEXT, **TITLES, "constraints": CONSTRAINTS,
         "foreignKey": {"resource": Required(TEXT), "field": Required(TEXT)}}
X_CHECKS = {
    "dated_figures": FLAG,
    "earliest_date": Free(TEXT),
    "fact_key": [TEXT],
    "units": [{"when": Required(TEXT), "allowed": Required([TEXT])}],
    "subdivision_codes": TEXT,
    "patterns": [{"when": Required(TEXT), "column": Required(TEXT), "regex": Required(TEXT),
                  "code": Required(TEXT), "message": Required(TEXT)}],
    "used_by_rows": FLAG,
}
TABLE = {**{key: Required(TEXT) for key in TITLES},
         "fields": Required([{**FIELD, "name": Required(TEXT)}]), "primaryKey": Required([TEXT]),
         "x-checks": X_CHECKS}
PACKAGE = {
    "name": Required(TEXT), **{key: Required(TEXT) for key in TITLES}, "version": Required(TEXT), "created": TEXT,
    "citation": TEXT, "doi": TEXT,
    "url": TEXT, "founding_report": {"title": TEXT, "author": TEXT, "language": TEXT},
    "licenses": [{"name": Required(TEXT), "title": TEXT, "path": TEXT}],
    "contributors": [{"title": Required(TEXT), "role": TEXT, "email": TEXT, "path": TEXT, "organization": TEXT}],
    "keywords": [TEXT], "sources": [{"title": Required(TEXT), "description": TEXT, "path": TEXT}],
    "resources": Required([TEXT]),
}
FIELDS = Free(FIELD)


class Located(dict):
    """A YAML mapping that remembers where each key is (line, column)."""

    def __init__(self):
        super().__init__()
        self.marks: dict = {}
        self.start = (0, 0)
        self.twice: list = []  # (key, line, column) of a key given again


# libyaml's parser when PyYAML has it (the wheels do): the same nodes and marks, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(SAFE_LOADER):
    pass


def _located_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.start = (node.start_mark.line + 1, node.start_mark.column + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        place = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in mapping:
            mapping.twice.append((key, *place))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.marks[key] = place
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _located_mapping)


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _load(path: Path, loader=SAFE_LOADER):
    if path.is_symlink():
        raise PipelineError(f"{path}: a symbolic link; the pipeline reads only real files (the target is not read)")
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=loader)  # noqa: S506 (a SafeLoader)
    except FileNotFoundError:
        raise PipelineError(f"{path}: schema file not found") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: expected a mapping at the top level")
    return data


def read_yaml(path: Path) -> dict:
    """A YAML mapping as plain data, unchecked (for files of earlier releases, whose model may differ)."""
    return _load(Path(path))


def _kind_problem(value, kind: str) -> str | None:
    ok = {TEXT: isinstance(value, str) or value is None,
          FLAG: isinstance(value, bool),
          NUMBER: isinstance(value, (int, float, str)) and not isinstance(value, bool),
          INTEGER: isinstance(value, int) and not isinstance(value, bool),
          ANY: True}[kind]
    words = {TEXT: "a text", FLAG: "true or false", NUMBER: "a number", INTEGER: "a whole number"}
    return None if ok else f"must be {words[kind]}, not {value!r}"


def model_problems(data, spec, where: str, place: tuple[int, int]) -> list[tuple[int, int, str]]:
    """Every way `data` breaks `spec`: (line, column, message), `where` naming the place in words."""
    if isinstance(spec, Required):
        spec = spec.spec
    if isinstance(spec, str):
        problem = _kind_problem(data, spec)
        return [(*place, f"{where} {problem}")] if problem else []
    if isinstance(spec, list):
        if not isinstance(data, list):
            return [(*place, f"{where} must be a list")]
        problems = []
        for index, item in enumerate(data, start=1):
            item_place = item.start if isinstance(item, Located) else place
            problems += model_problems(item, spec[0], f"{where} item {index}", item_place)
        return problems
    if not isinstance(data, Located):
        return [(*place, f"{where} must be a mapping of keys to values")]
    problems = [(line, column, f"{where}: the key {key!r} is given twice") for key, line, column in data.twice]
    meant = set()  # keys that an unknown key probably misspells: not also said to be missing
    for key, value in data.items():
        key_place = data.marks.get(key, place)
        inner = f"{where}: {key}" if where else str(key)
        if isinstance(spec, Free):
            problems += model_problems(value, spec.spec, inner, key_place)
        elif key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1)
            meant.update(close)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(spec)}"
            problems.append((*key_place, f"{where or 'top level'}: unknown key {key!r}{hint}"))
        else:
            problems += model_problems(value, spec[key], inner, key_place)
    if isinstance(spec, dict):
        for key, value in spec.items():
            if isinstance(value, Required) and key not in data and key not in meant:
                problems.append((*data.start, f"{where or 'top level'}: the key {key!r} is required"))
    return problems


def _checked(path: Path, spec, refused: tuple[str, ...] = ()) -> dict:
    """A YAML file read with the places of its keys, checked against `spec`, as plain data."""
    data = _load(path, _Loader)
    for key in refused:
        if key in data:
            line, column = data.marks[key]
            raise PipelineError(f"{path}:{line}:{column}: {key!r} is set by the build, not here; remove it (no "
                                "profile is ever fetched from a URL)")
    problems = model_problems(data, spec, "", (1, 1))
    if problems:
        raise PipelineError("\n".join(f"{path}:{line}:{column}: {message}" for line, column, message in
                                      sorted(problems)))
    return _plain(data)


@dataclass(frozen=True)
class Schemas:
    """Everything `schemas/` says, checked and resolved."""

    package: dict
    fields: dict  # shared field definitions by name
    tables: dict  # table name -> its YAML as written
    resolved: dict  # table name -> {"title", "description", "schema"}


def load_schemas(schemas_dir: Path | str) -> Schemas:
    """The checked and resolved schemas of a folder, read once until one of its files changes."""
    folder = Path(schemas_dir).absolute()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml"))
                  if not p.is_symlink())
    return _load_schemas(folder, stamp)


@lru_cache(maxsize=16)
def _load_schemas(folder: Path, stamp: tuple) -> Schemas:
    package = _checked(folder / "package.yaml", PACKAGE, REFUSED_PACKAGE_KEYS)
    names = [checked_table_name(name, folder / "package.yaml") for name in package["resources"]]
    shared = _checked(folder / "fields.yaml", FIELDS)
    tables = {name: _checked(folder / f"{name}.yaml", TABLE) for name in names}
    resolved = {name: _resolved_table(folder / f"{name}.yaml", tables[name], shared) for name in names}
    _check_declared_codes(folder, tables)
    return Schemas(package, shared, tables, resolved)


def _check_declared_codes(folder: Path, tables: dict) -> None:
    """A code a schema declares (x-checks patterns) is its own: not one of the catalogue's."""
    from .catalogue import CATALOGUE

    for name, table in tables.items():
        for rule in table.get("x-checks", {}).get("patterns", []):
            if rule["code"] in CATALOGUE:
                raise PipelineError(f"{folder / f'{name}.yaml'}: x-checks pattern code {rule['code']!r} is already "
                                    "a code of pipeline/catalogue.py; give the rule a code of its own")


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _ordered_field(field: dict) -> dict:
    ordered = {key: field[key] for key in FIELD_KEY_ORDER if key in field}
    ordered.update({key: value for key, value in field.items() if key not in ordered})
    return ordered


def _resolved_table(path: Path, raw: dict, shared: dict) -> dict:
    from .fieldtypes import TYPES

    fields, foreign_keys = [], []
    for entry in raw["fields"]:
        name = entry["name"]
        if name in shared:
            field = _merge({"name": name, **shared[name]}, entry)
        elif set(entry) == {"name"}:
            raise PipelineError(
                f"{path}: field {name!r} gives only a name but is not defined in fields.yaml"
            )
        else:
            field = copy.deepcopy(entry)
        reference = field.pop("foreignKey", None)
        if reference:
            foreign_keys.append(
                {
                    "fields": [name],
                    "reference": {"resource": reference["resource"], "fields": [reference["field"]]},
                }
            )
        for key in (*TEXT_KEYS, "type"):
            if not field.get(key):
                raise PipelineError(f"{path}: field {name!r} has no {key}")
        if field["type"] not in TYPES:
            raise PipelineError(f"{path}: field {name!r} has type {field['type']!r}, which the package has no "
                                f"edition for; types: {', '.join(TYPES)} (pipeline/fieldtypes.py)")
        fields.append(_ordered_field(field))
    schema = {"fields": fields, "missingValues": [""], "primaryKey": raw["primaryKey"]}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    for key in TEXT_KEYS:
        if not raw.get(key):
            raise PipelineError(f"{path}: the table has no {key}")
    return {**{key: raw[key].strip() for key in TEXT_KEYS}, "schema": schema}


def package_metadata(schemas_dir: Path) -> dict:
    """The package-level metadata from `schemas/package.yaml`."""
    return copy.deepcopy(load_schemas(schemas_dir).package)


def table_names(schemas_dir: Path) -> list[str]:
    """The tables of the package, in publication order (plain slugs: their files stay inside the repository)."""
    return list(load_schemas(schemas_dir).tables)


def shared_fields(schemas_dir: Path) -> dict[str, dict]:
    """The shared field definitions of `schemas/fields.yaml`, by name."""
    return copy.deepcopy(load_schemas(schemas_dir).fields)


def table_checks(schemas_dir: Path, table: str) -> dict:
    """The `x-checks` block of one table (its table-specific rules)."""
    return copy.deepcopy(load_schemas(schemas_dir).tables[table].get("x-checks", {}))


def table_schema(schemas_dir: Path, table: str) -> dict:
    """The resolved Frictionless Table Schema of one table."""
    return copy.deepcopy(load_schemas(schemas_dir).resolved[table]["schema"])


def table_title(schemas_dir: Path, table: str, language: str = "en") -> tuple[str, str]:
    """The (title, description) of one table, in English (`en`) or Norwegian bokmål (`no`)."""
    resolved = load_schemas(schemas_dir).resolved[table]
    title, description = LANGUAGE_KEYS[language]
    return resolved[title], resolved[description]
