"""The browsable report: a static, offline HTML site in `dist/site/`, in English (at the root) and
bokmål (under `no/`).

A front page (what the data is, how to cite it, downloads, schema.org JSON-LD), a page per table
that reads like facts, chart pages whose charts are inline SVG, a profile page per place and,
a tile map (`tilemap`, its data in `map/`). Nothing is loaded from anywhere but the site's own
folder (a Content-Security-Policy says so), and the same inputs give the same bytes.

At any size: table pages hold `PAGE_ROWS` rows each, profiles and chart pages are capped (each cap
says so on the page), and pages are rendered and written one at a time, never held all at once.

Modules: `facts` (figures and dates as text), `charts` (chart geometry), `lookups` (rows, places,
sources), `pages` (front and chart pages), `table_pages`, `profiles`, `map_page`, `layout`
(paths and rendering); markup lives in `templates/`, interface text in `text.csv`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from .facts import event_when, figure_text, when_text
from .i18n import LANGS, local, say
from .layout import Page, environment, render, site_path
from .lookups import PAGE_ROWS, Data
from .map_page import map_pages
from .pages import CHARTS, chart_pages, index_page
from .profiles import profile_pages, shown_rows
from .table_pages import table_pages

ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("style.css", "table.js", "tilemap.css")

__all__ = ["rendered_pages", "site_pages", "write_site", "figure_text", "event_when", "when_text"]


def language_pages(data: Data, lang: str) -> tuple[Iterator[Page], dict]:
    """Every page of one language, one at a time (table pages and profiles are made as they are
    written), and what every page of it shares (navigation, titles)."""
    charts = chart_pages(data, lang)
    maps = map_pages(data, lang)
    cards = [(p.path, p.title, say(f"chart.{name}_card", lang)) for p, name in zip(charts, CHARTS)]
    cards += [(p.path, p.title, say("chart.map_card", lang)) for p in maps]
    cards.append(("places.html", say("index.places", lang), say("index.places_text", lang)))
    common = {
        "site_title": local(data.descriptor, "title", lang),
        "name": data.descriptor["name"], "version": data.descriptor["version"],
        "license": data.descriptor["licenses"][0],
        "nav_charts": [(p.path, p.title) for p in charts + maps],
        "nav_tables": [(data.table_file(name), local(resource, "title", lang))
                       for name, resource in data.resources.items()],
    }
    pages = itertools.chain([index_page(data, lang, cards)], charts, maps, table_pages(data, lang),
                            profile_pages(data, lang))
    return pages, common


def rendered_pages(descriptor: dict, tables: dict[str, list[dict]],
                   page_rows: int = PAGE_ROWS) -> Iterator[tuple[str, str]]:
    """Every page of the site in both languages, one at a time: (path under the site folder, HTML)."""
    data = Data(descriptor, tables, page_rows)
    shown = shown_rows(data)
    env = environment()
    for lang in LANGS:
        data.remember_facts(shown)  # made for their table page, shown again on a profile; one language at a time
        pages, common = language_pages(data, lang)
        for page in pages:
            yield site_path(page, lang), render(env, page, lang, common)


def site_pages(descriptor: dict, tables: dict[str, list[dict]], page_rows: int = PAGE_ROWS) -> dict[str, str]:
    """Every page of the site in both languages: path under the site folder -> HTML."""
    return dict(rendered_pages(descriptor, tables, page_rows))


def write_site(descriptor: dict, tables: dict[str, list[dict]], folder: Path, page_rows: int = PAGE_ROWS) -> None:
    """Write the offline report into `folder` (dist/site): HTML pages, style sheet and script.
    Each page is written as soon as it is rendered, so the site is never held in memory whole."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        (folder / name).write_bytes((ASSETS / name).read_bytes())
    made = set()
    for path, text in rendered_pages(descriptor, tables, page_rows):
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(text, encoding="utf-8", newline="\n")
