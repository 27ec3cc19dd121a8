"""Pages and their rendering: the Jinja2 environment (autoescape on) and the paths between pages.

English pages live at the site root and bokmål pages under `no/`; a page's `path` is relative to
its language root, so the same path names the same page in both languages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from .facts import number_text
from .i18n import LANGS, Said, label, local, other_lang, say

TEMPLATES = Path(__file__).parent / "templates"
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
LANG_ROOTS = {"en": "", "no": "no/"}


@dataclass
class Page:
    """One page in one language: where it goes, its template, title, description and what it shows."""

    path: str
    template: str
    title: str
    description: str
    context: dict = field(default_factory=dict)
    script: bool = False


def segments(text: str) -> list[tuple[bool, str]]:
    """Prose split into (is_code, text) runs: `backticks` mark code."""
    parts = re.split(r"`([^`]+)`", text or "")
    return [(i % 2 == 1, part) for i, part in enumerate(parts) if part]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["segments"] = segments
    env.globals.update(Said=Said, number_text=number_text, label=label, local=local)
    return env


class Pieces:
    """Markup that many rows share, rendered once by the macros of `macros.html` and reused by every
    page of one language at one depth (`root`): a text in its language (a field's title), a place's
    link, a source's citation, a table row's filter attributes and place cell."""

    def __init__(self, env: jinja2.Environment, root: str, lang: str):
        self.macros, self.root, self.lang = env.get_template("macros.html").module, root, lang
        self.made: dict = {}

    def t(self, key: str, **values) -> str:
        return say(key, self.lang, **values)

    def _once(self, key: tuple, make) -> Markup:
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = make()
        return made

    def say(self, said: Said) -> Markup:
        return self._once(("say", said), lambda: self.macros.say(said))

    def titles(self, fields: list[dict]) -> dict[str, Markup]:
        """Field name -> its title in the page's language, for the fields of a table page."""
        return {f["name"]: self.say(f["title"]) for f in fields}

    def place(self, place) -> Markup:
        if place is None:
            return Markup("")
        return self._once(("place", place.kind, place.code, place.name, place.href),
                          lambda: self.macros.place(place, self.root))

    def source(self, source) -> Markup:
        if source is None:
            return Markup("")
        return self._once(("source", source.id), lambda: self.macros.source(source, self.root, self.t))

    def place_cell(self, place) -> Markup:
        """A table row's place cell: the place's link, sorted by its name."""
        key = ("place_cell", place.kind, place.code, place.name, place.href) if place else ("place_cell",)
        return self._once(key, lambda: self.macros.place_cell(place, self.root))

    def field_run(self, pairs: tuple[tuple[Markup, str], ...]) -> Markup:
        """`<dt>`title`<dd>`text of a run of a row's fields that many rows share (say, its category,
        claimant and report section)."""
        return self._once(("fields", pairs), lambda: self.macros.field_pairs(pairs))

    def row_data(self, category: str, qualifier: str, claimant: str) -> Markup:
        """A table row's data attributes the filter menus match, but its place's."""
        return self._once(("row_data", category, qualifier, claimant),
                          lambda: self.macros.row_data(category, qualifier, claimant))


def page_root(path: str) -> str:
    """The way up from a page to its language root: '' or '../'."""
    return "../" * path.count("/")


def site_path(page: Page, lang: str) -> str:
    """Where a page is written, relative to the site folder."""
    return LANG_ROOTS[lang] + page.path


def render(env: jinja2.Environment, page: Page, lang: str, common: dict, pieces: dict[str, Pieces]) -> str:
    """A whole HTML page. `pieces` (root -> Pieces) is shared by the pages of one language."""
    root = page_root(page.path)
    site_root = root + ("../" if lang != "en" else "")
    other = other_lang(lang)
    switch = site_root + LANG_ROOTS[other] + page.path
    if root not in pieces:
        pieces[root] = Pieces(env, root, lang)
    return env.get_template(page.template).render(
        page=page, lang=lang, other=other, root=root, assets=site_root, dist=site_root + "../",
        switch=switch, csp=Markup(CSP), t=pieces[root].t, langs=LANGS, pieces=pieces[root], **common,
        **page.context)
