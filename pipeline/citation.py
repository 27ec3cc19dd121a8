"""How to cite a version: the citation text, CITATION.cff and .zenodo.json, all from schemas/package.yaml.

The version, the release date and (once known) the DOI or URL live in
`schemas/package.yaml` only; everything here is derived from it.
"""

from __future__ import annotations

import json

import yaml

# Keys of schemas/package.yaml that describe how to cite, not the package itself.
CITATION_KEYS = ("doi", "url", "founding_report")


def identifier_url(meta: dict) -> str:
    """The DOI as a URL when there is one, else the project's URL, else ''."""
    if meta.get("doi"):
        return f"https://doi.org/{meta['doi']}"
    return meta.get("url") or ""


def citation_text(meta: dict, version: str) -> str:
    """The citation of one version, with its identifier once known."""
    identifier = identifier_url(meta)
    return " ".join(meta["citation"].format(version=version, identifier=f" {identifier}." if identifier else "").split())


def release_day(meta: dict) -> str:
    return str(meta.get("created", ""))[:10]


def citation_cff(meta: dict, version: str, released: bool) -> str:
    """CITATION.cff (format 1.2.0) for this version."""
    report = meta.get("founding_report", {})
    data = {
        "cff-version": "1.2.0",
        "title": f"{meta['name']}: {meta['title']}",
        "message": "If you use this dataset, cite the version you used, and the founding report "
                   f"({report.get('author', '')}, \"{report.get('title', '')}\").",
        "type": "dataset",
        "authors": [{"name": c["title"]} for c in meta.get("contributors", []) if c.get("role") == "author"],
        "version": version,
    }
    if released and release_day(meta):
        data["date-released"] = release_day(meta)
    if meta.get("doi"):
        data["doi"] = meta["doi"]
    if meta.get("url"):
        data["url"] = meta["url"]
    data["license"] = meta["licenses"][0]["name"]
    data["abstract"] = " ".join(meta["description"].split())
    data["keywords"] = list(meta.get("keywords", []))
    if report:
        data["references"] = [{"type": "report", "title": report["title"], "authors": [{"name": report["author"]}],
                               "languages": [report["language"]]}]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def zenodo_json(meta: dict, version: str) -> str:
    """.zenodo.json: the DataCite metadata Zenodo reads when a GitHub release is archived (for a DOI)."""
    data = {
        "upload_type": "dataset",
        "title": f"{meta['name']}: {meta['title']}",
        "version": version,
        "publication_date": release_day(meta),
        "description": " ".join(meta["description"].split()),
        "creators": [{"name": c["title"]} for c in meta.get("contributors", []) if c.get("role") == "author"],
        "license": meta["licenses"][0]["name"].lower(),
        "access_right": "open",
        "keywords": list(meta.get("keywords", [])),
        "notes": citation_text(meta, version),
    }
    if meta.get("doi"):
        data["doi"] = meta["doi"]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
