"""What the pages look up: rows by key, places by code, sources, conflicts, and which page file holds a row.

A `Data` is built once per site from the descriptor and the typed tables; its methods return small
records (`Place`, `Source`, `Fact`) with texts in the page's language for the templates to lay out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pycountry

from ..descriptor import table_resources
from ..tables import csv_cell
from .facts import extent, figure_with_unit, when_text
from .i18n import Said, label, local, say

PAGE_ROWS = 500  # rows per table page file; a bigger table is split into numbered page files
KIND_FIELD = {"region": "region_code", "district": "federal_district_id", "country": "country_code"}


@dataclass
class Place:
    kind: str  # region, district, country, russia
    code: str
    name: Said
    href: str | None  # relative to the language root


@dataclass
class Source:
    id: str
    footnote: str
    publisher: str
    title: Said
    url: str | None
    href: str


@dataclass
class Fact:
    """One row of a table with a statement, as a reader needs it."""

    table: str
    id: str
    href: str
    statement: Said
    figure: str
    sort_value: str
    place: Place | None
    when: str
    inferred: bool
    claimant: str
    claimant_code: str
    qualifier: str
    category: Said | None
    category_code: str
    source: Source | None
    conflicts: list[tuple[str, str]]


def profile_href(kind: str, code: str) -> str:
    """The profile page of a place, relative to a language root: profiles/region-RU-BU.html."""
    return f"profiles/{kind}-{code}.html"


class Data:
    def __init__(self, descriptor: dict, tables: dict[str, list[dict]], page_rows: int = PAGE_ROWS):
        self.descriptor, self.tables, self.page_rows = descriptor, tables, page_rows
        self.resources = {r["name"]: r for r in table_resources(descriptor)}
        self.index = {}
        for name, resource in self.resources.items():
            key = resource["schema"]["primaryKey"]
            if len(key) == 1:
                self.index[name] = {row[key[0]]: row for row in tables[name]}
        self.conflicts = defaultdict(list)
        for name, rows in tables.items():
            for row in rows:
                if row.get("conflict_id"):
                    self.conflicts[row["conflict_id"]].append((name, row["id"]))
        self.country_names = {}
        for row in tables.get("foreign_countries", []):
            self.country_names.setdefault(row["country_code"], row)

    # ---- tables and their page files ------------------------------------------------

    def key_of(self, table: str, row: dict) -> str | None:
        key = self.resources[table]["schema"]["primaryKey"]
        return csv_cell(row[key[0]]) if len(key) == 1 else None

    def page_count(self, table: str) -> int:
        return max(1, -(-len(self.tables[table]) // self.page_rows))

    def table_file(self, table: str, page: int = 1) -> str:
        return f"table-{table}.html" if page == 1 else f"table-{table}-p{page}.html"

    def row_href(self, table: str, key: str) -> str:
        """The page file and anchor of a row: table-sources.html#fn10 (or -p<n>.html in a paged table)."""
        position = self._positions(table).get(key, 0)
        return f"{self.table_file(table, position // self.page_rows + 1)}#{key}"

    def _positions(self, table: str) -> dict[str, int]:
        cache = self.__dict__.setdefault("_position_cache", {})
        if table not in cache:
            cache[table] = {self.key_of(table, row): i for i, row in enumerate(self.tables[table])}
        return cache[table]

    def fields(self, table: str) -> list[dict]:
        return self.resources[table]["schema"]["fields"]

    def field(self, table: str, name: str) -> dict:
        return next(f for f in self.fields(table) if f["name"] == name)

    def field_names(self, table: str) -> list[str]:
        cache = self.__dict__.setdefault("_field_names", {})
        if table not in cache:
            cache[table] = [f["name"] for f in self.fields(table)]
        return cache[table]

    def links(self, table: str) -> dict[str, str]:
        """Foreign-key field -> the table it points at (a key field itself excluded)."""
        schema = self.resources[table]["schema"]
        return {f: k["reference"]["resource"] for k in schema.get("foreignKeys", [])
                for f in k["fields"] if k["fields"] != schema["primaryKey"]}

    def statement_tables(self) -> list[str]:
        return [name for name in self.resources if "statement" in {f["name"] for f in self.fields(name)}]

    # ---- places -----------------------------------------------------------------------

    def _once(self, key: tuple, make):
        """What `make()` returns, made once per key (a place, a source, a category in a language)."""
        made = self.__dict__.setdefault("_made", {})
        if key not in made:
            made[key] = make()
        return made[key]

    def region(self, code: str, lang: str) -> Place:
        return self._once(("region", code, lang), lambda: self._region(code, lang))

    def _region(self, code: str, lang: str) -> Place:
        row = self.index["regions"].get(code, {})
        return Place("region", code, local(row, "name_en", lang) if row else Said(code), profile_href("region", code))

    def district(self, ident: str, lang: str) -> Place:
        return self._once(("district", ident, lang), lambda: self._district(ident, lang))

    def _district(self, ident: str, lang: str) -> Place:
        row = self.index["federal_districts"].get(ident, {})
        return Place("district", ident, local(row, "name_en", lang) if row else Said(ident),
                     profile_href("district", ident))

    def country(self, code: str, lang: str) -> Place:
        return self._once(("country", code, lang), lambda: self._country(code, lang))

    def _country(self, code: str, lang: str) -> Place:
        row = self.country_names.get(code)
        if row:
            return Place("country", code, local(row, "name_en", lang), profile_href("country", code))
        known = pycountry.countries.get(alpha_2=code)
        name = Said(known.name if known else code, "en" if lang != "en" and known else None)
        return Place("country", code, name, profile_href("country", code))

    def place(self, row: dict, lang: str) -> Place | None:
        """The region, federal district or country a row is about; all of Russia; or None."""
        if row.get("region_code"):
            return self.region(row["region_code"], lang)
        if row.get("federal_district_id"):
            return self.district(row["federal_district_id"], lang)
        if row.get("country_code") and row["country_code"] != "RU":
            return self.country(row["country_code"], lang)
        if row.get("scope") == "russia":
            return self._once(("russia", lang), lambda: Place("russia", "RU", Said(say("table.all_russia", lang)), None))
        return None

    def _rows_by_place(self) -> dict:
        """(place kind, code) -> table -> rows naming the place, for every table with statements (made once)."""
        if "_place_index" not in self.__dict__:
            index: dict = defaultdict(lambda: defaultdict(list))
            for table in self.statement_tables():
                for row in self.tables[table]:
                    for place_kind, key in KIND_FIELD.items():
                        if row.get(key):
                            index[(place_kind, row[key])][table].append(row)
            self._place_index = index
        return self._place_index

    def rows_about(self, kind: str, code: str) -> dict[str, list[dict]]:
        """table -> rows naming the place (region, district or country), for every table with statements."""
        return self._rows_by_place().get((kind, code), {})

    def places_named(self) -> list[tuple[str, str]]:
        """(kind, code) of every place a row of a table with statements names."""
        return list(self._rows_by_place())

    def country_codes(self) -> list[str]:
        """Every foreign country the data names."""
        return sorted(code for kind, code in self._rows_by_place() if kind == "country" and code != "RU")

    # ---- sources and facts -------------------------------------------------------------

    def source(self, source_id: str | None, lang: str) -> Source | None:
        if not source_id:
            return None
        return self._once(("source", source_id, lang), lambda: self._source(source_id, lang))

    def _source(self, source_id: str, lang: str) -> Source:
        row = self.index["sources"].get(source_id, {})
        urls = (row.get("urls") or "").split()
        return Source(source_id, csv_cell(row.get("footnote")), row.get("publisher") or "",
                      local(row, "title", lang), urls[0] if urls else None, self.row_href("sources", source_id))

    def remember_facts(self, rows: set[tuple[str, str]]) -> None:
        """Keep the facts of these rows (table, id), once made in a language, for the pages that show
        them again (a row's table page, then its place's profile); every other fact is made and dropped."""
        self._remembered, self._facts = rows, {}

    def fact(self, table: str, row: dict, lang: str) -> Fact:
        """One row as a reader needs it, in one language (made once for a remembered row)."""
        key = (table, row["id"], lang)
        made = self.__dict__.get("_facts", {}).get(key)
        if made is None:
            made = self._make_fact(table, row, lang)
            if (table, row["id"]) in self.__dict__.get("_remembered", ()):
                self._facts[key] = made
        return made

    def _make_fact(self, table: str, row: dict, lang: str) -> Fact:
        category_id = row.get("category_id")
        conflicts = [(other_id, self.row_href(other_table, other_id))
                     for other_table, other_id in self.conflicts.get(row.get("conflict_id"), [])
                     if other_id != row["id"]] if row.get("conflict_id") else []
        has_figure = row.get("qualifier") is not None
        dated = _has_date(row)
        return Fact(
            table, row["id"], self.row_href(table, row["id"]), local(row, "statement", lang),
            figure_with_unit(row, lang) if has_figure else "",
            csv_cell(extent(row)) if has_figure else "",
            self.place(row, lang), when_text(row, lang) if dated else "",
            row.get("date_basis") == "inferred" and dated,
            label("claimant", row.get("claimed_by"), lang), row.get("claimed_by") or "",
            row.get("qualifier") or "", self.category_name(category_id, lang) if category_id else None,
            category_id or "", self.source(row.get("source_id"), lang), conflicts)

    def category_name(self, category_id: str, lang: str) -> Said | None:
        """A soldier category's name in a language (None for an unknown category)."""
        def make():
            category = self.index["categories"].get(category_id)
            return local(category, "name_en", lang) if category else None
        return self._once(("category", category_id, lang), make)


def _has_date(row: dict) -> bool:
    return any(row.get(name) for name in ("as_of", "period_start", "date"))
