"""The README.md of a built package: what a stranger who downloads a release reads first.

The words live in templates/release-README.md.j2; this module gathers what they need.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .descriptor import release_date, table_resources, uncertainty_fields

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True,
                       autoescape=False)


def release_readme(descriptor: dict, tables: dict[str, list[dict]], has_changes: bool) -> str:
    """README.md for the package folder and its zip."""
    licence = descriptor["licenses"][0]
    released_on = release_date(descriptor)
    return _environment().get_template("release-README.md.j2").render(
        title=descriptor["title"], name=descriptor["name"], version=descriptor["version"],
        released=released_on != "unreleased", released_on=released_on,
        description=" ".join(descriptor["description"].split()),
        tables=[{"name": r["name"], "rows": len(tables[r["name"]]), "title": r["title"]}
                for r in table_resources(descriptor)],
        uncertainty=[{**f, "description": " ".join(f["description"].split())} for f in uncertainty_fields(descriptor)],
        has_changes=has_changes, citation=descriptor["citation"],
        licence_title=licence.get("title", licence["name"]), licence_name=licence["name"],
        licence_path=licence.get("path", ""),
    )
