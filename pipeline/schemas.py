"""Read `schemas/`: package metadata, shared fields and table schemas.

`schemas/` is the single source of truth for the shape of every table. A table
schema lists its fields; an entry that names a field of `schemas/fields.yaml`
takes that shared definition, with any keys it gives merged on top. The
`foreignKey` of a shared field becomes a foreignKeys entry of the table.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from .contained import checked_table_name
from .problems import PipelineError

FIELD_KEY_ORDER = ("name", "type", "format", "title", "title_no", "description", "description_no", "constraints")
# What every field, table and the package says about itself, in English and in Norwegian bokmål.
TEXT_KEYS = ("title", "description", "title_no", "description_no")
# The keys of (title, description) in each language.
LANGUAGE_KEYS = {"en": ("title", "description"), "no": ("title_no", "description_no")}


def read_yaml(path: Path) -> dict:
    if path.is_symlink():
        raise PipelineError(f"{path}: a symbolic link; the pipeline reads only real files (the target is not read)")
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise PipelineError(f"{path}: schema file not found") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: expected a mapping at the top level")
    return data


# Set by the build to the one profile this project writes; never taken from a contributor (it would be fetched).
REFUSED_PACKAGE_KEYS = ("$schema", "profile")


def package_metadata(schemas_dir: Path) -> dict:
    """The package-level metadata from `schemas/package.yaml`."""
    path = Path(schemas_dir) / "package.yaml"
    meta = read_yaml(path)
    for key in REFUSED_PACKAGE_KEYS:
        if key in meta:
            raise PipelineError(f"{path}: {key!r} is set by the build, not here; remove it (no profile is ever "
                                "fetched from a URL)")
    for key in TEXT_KEYS:
        if not meta.get(key):
            raise PipelineError(f"{path}: the package has no {key}")
    return meta


def table_names(schemas_dir: Path) -> list[str]:
    """The tables of the package, in publication order (plain slugs: their files stay inside the repository)."""
    where = Path(schemas_dir) / "package.yaml"
    return [checked_table_name(name, where) for name in package_metadata(schemas_dir)["resources"]]


def shared_fields(schemas_dir: Path) -> dict[str, dict]:
    """The shared field definitions of `schemas/fields.yaml`, by name."""
    return read_yaml(Path(schemas_dir) / "fields.yaml")


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


def _table_schema(schemas_dir: Path, table: str) -> dict:
    path = schemas_dir / f"{table}.yaml"
    raw = read_yaml(path)
    shared = shared_fields(schemas_dir)
    fields, foreign_keys = [], []
    for entry in raw.get("fields", []):
        name = entry.get("name")
        if name is None:
            raise PipelineError(f"{path}: a field has no name")
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
        fields.append(_ordered_field(field))
    schema = {"fields": fields, "missingValues": [""], "primaryKey": raw["primaryKey"]}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    for key in TEXT_KEYS:
        if not raw.get(key):
            raise PipelineError(f"{path}: the table has no {key}")
    return {**{key: raw[key].strip() for key in TEXT_KEYS}, "schema": schema}


def table_schema(schemas_dir: Path, table: str) -> dict:
    """The resolved Frictionless Table Schema of one table."""
    return _table_schema(Path(schemas_dir), table)["schema"]


def table_title(schemas_dir: Path, table: str, language: str = "en") -> tuple[str, str]:
    """The (title, description) of one table, in English (`en`) or Norwegian bokmål (`no`)."""
    resolved = _table_schema(Path(schemas_dir), table)
    title, description = LANGUAGE_KEYS[language]
    return resolved[title], resolved[description]
