"""A profile page for every place: each Russian federal subject, federal district, Ukrainian
region in `regions`, and foreign country the data names. It groups the rows about the place by
table, each with its figure, date, claimant and source, and shows the place's neighbours in the
rankings the data gives (figures of the same measure ranked, and the groups the report names).

A profile stays the same size however big the tables grow: it lists at most `PROFILE_ROWS` rows a
table and `NAMED_SHOWN` places a named group, and says how many more there are, with links to the
table pages and downloads. Rankings are grouped and sorted once per site, not once per place."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from .facts import extent, figure_with_unit
from .i18n import Said, label, local, say
from .layout import Page
from .lookups import KIND_FIELD, Data, Place
from .table_pages import downloads

PROFILE_ROWS = 50  # rows per table shown on a profile; the page says how many more there are and links the table
NAMED_SHOWN = 30  # places shown of a group the report names; the page says how many more
GROUP_ORDER = ("casualties", "indicators", "bonuses", "penalties", "events", "findings", "foreign_countries")
RANKED = {"casualties": "measure", "bonuses": "level", "indicators": "measure"}
STATUS_GROUPS = ("russian-federal-subject", "occupied-ukrainian-territory", "ukrainian-region")


def places(data: Data, lang: str) -> list[tuple[str, list[Place]]]:
    """Every place with a profile, in groups: (group heading, places by name)."""
    regions = data.tables["regions"]
    groups = [(label("status", status, lang) if status != "russian-federal-subject" else say("profile.regions", lang),
               sorted((data.region(r["region_code"], lang) for r in regions if r["status"] == status),
                      key=lambda p: p.name.text)) for status in STATUS_GROUPS]
    groups.insert(1, (say("profile.districts", lang),
                      sorted((data.district(r["id"], lang) for r in data.tables["federal_districts"]),
                             key=lambda p: p.name.text)))
    groups.append((say("profile.countries", lang),
                   sorted((data.country(c, lang) for c in data.country_codes()), key=lambda p: p.name.text)))
    return [(heading, chosen) for heading, chosen in groups if chosen]


def ranking_title(data: Data, table: str, row: dict, lang: str) -> str:
    """What a ranking ranks: 'Mobilised soldier: deaths', 'Contract bonuses: peak (NOK)'."""
    category = data.index["categories"].get(row.get("category_id"))
    what = label("level", row["level"], lang) if table == "bonuses" else label("measure", row["measure"], lang)
    head = say(f"group.{table}", lang) if table != "casualties" or not category else local(category, "name_en", lang).text
    unit = label("unit", row.get("unit"), lang)
    return f"{head}: {what}" + (f" ({unit})" if unit and unit != what else "")


def ranking_lists(data: Data, kind: str) -> dict[str, list[tuple[str, list[dict], int]]]:
    """For every place of one kind, the rankings it is in: (table, the ranking's rows, largest
    first, the place's position). Made once per site and kind: rows are grouped and sorted once."""
    cache = data.__dict__.setdefault("_ranking_lists", {})
    if kind in cache:
        return cache[kind]
    key = KIND_FIELD[kind]
    found: dict[str, list] = defaultdict(list)
    for table, by in RANKED.items():
        if table not in data.tables or key not in {f["name"] for f in data.fields(table)}:
            continue
        groups = defaultdict(list)
        for row in data.tables[table]:
            if row.get(key) and row.get("qualifier") is not None:
                groups[(row.get(by), row.get("category_id"), row.get("unit"))].append(row)
        for rows in groups.values():
            if len(rows) < 2:
                continue
            rows.sort(key=lambda r: (-extent(r), r["id"]))
            first = {}
            for i, row in enumerate(rows):
                first.setdefault(row[key], i)
            for code, i in first.items():
                found[code].append((table, rows, i))
    cache[kind] = found
    return found


def named_lists(data: Data, kind: str) -> dict[str, list[tuple[dict, list[dict]]]]:
    """For every place of one kind, the groups the report names it in: (its row, the group's rows)."""
    cache = data.__dict__.setdefault("_named_lists", {})
    if kind in cache:
        return cache[kind]
    key = KIND_FIELD[kind]
    named = defaultdict(list)
    for row in data.tables.get("casualties", []):
        if row.get("measure") == "deaths_rank" and row.get("group_id") and row.get(key):
            named[row["group_id"]].append(row)
    found: dict[str, list] = defaultdict(list)
    for rows in named.values():
        mine = {}
        for row in rows:
            mine.setdefault(row[key], row)
        for code, row in mine.items():
            found[code].append((row, rows))
    cache[kind] = found
    return found


def rankings(data: Data, kind: str, code: str, lang: str) -> list[dict]:
    """The place among the others of each ranking it is in: figures of one measure, category and
    unit, largest first (the place and one neighbour each side), and the groups the report names
    (at most `NAMED_SHOWN` places each, the place among them, and how many more)."""
    key = KIND_FIELD[kind]
    out = []
    for table, rows, i in ranking_lists(data, kind).get(code, []):
        start = max(0, i - 1)
        out.append({"title": Said(ranking_title(data, table, rows[0], lang)),
                    "rank": say("profile.rank", lang, rank=i + 1, total=len(rows)),
                    "entries": [{"place": data.place(r, lang), "figure": figure_with_unit(r, lang),
                                 "href": data.row_href(table, r["id"]), "self": r[key] == code,
                                 "rank": start + n + 1} for n, r in enumerate(rows[start: i + 2])],
                    "more": 0})
    for mine, rows in named_lists(data, kind).get(code, []):
        shown = rows[:NAMED_SHOWN]
        if mine not in shown:
            shown = shown[:-1] + [mine]
        out.append({"title": local(mine, "statement", lang), "rank": say("profile.ranked_among", lang),
                    "entries": [{"place": data.place(r, lang), "figure": "", "href": data.row_href("casualties", r["id"]),
                                 "self": r[key] == code, "rank": None} for r in shown],
                    "more": len(rows) - len(shown), "table_href": data.table_file("casualties"),
                    "table_title": local(data.resources["casualties"], "title", lang)})
    return out


def shown_rows(data: Data) -> set[tuple[str, str]]:
    """(table, id) of every row a profile lists: the first `PROFILE_ROWS` of each table about each place."""
    out = set()
    for kind, code in data.places_named():
        for table, rows in data.rows_about(kind, code).items():
            out.update((table, row["id"]) for row in rows[:PROFILE_ROWS])
    return out


def profile_page(data: Data, place: Place, lang: str) -> Page:
    found = data.rows_about(place.kind, place.code)
    groups = []
    for table in sorted(found, key=lambda t: GROUP_ORDER.index(t) if t in GROUP_ORDER else len(GROUP_ORDER)):
        rows = found[table]
        if rows:
            groups.append({"table": table, "title": say(f"group.{table}", lang),
                           "facts": [data.fact(table, r, lang) for r in rows[:PROFILE_ROWS]],
                           "more": len(rows) - PROFILE_ROWS if len(rows) > PROFILE_ROWS else 0,
                           "table_href": f"table-{table}.html?region={place.code}",
                           "table_title": local(data.resources[table], "title", lang).text,
                           "downloads": downloads(data, table)})
    context = {"place": place, "groups": groups, "rankings": rankings(data, place.kind, place.code, lang),
               "district": None, "members": [], "status": ""}
    if place.kind == "region":
        row = data.index["regions"][place.code]
        context["status"] = label("status", row["status"], lang)
        if row.get("federal_district_id"):
            context["district"] = data.district(row["federal_district_id"], lang)
    if place.kind == "district":
        context["members"] = sorted((data.region(r["region_code"], lang) for r in data.tables["regions"]
                                     if r.get("federal_district_id") == place.code), key=lambda p: p.name.text)
    return Page(place.href, "profile.html", f"{place.name.text} ({place.code})",
                say("profile.description", lang, dataset=data.descriptor["name"], name=place.name.text), context)


def profile_pages(data: Data, lang: str) -> Iterator[Page]:
    """The list of places, then a profile per place, one at a time."""
    grouped = places(data, lang)
    yield Page("places.html", "places.html", say("places.title", lang), say("places.description", lang),
               {"groups": [(heading, [(p, sum(len(rows) for rows in data.rows_about(p.kind, p.code).values()))
                                      for p in group]) for heading, group in grouped]})
    for _, group in grouped:
        for place in group:
            yield profile_page(data, place, lang)
