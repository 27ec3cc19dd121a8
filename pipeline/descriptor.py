"""Reading a built package descriptor (datapackage.json): its tables, citation, release date, figure fields.

The editions (spreadsheet, SQLite, site, release README) read the descriptor
through these helpers, not `schemas/`: what they show is what was built.
"""

from __future__ import annotations

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
