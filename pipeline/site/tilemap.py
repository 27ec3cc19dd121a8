"""A tile-grid map of Russia's federal subjects: one equal square per subject.

`map_layers(tables)` picks, for each layer of `map/layers.yaml`, one figure per
federal subject from the package's tables; `render_tile_map(layer, lang, href_for)`
draws a layer as inline SVG with a legend and a data table (templates/tilemap.html,
through the site's Jinja2 environment).

The arrangement of the squares is data (`map/tile_grid.csv`, explained in
`map/README.md`). The words are the site's: interface text from `text.csv` (keys `map.*`),
claimant, qualifier, unit and status labels through `i18n.label`, numbers and dates through
`facts`. A subject without a figure is drawn hatched as "no figure", never as zero.
Occupied Ukrainian territory is never a tile of the Russian grid: a figure about it
is listed apart, under Ukraine.

Where a subject has several rows for a layer, the most recently dated one is drawn
(a dated row before an undated one; equal dates by row id); the ids of the others
stay on the figure and are listed in the table, and the caption says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd
import yaml
from markupsafe import Markup

from ..problems import PipelineError
from .facts import date_text, figure_text, inferred_mark, number_text, unit_text
from .i18n import LANGS, label, say
from .layout import environment

MAP_DATA = Path(__file__).parent / "map"
GRID_FILE = MAP_DATA / "tile_grid.csv"
FEDERAL_SUBJECT, OCCUPIED = "russian-federal-subject", "occupied-ukrainian-territory"
COLOURS = ("#fdd49e", "#fc8d59", "#d7301f", "#7f0000")  # light to dark; a class per bin
DARK_COLOURS = frozenset(COLOURS[2:])  # tiles whose label is written in white
OTHERS_SHOWN = 5  # a subject's other rows named in a layer's table; the table says how many more
TILE, GAP, MARGIN = 46, 4, 2  # SVG units


@dataclass(frozen=True)
class Figure:
    """One subject's figure in a layer, as its row gives it."""
    region_code: str
    qualifier: str | None
    value: float | None
    value_low: float | None
    value_high: float | None
    row_id: str
    source_id: str
    section: str
    as_of: date | None
    date_basis: str | None
    others: tuple["Figure", ...] = ()  # the subject's other rows in this layer, not drawn (latest first)


@dataclass(frozen=True)
class Region:
    code: str
    names: Mapping[str, str]  # by language
    federal_subject: bool  # a Russian federal subject (RU-); Ukrainian territory never is, occupied or not
    occupied: bool  # occupied Ukrainian territory


@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    footnote: int | None


@dataclass(frozen=True)
class Layer:
    id: str
    title: Mapping[str, str]  # by language
    caption: Mapping[str, str]  # by language: what is counted, claimed by whom, for when, and the rules
    unit: str
    bins: tuple[float, ...]
    figures: Mapping[str, Figure]  # Russian federal subjects only, by region_code
    outside: Mapping[str, Figure]  # regions that are not Russian federal subjects (Ukraine's), by region_code
    regions: Mapping[str, Region]  # every region of the regions table, by code
    sources: Mapping[str, Source]  # by source_id, for the sources the figures cite


# ---- data files ------------------------------------------------------------

@cache
def layer_specs() -> tuple[dict, ...]:
    return tuple(yaml.safe_load((MAP_DATA / "layers.yaml").read_text(encoding="utf-8")))


