"""Documentation generated from `schemas/`: the data dictionary."""

from __future__ import annotations

from pathlib import Path

from .schemas import package_metadata, table_names, table_schema, table_title


def _constraints_text(field: dict) -> str:
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("required"):
        parts.append("required")
    if constraints.get("unique"):
        parts.append("unique")
    if "enum" in constraints:
        parts.append("one of: " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"pattern `{constraints['pattern']}`")
    for key in ("minimum", "maximum", "minLength", "maxLength"):
        if key in constraints:
            parts.append(f"{key} {constraints[key]}")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def data_dictionary(schemas_dir: Path) -> str:
    """The data dictionary of every table and field, as Markdown."""
    meta = package_metadata(schemas_dir)
    lines = [
        f"# Data dictionary: {meta['name']} {meta['version']}",
        "",
        "Generated from `schemas/` by the build; do not edit by hand.",
        "",
        "Each table is published as `csv/<table>.csv`, `json/<table>.json` and "
        "`parquet/<table>.parquet`, all described in `datapackage.json`.",
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
                f"| `{field['name']}` | {field['type']} | {_cell(_constraints_text(field))} | "
                f"**{_cell(field['title'])}.** {_cell(field['description'])} |"
            )
        lines.append("")
    return "\n".join(lines)
