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
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Iterator
from pathlib import Path

from .facts import event_when, figure_text, when_text
from .i18n import LANGS, local, say
from .layout import Page, Pieces, environment, render, site_path
from .lookups import PAGE_ROWS, Data
from .map_page import map_pages
from .pages import CHARTS, chart_pages, index_page
from .profiles import profile_pages, shown_rows
from .table_pages import table_pages

ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("style.css", "table.js", "tilemap.css")

__all__ = ["rendered_pages", "site_pages", "write_site", "figure_text", "event_when", "when_text"]


def language_pages(data: Data, lang: str, pieces: Pieces) -> tuple[Iterator[Page], dict]:
    """Every page of one language, one at a time (table pages and profiles are made as they are
    written), and what every page of it shares (navigation, titles). `pieces` is the shared markup
    of the pages at the language root, which table rows are made of."""
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
    pages = itertools.chain([index_page(data, lang, cards)], charts, maps, table_pages(data, lang, pieces),
                            profile_pages(data, lang))
    return pages, common


def rendered_pages(descriptor: dict, tables: dict[str, list[dict]],
                   page_rows: int = PAGE_ROWS) -> Iterator[tuple[str, str]]:
    """Every page of the site in both languages, one at a time: (path under the site folder, HTML)."""
    site = SiteData(descriptor, tables, page_rows)
    for lang in LANGS:
        yield from site.pages(lang)


class SiteData:
    """What every page draws on (rows, places, sources, the rows a profile shows again, the templates),
    made once; `pages(lang)` renders one language's pages from it."""

    def __init__(self, descriptor: dict, tables: dict[str, list[dict]], page_rows: int = PAGE_ROWS):
        self.data = Data(descriptor, tables, page_rows)
        self.shown = shown_rows(self.data)
        self.env = environment()

    def pages(self, lang: str) -> Iterator[tuple[str, str]]:
        self.data.remember_facts(self.shown)  # made for their table page, shown again on a profile
        pieces = {"": Pieces(self.env, "", lang)}  # root -> markup the rows of this language's pages share
        pages, common = language_pages(self.data, lang, pieces[""])
        for page in pages:
            yield site_path(page, lang), render(self.env, page, lang, common, pieces)


def site_pages(descriptor: dict, tables: dict[str, list[dict]], page_rows: int = PAGE_ROWS) -> dict[str, str]:
    """Every page of the site in both languages: path under the site folder -> HTML."""
    return dict(rendered_pages(descriptor, tables, page_rows))


# From this many rows on, and with more than one core, the two languages are written side by side:
# bokmål in a forked process while this one writes English (the same pages and bytes either way).
PARALLEL_ROWS = 20_000


def site_processes(tables: dict[str, list[dict]]) -> int:
    """How many processes write the site: two for a large package on a machine with two cores or more."""
    large = sum(len(rows) for rows in tables.values()) >= PARALLEL_ROWS
    return 2 if large and (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods() else 1


def write_site(descriptor: dict, tables: dict[str, list[dict]], folder: Path, page_rows: int = PAGE_ROWS,
               processes: int | None = None) -> None:
    """Write the offline report into `folder` (dist/site): HTML pages, style sheet and script.
    Each page is written as soon as it is rendered, so the site is never held in memory whole.
    With `processes` 2 (by default for a large package, see `site_processes`) the second language is
    written by a forked process at the same time; an error there is raised here."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        (folder / name).write_bytes((ASSETS / name).read_bytes())
    site = SiteData(descriptor, tables, page_rows)
    if (processes or site_processes(tables)) == 1:
        for lang in LANGS:
            _write_pages(site.pages(lang), folder)
        return
    global _FORKED  # a forked worker inherits it: nothing is pickled but the language
    _FORKED = (site, folder)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            other = pool.submit(_write_language, LANGS[1])
            _write_pages(site.pages(LANGS[0]), folder)
            other.result()
    finally:
        _FORKED = None


_FORKED = None


def _write_language(lang: str) -> None:
    site, folder = _FORKED
    _write_pages(site.pages(lang), folder)


def _write_pages(pages: Iterator[tuple[str, str]], folder: Path) -> None:
    made = set()
    for path, text in pages:
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(text, encoding="utf-8", newline="\n")
