"""Documentation derived from `schemas/`: the data dictionary."""

from __future__ import annotations

from pathlib import Path

from .descriptor import constraints_text
from .schemas import package_metadata, table_names, table_schema, table_title


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
