"""A page (or numbered page files) per table.

A table with statements reads like facts: the statement and the figure as a person reads it
first, then the place by name, the date, who claims it and the source; every other field sits in
a folded "details" cell. A reference table (sources, regions, ...) is shown column by column. A
table bigger than `Data.page_rows` is split into page files of that many rows, so a page opens
fast and the site grows in proportion to its rows."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from ..descriptor import constraints_text
from ..tables import csv_cell
from .i18n import label, local, local_key, say
from .layout import Page, Pieces
from .lookups import KIND_FIELD, Data, Fact, profile_href

FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "parquet": "Parquet"}
LONG_TEXT, FOLDED_TEXT = 60, 200  # a longer text wraps; a much longer one folds to its start
PAGER_REACH = 3  # a pager links this many pages either side of the one shown, and the first and last
PROFILE_FIELDS = {"region_code": "region", "federal_district_id": "district", "country_code": "country"}


def downloads(data: Data, table: str) -> list[tuple[str, str]]:
    """(format name, path in dist/) of a table's CSV, JSON and Parquet files."""
    copies = (table, f"{table}-json", f"{table}-parquet")
    return [(FORMAT_NAMES.get(r["format"], r["format"]), r["path"]) for r in data.descriptor["resources"]
            if r["name"] in copies]


def field_items(data: Data, table: str, lang: str) -> list[dict]:
    links = data.links(table)
    return [{"name": f["name"], "title": local(f, "title", lang), "type": f["type"],
             "description": local(f, "description", lang), "constraints": constraints_text(f),
             "refers": links.get(f["name"])} for f in data.fields(table)]


def filters(facts: list, lang: str) -> list[dict]:
    """The filter menus of a fact table: the values on the page, each with a readable label."""
    menus = []
    for name, key, text in (("region", "place", lambda f: f"{f.place.name.text} ({f.place.code})"),
                            ("category", "category_code", lambda f: f.category.text),
                            ("qualifier", "qualifier", lambda f: label("qualifier", f.qualifier, lang)),
                            ("claimant", "claimant_code", lambda f: f.claimant)):
        options = {}
        for fact in facts:
            value = getattr(fact, key)
            if value:
                options[value.code if name == "region" else value] = text(fact)
        if len(options) > 1:
            menus.append({"name": name, "label": say(f"table.filter_{name}", lang),
                          "options": sorted(options.items(), key=lambda item: item[1].lower())})
    return menus


def cell(data: Data, table: str, name: str, value, lang: str) -> dict:
    """One cell of a reference table: text, and a link, sort key and shape where they apply."""
    text = csv_cell(value)
    out = {"text": text, "href": None, "external": [], "num": False, "long": False, "folded": ""}
    if value is None:
        return out
    links = data.links(table)
    if name in PROFILE_FIELDS and (name in links or (table == "regions" and name == "region_code")):
        out["href"] = profile_href(PROFILE_FIELDS[name], text)
    elif table == "federal_districts" and name == "id":
        out["href"] = profile_href("district", text)
    elif name in links:
        out["href"] = data.row_href(links[name], text)
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        out["external"], out["long"] = value.split(), True
    elif isinstance(value, (int, Decimal)) or isinstance(value, date):
        out["num"] = isinstance(value, (int, Decimal))
    elif isinstance(value, str) and len(value) > FOLDED_TEXT:
        out["folded"], out["long"] = text[: text.rfind(" ", 0, FOLDED_TEXT - 40)], True
    elif isinstance(value, str) and len(value) > LONG_TEXT:
        out["long"] = True
    return out