def tile_grid(path: Path = GRID_FILE) -> dict[str, tuple[int, int]]:
    """region_code -> (col, row) from the layout file; a repeated subject or cell is an error."""
    grid, cells = {}, {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, cell = row["region_code"], (int(row["col"]), int(row["row"]))
            if code in grid:
                raise PipelineError(f"{path.name}:{line}: {code} has a tile already")
            if cell in cells:
                raise PipelineError(f"{path.name}:{line}: cell {cell} is taken by {cells[cell]}")
            grid[code], cells[cell] = cell, code
    return grid


# ---- reading the tables ----------------------------------------------------

def plain(value):
    """A cell as a plain Python value: None for any missing marker, dates as `date`, numbers as float."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date()
    if isinstance(value, (float, int, Decimal)) and not isinstance(value, bool):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def records(table: pd.DataFrame | list[dict]) -> list[dict]:
    """A table's rows as dicts of plain values, from a DataFrame (`tables.load`) or typed rows (`read_typed_rows`)."""
    rows = table.to_dict("records") if isinstance(table, pd.DataFrame) else table
    return [{name: plain(cell) for name, cell in row.items()} for row in rows]


def matches(row: dict, where: Mapping) -> bool:
    return all(row.get(column) == wanted for column, wanted in where.items())


def recency(row: dict) -> tuple:
    """Sort key: latest dated row first, then undated, then by id."""
    day = row.get("as_of")
    return (day is None, -(day.toordinal() if day else 0), row["id"])


def figure_of(rows: list[dict]) -> Figure:
    """The figure drawn for a subject: its most recently dated row, carrying the others."""
    chosen, *others = sorted(rows, key=recency)
    return Figure(region_code=chosen["region_code"], qualifier=chosen.get("qualifier"), value=chosen.get("value"),
                  value_low=chosen.get("value_low"), value_high=chosen.get("value_high"), row_id=chosen["id"],
                  source_id=chosen["source_id"], section=str(chosen.get("section") or ""), as_of=chosen.get("as_of"),
                  date_basis=chosen.get("date_basis"), others=tuple(figure_of([row]) for row in others))


def has_figure(row: dict) -> bool:
    return row.get("value") is not None or (row.get("value_low") is not None and row.get("value_high") is not None)


def region_index(tables: Mapping) -> dict[str, Region]:
    regions = {}
    for row in records(tables["regions"]):
        names = {"en": row["name_en"], "no": row.get("name_no") or row["name_en"]}
        subject = row["country_code"] == "RU" and row["status"] == FEDERAL_SUBJECT
        regions[row["region_code"]] = Region(row["region_code"], names, subject, row["status"] == OCCUPIED)
    return regions


def source_index(tables: Mapping) -> dict[str, Source]:
    return {row["id"]: Source(row["id"], row.get("publisher") or "",
                              int(row["footnote"]) if row.get("footnote") is not None else None)
            for row in records(tables["sources"])}


# ---- captions --------------------------------------------------------------

def day_text(day: date, lang: str) -> str:
    return date_text(day, "day", lang)


def listed(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say('map.and', lang)} {items[-1]}"


def when_words(rows: list[dict], lang: str) -> str:
    """For what time the drawn figures hold: their as_of dates and periods, as the rows give them."""
    days = sorted({row["as_of"] for row in rows if row.get("as_of")})
    undated = sum(1 for row in rows if not any(row.get(name) for name in ("as_of", "period_start", "period_end")))
    parts = []
    if len(days) == 1:
        parts.append(say("date.as_of", lang, date=day_text(days[0], lang)))
    elif days:
        parts.append(say("map.as_of_span", lang, first=day_text(days[0], lang), last=day_text(days[-1], lang)))
    if days and any(row.get("date_basis") == "inferred" for row in rows if row.get("as_of")):
        parts[-1] += f" ({say('map.inferred', lang)})"
    periods = sorted({(row["period_start"], row["period_end"]) for row in rows
                      if row.get("period_start") and row.get("period_end")})
    parts += [say("map.period", lang, start=day_text(start, lang), end=day_text(end, lang))
              for start, end in periods]
    if undated and not days and not periods:
        parts.append(say("map.undated_all", lang))
    elif undated:
        parts.append(say("map.undated_some", lang, count=undated))
    return ", ".join(parts)


def caption(spec: dict, drawn: list[dict], several: bool, total: int, lang: str) -> str:
    claimants = [label("claimant", c, lang) for c in sorted({row["claimed_by"] for row in drawn})]
    first = spec["counted"][lang]
    if claimants:
        first += ", " + say("map.by", lang, claimants=listed(claimants, lang))
    when = when_words(drawn, lang)
    sentences = [f"{first}; {when}." if when else f"{first}."]
    if spec.get("scope"):
        sentences.append(spec["scope"][lang])
    sentences.append(say("map.coverage", lang, count=len(drawn), total=total))
    if several:
        sentences.append(say("map.rule", lang))
    return " ".join(sentences)


# ---- layers ----------------------------------------------------------------

def layer_from(spec: dict, tables: Mapping[str, list[dict]], regions: dict[str, Region],
               sources: dict[str, Source]) -> Layer:
    rows = [row for row in tables[spec["table"]]
            if matches(row, spec["where"]) and row.get("unit") == spec["unit"] and has_figure(row)
            and row.get("region_code") in regions]
    by_region: dict[str, list[dict]] = {}
    for row in rows:
        by_region.setdefault(row["region_code"], []).append(row)
    figures = {code: figure_of(group) for code, group in sorted(by_region.items())}
    drawn = [row for row in rows if row["id"] == figures[row["region_code"]].row_id]
    in_grid = [row for row in drawn if regions[row["region_code"]].federal_subject]
    total = sum(1 for region in regions.values() if region.federal_subject)
    several = any(len(group) > 1 for group in by_region.values())
    return Layer(
        id=spec["id"], title=dict(spec["title"]), unit=spec["unit"], bins=tuple(float(b) for b in spec["bins"]),
        caption={lang: caption(spec, in_grid, several, total, lang) for lang in LANGS},
        figures={code: f for code, f in figures.items() if regions[code].federal_subject},
        outside={code: f for code, f in figures.items() if not regions[code].federal_subject},
        regions=regions,
        sources={f.source_id: sources[f.source_id] for f in figures.values() if f.source_id in sources},
    )


def map_layers(tables: Mapping[str, pd.DataFrame | list[dict]]) -> list[Layer]:
    """The map's layers, in the order of layers.yaml, from tables as `tables.load` reads them
    (DataFrames) or as `tables.read_typed_rows` does (lists of dicts); both give the same layers.

    Needs the tables `regions`, `sources` and those the layers read (`casualties`, `bonuses`).
    """
    regions, sources = region_index(tables), source_index(tables)
    specs = layer_specs()
    plain = {name: records(tables[name]) for name in dict.fromkeys(spec["table"] for spec in specs)}
    return [layer_from(spec, plain, regions, sources) for spec in specs]


# ---- words for figures -----------------------------------------------------

def figure_row(figure: Figure) -> dict:
    """A figure as the row `facts` reads (a figure without a qualifier is a range when it has no value)."""
    qualifier = figure.qualifier or ("range" if figure.value is None else "exact")
    return {"qualifier": qualifier, "value": figure.value, "value_low": figure.value_low,
            "value_high": figure.value_high, "date_basis": figure.date_basis}


def figure_words(figure: Figure, lang: str, short: bool = False) -> str:
    """A figure as a person reads it: ≥ 15,000; ≈ 337,000; 200–400 (short: ≈ 337k)."""
    return figure_text(figure_row(figure), lang, short=short)


def colour_value(figure: Figure) -> float:
    """The number a tile is coloured by: the figure, a range's midpoint, a bound itself."""
    if figure.value is None:
        return (figure.value_low + figure.value_high) / 2
    return figure.value


def bin_index(value: float, bins: tuple[float, ...]) -> int:
    return sum(1 for bound in bins if value >= bound)


def bin_labels(bins: tuple[float, ...], lang: str) -> list[str]:
    bounds = [number_text(b, lang) for b in bins]
    labels = [say("map.bin_under", lang, high=bounds[0])]
    labels += [say("map.bin_between", lang, low=low, high=high) for low, high in zip(bounds, bounds[1:])]
    return labels + [say("map.bin_over", lang, low=bounds[-1])]


def source_words(source: Source | None, figure: Figure, lang: str) -> str:
    if source is None or source.footnote is None:
        publisher = source.publisher if source else figure.source_id
        return f"{publisher}, {say('map.report_section', lang, section=figure.section)}"
    return f"{source.publisher}, {say('table.footnote', lang, number=source.footnote)}"


# ---- drawing ---------------------------------------------------------------

def tile_of(code: str, cell: tuple[int, int], layer: Layer, lang: str, href_for: Callable[[str], str]) -> dict:
    region, figure = layer.regions[code], layer.figures.get(code)
    if figure is None:
        fill, short, value = None, "", say("table.no_figure", lang)
    else:
        fill = COLOURS[bin_index(colour_value(figure), layer.bins)]
        short, value = figure_words(figure, lang, short=True), f"{figure_words(figure, lang)} {unit_text(layer.unit, lang)}"
    x, y = MARGIN + cell[0] * (TILE + GAP), MARGIN + cell[1] * (TILE + GAP)
    return {"code": code, "short": code.split("-", 1)[1], "href": href_for(code), "x": x, "y": y,
            "fill": fill, "dark": fill in DARK_COLOURS, "label": short,
            "name": f"{region.names[lang]}: {value}"}


def figure_date(figure: Figure, lang: str) -> str:
    """A figure's date for the table: the day, marked when it is inferred; "date not given" when there is none."""
    if figure.as_of is None:
        return date_text(None, "day", lang)
    return day_text(figure.as_of, lang) + inferred_mark(figure_row(figure), lang)


def table_row(figure: Figure, layer: Layer, lang: str, href_for: Callable[[str], str]) -> dict:
    return {"code": figure.region_code, "name": layer.regions[figure.region_code].names[lang],
            "href": href_for(figure.region_code), "value": figure_words(figure, lang),
            "qualifier": label("qualifier", figure.qualifier or "exact", lang),
            "date": figure_date(figure, lang),
            "source": source_words(layer.sources.get(figure.source_id), figure, lang),
            "row_id": figure.row_id,
            "others": [{"value": figure_words(o, lang), "date": figure_date(o, lang), "row_id": o.row_id}
                       for o in figure.others[:OTHERS_SHOWN]],
            "more": max(0, len(figure.others) - OTHERS_SHOWN),
            "occupied": layer.regions[figure.region_code].occupied}


def render_tile_map(layer: Layer, lang: str, href_for: Callable[[str], str]) -> Markup:
    """The layer as an inline SVG tile map with its legend, caption and a data table, in `lang` (en or no)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    grid = tile_grid()
    subjects = [code for code, region in layer.regions.items() if region.federal_subject]
    missing = sorted(set(subjects) - set(grid))
    if missing:
        raise PipelineError(f"{GRID_FILE.name}: no tile for {', '.join(missing)}")
    strays = sorted(code for code in grid if code not in subjects)
    if strays:
        raise PipelineError(f"{GRID_FILE.name}: {', '.join(strays)} is not a Russian federal subject")
    reading_order = sorted(subjects, key=lambda code: (grid[code][1], grid[code][0]))  # rows north to south
    tiles = [tile_of(code, grid[code], layer, lang, href_for) for code in reading_order]
    width = MARGIN * 2 + (max(c for c, _ in grid.values()) + 1) * (TILE + GAP) - GAP
    height = MARGIN * 2 + (max(r for _, r in grid.values()) + 1) * (TILE + GAP) - GAP
    legend = [{"colour": colour, "label": text} for colour, text in zip(COLOURS, bin_labels(layer.bins, lang))]
    return Markup(environment().get_template("tilemap.html").render(
        layer=layer, lang=lang, t=lambda key, **values: say(key, lang, **values), tiles=tiles, width=width,
        height=height, tile=TILE, legend=legend, unit=unit_text(layer.unit, lang), caption=layer.caption[lang],
        title=layer.title[lang], rows=[table_row(f, layer, lang, href_for) for f in layer.figures.values()],
        outside=[table_row(f, layer, lang, href_for) for f in layer.outside.values()],
    ))
