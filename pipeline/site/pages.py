"""The front page and the chart pages (deaths, bonuses, penalties, timeline), in one language.

A chart page stays the same size however big its table grows: a chart draws at most `CHART_BARS`
figures, a list under it at most `NAMED_ROWS` rows, the timeline at most `TIMELINE_ENTRIES` entries;
each says on the page how many more the table holds and links it."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from ..descriptor import citation, release_date, uncertainty_fields
from .charts import Bar, Event, bar_chart, colours_for, event_span, timeline
from .facts import (event_when, extent, figure_text, figure_with_unit, inferred_mark, number_text, period_text,
                    unit_text, when_text)
from .i18n import label, local, say
from .layout import Page
from .lookups import Data
from .table_pages import downloads

CHARTS = ("deaths", "bonuses", "penalties", "timeline")
PARTIES = ("ukrainian-authorities", "russian-authorities")  # a figure they give is their claim
CHART_BARS = 60  # figures drawn on one chart; its caption says how many more the table holds
NAMED_ROWS = 100  # rows without a figure listed under a chart; the page says how many more
TIMELINE_ENTRIES = 100  # dated (and, apart, undated) entries on the timeline; the page says how many more
MIME = {"csv": "text/csv", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


def has_figure(row: dict) -> bool:
    return row.get("qualifier") is not None


def dataset_title(data: Data, lang: str) -> str:
    return local(data.descriptor, "title", lang).text


def chart_page(data: Data, lang: str, name: str, context: dict) -> Page:
    title = say(f"chart.{name}", lang)
    return Page(f"chart-{name}.html", f"chart-{name}.html", title,
                say("chart.description", lang, title=title, dataset=data.descriptor["name"]),
                {"data_table": f"table-{context.pop('table')}.html", **context})


def sections(rows: list[dict], make_bar: Callable[[dict], Bar], chart_id: str, heading: str, caption: str,
             lang: str, note: str = "") -> list[dict]:
    """One chart per unit (units are never mixed on an axis), each with its caption; a chart draws
    at most `CHART_BARS` figures, in its order, and its caption says how many more the table holds."""
    out = []
    by_unit: dict = defaultdict(list)
    for row in rows:
        by_unit[row.get("unit")].append(row)
    for n, (unit, unit_rows) in enumerate(by_unit.items()):
        chosen = [make_bar(r) for r in unit_rows[:CHART_BARS]]
        unit_label = unit_text(unit, lang)
        parts = [caption, say("chart.in_unit", lang, unit=unit_label)]
        if note and any(b.note for b in chosen):
            parts.append(say("chart.right_column", lang, what=note))
        if len(unit_rows) > len(chosen):
            parts.append(say("chart.capped", lang, shown=len(chosen), total=number_text(len(unit_rows), lang)))
        out.append({"chart": bar_chart(chosen, unit_label, f"{chart_id}-{n}", f"{heading} ({unit_label})"),
                    "caption": " ".join(parts)})
    return out


def named(data: Data, table: str, heading: str, rows: list[dict], lang: str) -> tuple[str, list, int]:
    """The rows without a figure, listed under a chart: (heading, at most `NAMED_ROWS` facts, how many more)."""
    unfigured = (r for r in rows if not has_figure(r))
    facts = [data.fact(table, r, lang) for r in itertools.islice(unfigured, NAMED_ROWS)]
    return heading, facts, sum(1 for _ in unfigured)


def bar(row: dict, label_text: str, sublabel: str, lang: str, colour: str | None = None, note: str = "") -> Bar:
    tooltip = f"{label_text}: {figure_with_unit(row, lang)} ({sublabel}). {local(row, 'statement', lang).text}"
    extra = {"colour": colour} if colour else {}
    return Bar(label_text, sublabel, row, figure_text(row, lang), tooltip, note=note, **extra)


def legend_items(colours: dict[str, str], drawn: list[dict], kind: str, lang: str) -> list[tuple[str, str]]:
    """The legend of a chart coloured by `kind`: every colour a drawn bar has."""
    used = {colour for item in drawn for _, colour in item["chart"].gradients}
    return [(label(kind, k, lang), c) for k, c in colours.items() if c in used]


def uncertainty_key(lang: str) -> dict:
    samples = [("exact", {"value": 60}), ("approximately", {"value": 60}), ("at_least", {"value": 60}),
               ("at_most", {"value": 60}), ("range", {"value_low": 40, "value_high": 80})]
    bars = [Bar(say(f"chart.key_{q}", lang), f"{label('qualifier', q, lang)}", {"qualifier": q, **values},
                "", say(f"chart.key_{q}", lang)) for q, values in samples]
    return {"chart": bar_chart(bars, "", f"key-{lang}", say("chart.key_title", lang), axis=False),
            "caption": say("chart.key_caption", lang)}


def claim_text(row: dict, lang: str) -> str:
    """Who gives a figure: 'Ukrainian claim' for a party to the war, else 'counted by ...'."""
    who = row.get("claimed_by")
    if who in PARTIES:
        return label("claim", who, lang)
    return say("chart.counted_by", lang, who=label("claimant", who, lang))


def when_short(row: dict, lang: str) -> str:
    if row.get("period_start"):
        return period_text(row["period_start"], row.get("period_end"), lang) + inferred_mark(row, lang)
    return when_text(row, lang)


def deaths_page(data: Data, lang: str) -> Page:
    rows = data.tables["casualties"]
    rates = {(r["region_code"], r["category_id"]): r for r in rows if r["measure"] == "deaths_rate" and has_figure(r)}

    def place_bar(row: dict) -> Bar:
        conflict = f" · {say('chart.in_conflict', lang)}" if row.get("conflict_id") else ""
        rate = rates.get((row.get("region_code"), row.get("category_id")))
        note = say("chart.per_10000", lang, figure=figure_text(rate, lang)) if rate else ""
        return bar(row, data.place(row, lang).name.text + conflict,
                   f"{when_text(row, lang)} · {label('claimant', row['claimed_by'], lang)}", lang, note=note)

    def russia_bar(row: dict) -> Bar:
        category = data.index["categories"].get(row.get("category_id"))
        who = local(category, "name_en", lang).text if category else say("deaths.all_soldiers", lang)
        if row["measure"] == "deaths_share":
            return bar(row, say("deaths.label_share", lang, when=when_short(row, lang)),
                       f"{say('deaths.share_of', lang, who=who)} · {claim_text(row, lang)}", lang)
        return bar(row, say("deaths.label_deaths", lang, when=when_short(row, lang)),
                   f"{who} · {claim_text(row, lang)}", lang)

    def by_size(chosen: list[dict]) -> list[dict]:
        return sorted(chosen, key=lambda r: (-extent(r), r["id"]))

    mobilised = [r for r in rows if r["measure"] == "deaths" and r["category_id"] == "mobilised"
                 and r["scope"] != "russia" and has_figure(r)]
    everyone = [r for r in rows if r["measure"] == "deaths" and not r["category_id"]
                and r["scope"] != "russia" and has_figure(r)]
    russia = by_size([r for r in rows if r["scope"] == "russia" and has_figure(r)])
    counts = [r for r in russia if r["measure"] != "deaths_share"]
    shares = [r for r in russia if r["measure"] == "deaths_share"]
    russia_heading = say("deaths.russia", lang)
    return chart_page(data, lang, "deaths", {
        "table": "casualties",
        "key": uncertainty_key(lang),
        "sections": [
            (say("deaths.mobilised", lang), sections(by_size(mobilised), place_bar, f"mobilised-{lang}",
                                                     say("deaths.mobilised", lang),
                                                     say("deaths.mobilised_caption", lang), lang,
                                                     say("deaths.rate_note", lang))),
            (say("deaths.all", lang), sections(by_size(everyone), place_bar, f"all-{lang}",
                                               say("deaths.all", lang), say("deaths.all_caption", lang), lang)),
            (russia_heading, sections(counts, russia_bar, f"russia-{lang}", russia_heading,
                                      say("deaths.russia_caption", lang), lang)
             + sections(shares, russia_bar, f"share-{lang}", russia_heading,
                        say("deaths.share_caption", lang), lang)),
        ],
        "named": named(data, "casualties", say("deaths.named", lang), rows, lang),
    })


def bonuses_page(data: Data, lang: str) -> Page:
    rows = data.tables["bonuses"]
    levels = colours_for(data.field("bonuses", "level")["constraints"]["enum"])
    chosen = sorted([r for r in rows if has_figure(r)],
                    key=lambda r: (data.place(r, lang).name.text, r["as_of"] or date.min, r["id"]))

    def level_bar(r: dict) -> Bar:
        return bar(r, data.place(r, lang).name.text, f"{label('level', r['level'], lang)} · {when_text(r, lang)}",
                   lang, levels[r["level"]])

    return coloured_bars_page(data, lang, "bonuses", chosen, level_bar, levels, "level")


def coloured_bars_page(data: Data, lang: str, table: str, chosen: list[dict], make_bar: Callable[[dict], Bar],
                       colours: dict[str, str], kind: str) -> Page:
    """The chart page of one table whose bars are coloured by the enum field `kind`: its chart (texts
    `<table>.chart`, `.caption`), the legend of the colours drawn, and the rows without a figure."""
    heading = say(f"{table}.chart", lang)
    drawn = sections(chosen, make_bar, f"{table}-{lang}", heading, say(f"{table}.caption", lang), lang)
    return chart_page(data, lang, table, {
        "table": table, "key": uncertainty_key(lang),
        "legend_items": legend_items(colours, drawn, kind, lang),
        "sections": [(heading, drawn)],
        "named": named(data, table, say(f"{table}.named", lang), data.tables[table], lang),
    })


def penalties_page(data: Data, lang: str) -> Page:
    rows = data.tables["penalties"]
    kinds = colours_for(data.field("penalties", "kind")["constraints"]["enum"])
    offences = data.field("penalties", "offence")["constraints"]["enum"]

    def sublabel(row: dict) -> str:
        if row["kind"] == "statutory":
            return f"{say('penalties.statutory', lang)} · {row['sanction'].replace('-', ' ')}"
        when = event_when(row, lang) if row.get("date") else ""
        return " · ".join(filter(None, [say("penalties.court_case", lang),
                                        row.get("court_city") or say("penalties.court_not_named", lang), when]))

    chosen = sorted([r for r in rows if has_figure(r)],
                    key=lambda r: (offences.index(r["offence"]), r["kind"], -extent(r), r["id"]))

    def kind_bar(r: dict) -> Bar:
        return bar(r, label("offence", r["offence"], lang), sublabel(r), lang, kinds[r["kind"]])

    return coloured_bars_page(data, lang, "penalties", chosen, kind_bar, kinds, "kind")


def timeline_entries(data: Data, rows: list[dict], lang: str) -> tuple[list[dict], int]:
    """Events as list entries: rows of one group with the same date and kind are one entry naming
    every place. At most `TIMELINE_ENTRIES` entries, in order, and how many more there are."""
    grouped: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (row["group_id"], row["date"], row.get("date_end"), row["event_type"]) if row.get("group_id") \
            else (row["id"],)
        grouped.setdefault(key, []).append(row)
    out = []
    for members in itertools.islice(grouped.values(), TIMELINE_ENTRIES):
        first, places = members[0], []
        for row in members:
            place = data.place(row, lang)
            if place and place not in places:
                places.append(place)
        out.append({"id": first["id"], "row": first, "when": event_when(first, lang) if first.get("date") else "",
                    "type": first["event_type"], "type_label": label("event", first["event_type"], lang),
                    "facts": [data.fact("events", row, lang) for row in members], "places": places})
    return out, len(grouped) - len(out)


def timeline_page(data: Data, lang: str) -> Page:
    rows = data.tables["events"]
    types = data.field("events", "event_type")["constraints"]["enum"]
    colours = colours_for(types)
    dated, dated_more = timeline_entries(data, sorted([r for r in rows if r.get("date")],
                                                      key=lambda r: (r["date"], r["id"])), lang)
    undated, undated_more = timeline_entries(data, [r for r in rows if not r.get("date")], lang)
    events = []
    for number, entry in enumerate(dated, start=1):
        entry["number"] = number
        start, end = event_span(entry["row"])
        title = f"{number}. {entry['when']}: " + (entry["facts"][0].statement.text if len(entry["facts"]) == 1 else
                                                   ", ".join(p.name.text for p in entry["places"]))
        events.append(Event(number, entry["type"], start, end, bool(entry["row"].get("date_end")), title,
                            entry["type_label"], colours[entry["type"]]))
    ordered = sorted(events, key=lambda e: (types.index(e.type), e.number))
    layout = timeline(ordered) if events else None
    first = min((e.start for e in events), default=None)
    last = max((e.end for e in events), default=None)
    caption = say("timeline.caption", lang, first=first.year if first else "", last=last.year if last else "")
    if dated_more:
        caption += " " + say("timeline.capped", lang, shown=len(dated), total=number_text(len(dated) + dated_more, lang))
    return chart_page(data, lang, "timeline", {
        "table": "events", "timeline": layout, "caption": caption, "colours": colours,
        "dated": dated, "undated": undated, "dated_more": dated_more, "undated_more": undated_more,
    })


def temporal_coverage(data: Data) -> str:
    days = [row[name] for rows in data.tables.values() for row in rows
            for name in ("date", "date_end", "as_of", "period_start", "period_end") if row.get(name)]
    return f"{min(days).isoformat()}/{max(days).isoformat()}" if days else ""


def json_ld(data: Data, lang: str) -> dict:
    """schema.org Dataset: name, description, version, licence, creator, every file, coverage."""
    descriptor = data.descriptor
    files = [{"@type": "DataDownload", "name": r["name"], "encodingFormat": MIME.get(r["format"], r["format"]),
              "contentUrl": f"../{r['path']}" if lang == "en" else f"../../{r['path']}"} for r in descriptor["resources"]]
    up = "../" if lang == "en" else "../../"
    name = descriptor["name"]
    files += [{"@type": "DataDownload", "name": f"{name}.xlsx", "contentUrl": f"{up}{name}.xlsx",
               "encodingFormat": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
              {"@type": "DataDownload", "name": f"{name}.sqlite", "contentUrl": f"{up}{name}.sqlite",
               "encodingFormat": "application/vnd.sqlite3"},
              {"@type": "DataDownload", "name": "datapackage.json", "contentUrl": f"{up}datapackage.json",
               "encodingFormat": "application/json"}]
    license_ = descriptor["licenses"][0]
    places = [{"@type": "Place", "name": say("index.jsonld_spatial_ru", lang)},
              {"@type": "Place", "name": say("index.jsonld_spatial_ua", lang)}]
    places += [{"@type": "Country", "name": data.country(code, lang).name.text, "identifier": code}
               for code in data.country_codes()]
    out = {
        "@context": "https://schema.org", "@type": "Dataset", "name": dataset_title(data, lang),
        "alternateName": name, "description": local(descriptor, "description", lang).text,
        "version": descriptor["version"], "license": license_.get("path", license_["name"]),
        "inLanguage": ["en", "nb"], "isAccessibleForFree": True,
        "keywords": descriptor.get("keywords", []),
        "creator": [{"@type": "Organization", "name": c["title"]} for c in descriptor.get("contributors", [])],
        "citation": citation(descriptor), "distribution": files,
        "temporalCoverage": temporal_coverage(data), "spatialCoverage": places,
    }
    if release_date(descriptor) != "unreleased":
        out["datePublished"] = release_date(descriptor)
    if descriptor.get("homepage") or descriptor.get("url"):
        out["url"] = descriptor.get("homepage") or descriptor.get("url")
    return out


def index_page(data: Data, lang: str, cards: list[tuple[str, str, str]]) -> Page:
    descriptor = data.descriptor
    day = release_date(descriptor)
    released = say("index.development", lang) if day == "unreleased" else say("index.released", lang, date=day)
    tables = [{"href": f"table-{name}.html", "title": local(r, "title", lang), "rows": len(data.tables[name]),
               "description": local(r, "description", lang), "name": name}
              for name, r in data.resources.items()]
    return Page("index.html", "index.html", say("site.overview", lang),
                local(descriptor, "description", lang).text, {
                    "description": local(descriptor, "description", lang),
                    "released": released, "cards": cards, "tables": tables,
                    "citation": citation(descriptor), "key": uncertainty_key(lang),
                    "uncertainty": [(f["name"], local(f, "description", lang)) for f in uncertainty_fields(descriptor)],
                    "sources": [(local(s, "title", lang), local(s, "description", lang))
                                for s in descriptor.get("sources", [])],
                    "jsonld": json_ld(data, lang),
                    "downloads": {name: downloads(data, name) for name in data.resources},
                })


def chart_pages(data: Data, lang: str) -> list[Page]:
    return [deaths_page(data, lang), bonuses_page(data, lang), penalties_page(data, lang), timeline_page(data, lang)]
