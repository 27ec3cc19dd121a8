"""Documentation derived from `schemas/` and the package descriptor: the data dictionary, citation, constraints in words."""

from __future__ import annotations

from pathlib import Path

from .schemas import package_metadata, table_names, table_schema, table_title


UNCERTAINTY_FIELDS = ("qualifier", "value", "value_low", "value_high", "unit", "date_basis")


def table_resources(descriptor: dict) -> list[dict]:
    """The CSV resources of the package: one per table, named after the table."""
    return [r for r in descriptor["resources"] if r.get("format") == "csv"]


def citation(descriptor: dict) -> str:
    """How to cite this version of the package (from schemas/package.yaml, version filled in)."""
    return descriptor.get("citation") or f"{descriptor['name']} data package, version {descriptor['version']}."


def release_date(descriptor: dict) -> str:
    """The date this version was released (`created` of the package), or "unreleased"."""
    return descriptor.get("created", "")[:10] or "unreleased"


def uncertainty_fields(descriptor: dict) -> list[dict]:
    """The schema fields that carry a figure and its uncertainty, as the first table with them defines them."""
    for resource in table_resources(descriptor):
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        if all(name in fields for name in UNCERTAINTY_FIELDS):
            return [fields[name] for name in UNCERTAINTY_FIELDS]
    return []


def constraints_text(field: dict, quote: str = "") -> str:
    """A field's constraints in words: required, unique, allowed values, bounds, pattern.

    `quote` wraps values (a backtick for Markdown)."""
    parts = []
    for key, value in field.get("constraints", {}).items():
        if value is True:
            parts.append(key)
        elif key == "enum":
            parts.append("one of: " + ", ".join(f"{quote}{v}{quote}" for v in value))
        elif value is not False:
            parts.append(f"{key}: {quote}{value}{quote}")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def data_dictionary(schemas_dir: Path, version: str) -> str:
    """The data dictionary of every table and field, as Markdown."""
    meta = package_metadata(schemas_dir)
    lines = [
        f"# Data dictionary: {meta['name']} {version}",
        "",
        "Generated from `schemas/` by the build; do not edit by hand.",
        "",
        "Each table is published as `csv/<table>.csv`, `json/<table>.json` and "
        "`parquet/<table>.parquet`, all described in `datapackage.json`, and in the spreadsheet "
        "(`.xlsx`) and SQLite (`.sqlite`) editions.",
        "",
    ]
    for table in table_names(schemas_dir):
        title, description = table_title(schemas_dir, table)
        schema = table_schema(schemas_dir, table)
        lines += [f"## `{table}`: {title}", "", _cell(description), "",
                  f"Primary key: {', '.join(f'`{k}`' for k in schema['primaryKey'])}."]
        for key in schema.get("foreignKeys", []):
            ref = key["reference"]
            lines.append(f"Foreign key: `{key['fields'][0]}` → `{ref['resource']}.{ref['fields'][0]}`.")
        lines += ["", "| field | type | constraints | description |", "|---|---|---|---|"]
        for field in schema["fields"]:
            lines.append(
                f"| `{field['name']}` | {field['type']} | {_cell(constraints_text(field, quote='`'))} | "
                f"**{_cell(field['title'])}.** {_cell(field['description'])} |"
            )
        lines.append("")
    return "\n".join(lines)