def fact_rows(data: Data, table: str, fields: list[dict], facts: list[Fact], rows: list[dict], lang: str,
              pieces: Pieces) -> list[tuple]:
    """The rows of a fact table's page as `table.html` lays them out, one tuple a row: (id, place code,
    other filter attributes, statement text, its language, conflicts, sort key, figure, place cell,
    when, claimant, source citation, details). Markup that rows share (filter attributes, place cells,
    citations, field titles) is rendered once; details hold every filled field the columns do not
    show as it is: not the id (the row's link), the statement shown, nor the code of the place shown."""
    titles = pieces.titles(fields)
    names = data.field_names(table)
    cells = operator.itemgetter(*names)
    few = few_valued(data, table)
    out = []
    for f, row in zip(facts, rows):
        place = f.place
        shown = ("id", local_key(row, "statement", lang), KIND_FIELD.get(place.kind) if place else None)
        out.append((f.id, place.code if place else "", pieces.row_data(f.category_code, f.qualifier, f.claimant_code),
                    f.statement.text, f.statement.lang, f.conflicts, f.sort_value, f.figure, pieces.place_cell(place),
                    f.when, f.claimant, pieces.source(f.source),
                    details(zip(names, cells(row)), shown, few, titles, pieces)))
    return out


def few_valued(data: Data, table: str) -> set[str]:
    """The fields of a table whose values repeat by design: an enum or a key into another table."""
    return {f["name"] for f in data.fields(table) if "enum" in f.get("constraints", {})} | set(data.links(table))


def details(cells, shown: tuple, few: set[str], titles: dict, pieces: Pieces) -> list[tuple]:
    """A row's details, (run, title, text) each: consecutive few-valued fields as one `run` of markup
    many rows share (rendered once), every other field as its title and text."""
    out, run = [], []
    for name, value in cells:
        if value is None or name in shown:
            continue
        text = value if isinstance(value, str) else csv_cell(value)
        if name in few:
            run.append((titles[name], text))
            continue
        if run:
            out.append((pieces.field_run(tuple(run)), None, None))
            run = []
        out.append((None, titles[name], text))
    if run:
        out.append((pieces.field_run(tuple(run)), None, None))
    return out


def pager(data: Data, table: str, number: int, count: int) -> list[tuple[int | None, str]]:
    """The page links of a split table: the first and last page and those near this one, a gap
    (None) where pages are left out, so a pager stays short however many pages there are."""
    if count == 1:
        return []
    shown = sorted({1, count} | set(range(max(1, number - PAGER_REACH), min(count, number + PAGER_REACH) + 1)))
    out: list[tuple[int | None, str]] = []
    for n in shown:
        if out and n - out[-1][0] > 1:
            out.append((None, ""))
        out.append((n, data.table_file(table, n)))
    return out


def table_pages(data: Data, lang: str, pieces: Pieces) -> Iterator[Page]:
    """The page files of every table, one at a time (`pieces`: the shared markup of pages at the
    language root, where table pages are)."""
    for table, resource in data.resources.items():
        rows = data.tables[table]
        count = data.page_count(table)
        title = local(resource, "title", lang)
        fact_table = table in data.statement_tables()
        fields = field_items(data, table, lang)
        for number in range(1, count + 1):
            chosen = rows[(number - 1) * data.page_rows: number * data.page_rows]
            context = {
                "table": table, "title": title, "description": local(resource, "description", lang),
                "total": len(rows), "downloads": downloads(data, table),
                "key": resource["schema"]["primaryKey"], "fields": fields,
                "pager": pager(data, table, number, count), "pages": count, "page_number": number, "page_size": data.page_rows, "shown": len(chosen),
            }
            if fact_table:
                facts = [data.fact(table, row, lang) for row in chosen]
                context.update(facts=fact_rows(data, table, fields, facts, chosen, lang, pieces), filters=filters(facts, lang))
            else:
                names = [f["name"] for f in data.fields(table)]
                context.update(facts=None, filters=[], columns=[(f["name"], local(f, "title", lang)) for f in data.fields(table)],
                               rows=[{"id": data.key_of(table, row),
                                      "cells": [cell(data, table, n, row[n], lang) for n in names]} for row in chosen])
            page_title = title.text if count == 1 else f"{title.text} ({say('table.page', lang, page=number)})"
            yield Page(data.table_file(table, number), "table.html", page_title,
                       say("table.description", lang, title=title.text, count=len(rows),
                           dataset=data.descriptor["name"]), context, script=True)
