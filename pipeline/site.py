"""The browsable report: a static, offline HTML site in `dist/site/`.

A front page (what the data is, how to cite it, downloads), a page per table
(sortable and filterable, foreign keys linked to the rows they point at) and four
chart pages whose charts are inline SVG drawn here. Nothing is loaded from
anywhere but the site's own folder (a Content-Security-Policy says so), and the
same inputs give the same bytes.

Figures are drawn as uncertain as they are: an exact figure is a solid bar, an
approximate one a pale bar with a dashed outline and "≈", `at_least` /
`more_than` a bar that runs on into a fading arrow, `at_most` / `less_than` an
open bar capped at its bound, and a range an interval between its bounds.
"""

from __future__ import annotations

import calendar
import html
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from .docs import citation, release_date, constraints_text, table_resources, uncertainty_fields
from .tables import csv_cell

ASSETS = Path(__file__).parent / "site_assets"
ASSET_FILES = ("style.css", "table.js")
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
COLOURS = ("#1f5f8b", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#17a2b8",
           "#6d4c41", "#d63384", "#566573", "#7cb342", "#3949ab")
SYMBOLS = {"approximately": "≈ ", "at_least": "≥ ", "more_than": "> ", "at_most": "≤ ", "less_than": "< "}
UNIT_LABELS = {"deaths_per_10000_inhabitants": "deaths per 10,000 inhabitants", "percent": "%"}
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "parquet": "Parquet"}
LONG_TEXT, FOLDED_TEXT = 60, 200  # a longer text wraps; a much longer one folds to its start

# Bar chart layout, in SVG units.
WIDTH, LABEL_WIDTH, NOTE_WIDTH, ROW_HEIGHT, BAR_HEIGHT, AXIS_HEIGHT = 780, 280, 96, 38, 14, 30
PLOT_LEFT, PLOT_RIGHT = LABEL_WIDTH + 10, WIDTH - NOTE_WIDTH - 10
ARROW = 40  # length of the fading run-on of an open-ended bar
LABEL_CHARS, SUBLABEL_CHARS = int(LABEL_WIDTH / 7.5), LABEL_WIDTH // 6  # what fits at font sizes 13 and 11
CHAR, DIGIT = 6.6, 6.5  # rough widths of a 12-unit character and a 10-unit digit, to fit labels


# ---- text -----------------------------------------------------------------

def esc(value) -> str:
    return html.escape(str(value), quote=True)


def prose(text: str) -> str:
    """Escaped text with `backticks` as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


def number_text(value) -> str:
    """A number for reading: thousands separated, no trailing zeros (2,700,000; 6.5)."""
    return format(Decimal(str(value)).normalize(), ",f")


def unit_text(unit: str | None) -> str:
    return UNIT_LABELS.get(unit, (unit or "").replace("_", " "))


def figure_text(row: dict) -> str:
    """A row's figure as the source states it: ≥ 15,000; ≈ 42; 200–400."""
    if row.get("qualifier") == "range":
        return f"{number_text(row['value_low'])}–{number_text(row['value_high'])}"
    return SYMBOLS.get(row.get("qualifier"), "") + number_text(row["value"])


def date_text(day: date | None, precision: str | None) -> str:
    """A date as precise as it is known: 24 Feb 2022, Sep 2022, summer 2022, 2022."""
    if day is None:
        return "date not given"
    if precision == "year":
        return str(day.year)
    if precision == "season":
        return f"{SEASONS[day.month]} {day.year}"
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not locale-dependent


INFERRED_MARK = " (inferred)"


def inferred_mark(row: dict) -> str:
    """" (inferred)" after a date the curators deduced (date_basis inferred); nothing after a stated one."""
    return INFERRED_MARK if row.get("date_basis") == "inferred" else ""


def when_text(row: dict) -> str:
    """When a figure holds: as of a date, over a period, or not given; an inferred date says so."""
    if row.get("as_of") and not row.get("period_start"):
        return f"as of {row['as_of'].isoformat()}{inferred_mark(row)}"
    if row.get("period_start"):
        end = row.get("period_end")
        return f"{row['period_start'].isoformat()}–{end.isoformat() if end else '?'}{inferred_mark(row)}"
    return "date not given"


def clipped(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[: characters - 1] + "…"


# ---- lookups --------------------------------------------------------------

def rows_by_key(descriptor: dict, tables: dict[str, list[dict]]) -> dict[str, dict[str, dict]]:
    """For each table with a one-field primary key: key value -> row."""
    index = {}
    for resource in table_resources(descriptor):
        key = resource["schema"]["primaryKey"]
        if len(key) == 1:
            index[resource["name"]] = {row[key[0]]: row for row in tables[resource["name"]]}
    return index


def place_name(row: dict, index: dict) -> str:
    """The region or federal district a row is about, by name; all of Russia; or "Region not identified"."""
    if row.get("region_code"):
        return index["regions"].get(row["region_code"], {}).get("name_en", row["region_code"])
    if row.get("federal_district_id"):
        return index["federal_districts"].get(row["federal_district_id"], {}).get("name_en",
                                                                                   row["federal_district_id"])
    if row.get("scope") == "russia":
        return "All of Russia"
    return "Region not identified"


def source_link(source_id: str, index: dict) -> str:
    """A link to a source's row on the sources page, and an arrow to its first address."""
    source = index["sources"].get(source_id, {})
    title = " — ".join(filter(None, [source.get("publisher"), source.get("title")]))
    link = f'<a href="table-sources.html#{esc(source_id)}" title="{esc(title)}">{esc(source_id)}</a>'
    urls = (source.get("urls") or "").split()
    if urls:
        link += f'<a class="ext" href="{esc(urls[0])}" rel="noopener noreferrer" title="{esc(urls[0])}">↗</a>'
    return link


def schema_field(descriptor: dict, table: str, name: str) -> dict:
    resource = next(r for r in table_resources(descriptor) if r["name"] == table)
    return next(f for f in resource["schema"]["fields"] if f["name"] == name)


def colours_for(values: list[str]) -> dict[str, str]:
    return {value: COLOURS[i % len(COLOURS)] for i, value in enumerate(values)}


# ---- bar charts -----------------------------------------------------------

@dataclass
class Bar:
    label: str
    sublabel: str
    row: dict
    colour: str = COLOURS[0]
    note: str = ""


def extent(row: dict) -> float:
    """How far a figure reaches on its axis."""
    return float(row["value_high"] if row.get("qualifier") == "range" else row["value"])


def run_on(row: dict) -> int:
    """Extra length an open-ended bar needs beyond its figure."""
    return ARROW if row.get("qualifier") in ("at_least", "more_than") else 0


def nice_ticks(maximum: float) -> list[float]:
    """Round axis ticks from 0 to at least `maximum`."""
    raw = maximum / 4 if maximum > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [step * i for i in range(math.ceil(maximum / step - 1e-9) + 1)]


def axis_maximum(bars: list[Bar]) -> float:
    """The smallest axis end at which every bar, its run-on and its label fit the plot."""
    plot = PLOT_RIGHT - PLOT_LEFT
    needed = [extent(b.row) * plot / (plot - run_on(b.row) - CHAR * len(figure_text(b.row)) - 8) for b in bars]
    return nice_ticks(max(needed))[-1]


def bar_marks(row: dict, x, y: float, colour: str, gradient: str) -> str:
    """The shapes of one figure, drawn as certain as it is. `x` maps a value to SVG x."""
    qualifier, top = row.get("qualifier"), y - BAR_HEIGHT / 2
    if qualifier == "range":
        low, high = x(row["value_low"]), x(row["value_high"])
        return (f'<rect x="{low:.1f}" y="{top:.1f}" width="{high - low:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}" fill-opacity="0.3"/>'
                f'<path d="M{low:.1f} {top - 3:.1f}v{BAR_HEIGHT + 6}M{high:.1f} {top - 3:.1f}v{BAR_HEIGHT + 6}'
                f'M{low:.1f} {y:.1f}H{high:.1f}" stroke="{colour}" stroke-width="2.5" fill="none"/>')
    end = x(row["value"])
    width = max(end - PLOT_LEFT, 1)
    if qualifier in ("at_most", "less_than"):
        return (f'<rect x="{PLOT_LEFT}" y="{top:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}" '
                f'fill-opacity="0.12" stroke="{colour}" stroke-dasharray="2 2"/>'
                f'<path d="M{end:.1f} {top - 3:.1f}v{BAR_HEIGHT + 6}M{end - 7:.1f} {y - 4:.1f}l-5 4l5 4" '
                f'stroke="{colour}" stroke-width="2.5" fill="none"/>')
    bar = f'<rect x="{PLOT_LEFT}" y="{top:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}"'
    if qualifier == "approximately":
        return bar + f' fill-opacity="0.55" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
    if qualifier in ("at_least", "more_than"):
        tip = end + ARROW
        return (bar + "/>" + f'<rect x="{end:.1f}" y="{top:.1f}" width="{ARROW - 8}" height="{BAR_HEIGHT}" '
                f'fill="url(#{gradient})"/>'
                f'<path d="M{tip - 8:.1f} {top - 2:.1f}L{tip:.1f} {y:.1f}L{tip - 8:.1f} {top + BAR_HEIGHT + 2:.1f}" '
                f'stroke="{colour}" stroke-opacity="0.5" stroke-width="2" fill="none"/>')
    return bar + "/>"


def bar_chart(bars: list[Bar], unit: str | None, chart_id: str, title: str, axis: bool = True) -> str:
    """A horizontal bar chart of figures, one row per bar, as inline SVG."""
    maximum = axis_maximum(bars) or 1  # all figures zero: still a drawable axis
    ticks = nice_ticks(maximum)

    def x(value) -> float:
        return PLOT_LEFT + float(value) / maximum * (PLOT_RIGHT - PLOT_LEFT)

    height = len(bars) * ROW_HEIGHT + (AXIS_HEIGHT if axis else 0) + 6
    gradients = {colour: f"{chart_id}-fade-{i}" for i, colour in enumerate(sorted({b.colour for b in bars}))}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title"><title id="{chart_id}-title">{esc(title)}</title><defs>']
    parts += [f'<linearGradient id="{gradient}"><stop offset="0" stop-color="{colour}"/>'
              f'<stop offset="1" stop-color="{colour}" stop-opacity="0"/></linearGradient>'
              for colour, gradient in gradients.items()]
    parts.append("</defs>")
    bottom = len(bars) * ROW_HEIGHT + 4
    if axis:
        for tick in ticks:
            parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="0" y2="{bottom}" stroke="#e3e6eb"/>'
                         f'<text x="{x(tick):.1f}" y="{bottom + 15}" font-size="11" text-anchor="middle" '
                         f'class="dim">{number_text(tick)}</text>')
        parts.append(f'<text x="{PLOT_RIGHT}" y="{bottom + 28}" font-size="11" text-anchor="end" '
                     f'class="dim">{esc(unit_text(unit))}</text>')
    parts.append(f'<line x1="{PLOT_LEFT}" x2="{PLOT_LEFT}" y1="0" y2="{bottom}" stroke="#8a93a3"/>')
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT + ROW_HEIGHT / 2 + 2
        row = bar.row
        tooltip = (f"{bar.label}: {figure_text(row)} {unit_text(row.get('unit'))}"
                   + (f" ({bar.sublabel})" if bar.sublabel else "") + f". {row.get('statement', '')}")
        parts.append(f"<g><title>{esc(tooltip)}</title>"
                     f'<text x="{LABEL_WIDTH}" y="{y - 2:.1f}" font-size="13" text-anchor="end">'
                     f"{esc(clipped(bar.label, LABEL_CHARS))}</text>"
                     f'<text x="{LABEL_WIDTH}" y="{y + 12:.1f}" font-size="11" text-anchor="end" class="dim">'
                     f"{esc(clipped(bar.sublabel, SUBLABEL_CHARS))}</text>"
                     + bar_marks(row, x, y, bar.colour, gradients[bar.colour])
                     + f'<text x="{x(extent(row)) + run_on(row) + 5:.1f}" y="{y + 4:.1f}" font-size="12">'
                       f"{esc(figure_text(row))}</text>")
        if bar.note:
            parts.append(f'<text x="{WIDTH - 4}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
                         f"{esc(bar.note)}</text>")
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


def swatch(colour: str) -> str:
    return (f'<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
            f'<rect width="14" height="14" rx="2" fill="{colour}"/></svg>')


def legend(colours: dict[str, str]) -> str:
    return '<ul class="legend">' + "".join(f"<li>{swatch(c)}{esc(v)}</li>" for v, c in colours.items()) + "</ul>"


def uncertainty_legend() -> str:
    """A key to how each qualifier is drawn, drawn the same way."""
    samples = [("exact", "exact", {"value": 60}), ("approximately", "approximately", {"value": 60}),
               ("at least / more than", "at_least", {"value": 60}),
               ("at most / less than", "at_most", {"value": 60}),
               ("range", "range", {"value_low": 40, "value_high": 80})]
    bars = [Bar(label, f"qualifier: {qualifier}", {"qualifier": qualifier, **values})
            for label, qualifier, values in samples]
    return figure(bar_chart(bars, None, "key", "How figures are drawn", axis=False),
                  "How figures are drawn: the bar is as certain as the source. Hover a bar for its statement.")


def chart_section(heading: str, bars: list[Bar], chart_id: str, caption: str, note_heading: str = "") -> str:
    """A heading and one bar chart per unit (units are never mixed on an axis)."""
    units = list(dict.fromkeys(b.row.get("unit") for b in bars))
    out = [f"<h2>{esc(heading)}</h2>"]
    for n, unit in enumerate(units):
        chosen = [b for b in bars if b.row.get("unit") == unit]
        title = f"{heading} ({unit_text(unit)})"
        notes = f" Right-hand column: {note_heading}." if note_heading and any(b.note for b in chosen) else ""
        out.append(figure(bar_chart(chosen, unit, f"{chart_id}-{n}", title),
                          f"{esc(caption)} In {esc(unit_text(unit))}.{esc(notes)}"))
    return "".join(out)


def has_figure(row: dict) -> bool:
    return row.get("qualifier") is not None


def without_figures(rows: list[dict], index: dict, heading: str, label=None) -> str:
    """A list of rows that give no figure, each led by `label(row)` (by default the place it is about)."""
    if not rows:
        return ""
    label = label or (lambda row: place_name(row, index))
    items = "".join(f"<li><strong>{esc(label(r))}</strong>: {esc(r['statement'])} "
                    f"<span class=\"muted\">({source_link(r['source_id'], index)})</span></li>" for r in rows)
    return f"<h2>{esc(heading)}</h2><ul class=\"plain\">{items}</ul>"


# ---- chart pages ----------------------------------------------------------

def deaths_page(descriptor: dict, tables: dict, index: dict) -> str:
    rows = tables["casualties"]
    rates = {(r["region_code"], r["category_id"]): r for r in rows
             if r["measure"] == "deaths_rate" and has_figure(r)}

    def bar(row: dict) -> Bar:
        conflict = " · in conflict" if row.get("conflict_id") else ""
        rate = rates.get((row.get("region_code"), row.get("category_id")))
        label = place_name(row, index)
        if row.get("scope") == "russia" and row.get("category_id"):
            label = index["categories"].get(row["category_id"], {}).get("name_en", row["category_id"])
        # The conflict mark goes with the place, so a long date text cannot clip it off the sublabel.
        return Bar(label + conflict, f"{when_text(row)} · {row['claimed_by']}", row,
                   note=f"{figure_text(rate)} per 10,000" if rate and row["measure"] == "deaths" else "")

    def by_size(chosen: list[dict]) -> list[Bar]:
        return [bar(r) for r in sorted(chosen, key=lambda r: (-extent(r), r["id"]))]

    mobilised = [r for r in rows if r["measure"] == "deaths" and r["category_id"] == "mobilised"
                 and r["scope"] != "russia" and has_figure(r)]
    everyone = [r for r in rows if r["measure"] == "deaths" and not r["category_id"]
                and r["scope"] != "russia" and has_figure(r)]
    russia = [r for r in rows if r["scope"] == "russia" and has_figure(r)]
    named = [r for r in rows if not has_figure(r)]
    return (
        "<h1>Deaths</h1><p class=\"lead\">Soldiers killed, by region, federal district and for the whole war, "
        "as counted or claimed by the source named under each bar. Each figure is drawn as certain as its "
        "source states it.</p>" + uncertainty_legend()
        + chart_section("Mobilised soldiers killed, by region", by_size(mobilised), "mobilised",
                        "Deaths among mobilised soldiers.",
                        "deaths per 10,000 inhabitants, where the report gives it")
        + chart_section("Killed, all categories, by region and federal district", by_size(everyone), "all",
                        "Deaths of all kinds of soldiers; ranges are drawn between their bounds.")
        + chart_section("The whole war", by_size(russia), "russia",
                        "Figures for all of Russia's forces; claims by a party to the war are marked by who "
                        "claims them.")
        + without_figures(named, index, "Named without a figure")
        + '<p class="muted">Data: <a href="table-casualties.html">casualties table</a>.</p>'
    )


def bonuses_page(descriptor: dict, tables: dict, index: dict) -> str:
    rows = tables["bonuses"]
    levels = colours_for(schema_field(descriptor, "bonuses", "level")["constraints"]["enum"])
    chosen = sorted([r for r in rows if has_figure(r)],
                    key=lambda r: (place_name(r, index), r["as_of"] or date.min, r["id"]))
    bars = [Bar(place_name(r, index), f"{r['level']} · {when_text(r)}", r, levels[r["level"]]) for r in chosen]
    return (
        "<h1>Contract bonuses</h1><p class=\"lead\">One-off payments for signing a contract with the army, by "
        "region and date. Amounts are given in the currency the report gives; they are never converted.</p>"
        + uncertainty_legend() + legend({k: v for k, v in levels.items() if any(b.colour == v for b in bars)})
        + chart_section("Contract bonuses by region and date", bars, "bonuses",
                        "The highest reported payment (peak, date not given) and the payment after the "
                        "reported fall (reduced), per region.")
        + without_figures([r for r in rows if not has_figure(r)], index, "Named as still paying high bonuses")
        + '<p class="muted">Data: <a href="table-bonuses.html">bonuses table</a>.</p>'
    )


def penalties_page(descriptor: dict, tables: dict, index: dict) -> str:
    rows = tables["penalties"]
    kinds = colours_for(schema_field(descriptor, "penalties", "kind")["constraints"]["enum"])
    offences = schema_field(descriptor, "penalties", "offence")["constraints"]["enum"]

    def sublabel(row: dict) -> str:
        if row["kind"] == "statutory":
            return f"statutory · {row['sanction']}"
        when = date_text(row["date"], row.get("date_precision")) + inferred_mark(row) if row.get("date") else ""
        return " · ".join(filter(None, ["court case", row.get("court_city") or "court not named", when]))

    chosen = sorted([r for r in rows if has_figure(r)],
                    key=lambda r: (offences.index(r["offence"]), r["kind"], -extent(r), r["id"]))
    bars = [Bar(r["offence"].replace("-", " "), sublabel(r), r, kinds[r["kind"]]) for r in chosen]
    return (
        "<h1>Penalties</h1><p class=\"lead\">What the law allows for evading the draft, leaving the unit "
        "(SOCh) and desertion, next to the sentences courts have handed down in the cases the report "
        "cites. A statutory maximum is drawn as an open bar up to its bound.</p>"
        + uncertainty_legend() + legend({k: v for k, v in kinds.items() if any(b.colour == v for b in bars)})
        + chart_section("Statutory ranges and court sentences", bars, "penalties",
                        "Grouped by offence; statutory limits and court sentences side by side.")
        + without_figures([r for r in rows if not has_figure(r)], index, "Sanctions without a figure",
                          lambda r: r["sanction"].replace("-", " "))
        + '<p class="muted">Data: <a href="table-penalties.html">penalties table</a>.</p>'
    )


# ---- timeline -------------------------------------------------------------

def event_when(row: dict) -> str:
    """When an event happened, as precisely as known: 2005 to 2006, Sep 2022 (inferred)."""
    when = date_text(row.get("date"), row.get("date_precision"))
    if row.get("date_end"):
        when += f" to {date_text(row['date_end'], row.get('date_precision'))}"
    return when + inferred_mark(row)


def event_span(row: dict) -> tuple[date, date]:
    """The first and last day an event may fall on, from its date, end date and precision."""
    start, precision = row["date"], row.get("date_precision")
    if row.get("date_end"):
        return start, row["date_end"]
    if precision == "year":
        return start, date(start.year, 12, 31)
    if precision in ("month", "season"):
        months = 3 if precision == "season" else 1
        year, month = divmod(start.month - 1 + months, 12)
        return start, date(start.year + year, month + 1, 1) - timedelta(days=1)
    return start, start


def year_clusters(spans: list[tuple[date, date]]) -> list[tuple[date, date, int]]:
    """Runs of years with events (gaps of up to one empty year joined): (first day, last day, events)."""
    clusters: list[list] = []
    for start, end in sorted(spans):
        if clusters and start.year - clusters[-1][1].year <= 2:
            clusters[-1][1] = max(clusters[-1][1], end)
            clusters[-1][2] += 1
        else:
            clusters.append([date(start.year, 1, 1), end, 1])
    return [(first, date(last.year, last.month, calendar.monthrange(last.year, last.month)[1]), n)
            for first, last, n in clusters]


def timeline_svg(dated: list[dict], colours: dict[str, str]) -> str:
    """Dated events on a time axis (broken between distant years), numbered as in the list below."""
    if not dated:
        return ""
    spans = [event_span(r) for r in dated]
    clusters = year_clusters(spans)
    main = max(range(len(clusters)), key=lambda i: clusters[i][2])
    gap, small, left, right = 26, 90, 10, WIDTH - 30
    widths = [small if i != main else right - left - (len(clusters) - 1) * (small + gap)
              for i in range(len(clusters))]
    offsets = [left + sum(widths[:i]) + i * gap for i in range(len(clusters))]

    def x(day: date) -> float:
        i = next(i for i, (first, last, _) in enumerate(clusters) if first <= day <= last)
        first, last, _ = clusters[i]
        return offsets[i] + (day - first).days / max((last - first).days, 1) * widths[i]

    lanes: list[float] = []
    marks = []
    for number, (row, (start, end)) in enumerate(zip(dated, spans), start=1):
        x1, x2 = x(start), max(x(end), x(start) + 8)
        reach = x2 + 4 + DIGIT * len(str(number)) + 6
        lane = next((i for i, free in enumerate(lanes) if free <= x1), len(lanes))
        lanes[lane:lane + 1] = [reach]
        marks.append((number, row, start, end, x1, x2, lane))
    top, lane_height = 8, 18
    axis_y = top + len(lanes) * lane_height + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {axis_y + 34}" role="img" '
             f'aria-labelledby="timeline-title"><title id="timeline-title">Timeline of dated events</title>']
    for i, (first, last, _) in enumerate(clusters):
        parts.append(f'<line x1="{offsets[i]:.1f}" x2="{offsets[i] + widths[i]:.1f}" y1="{axis_y}" y2="{axis_y}" '
                     f'stroke="#8a93a3"/>')
        years = range(first.year + (first.month > 1), last.year + 1)
        if i == main:
            for year in years:
                tick = x(date(year, 1, 1))
                parts.append(f'<line x1="{tick:.1f}" x2="{tick:.1f}" y1="0" y2="{axis_y + 4}" stroke="#e3e6eb"/>'
                             f'<text x="{tick:.1f}" y="{axis_y + 18}" font-size="11" text-anchor="middle" '
                             f'class="dim">{year}</text>')
        else:
            label = f"{first.year}–{last.year}" if first.year != last.year else str(first.year)
            parts.append(f'<text x="{offsets[i] + widths[i] / 2:.1f}" y="{axis_y + 18}" font-size="11" '
                         f'text-anchor="middle" class="dim">{label}</text>')
        if i:
            mid = offsets[i] - gap / 2
            parts.append(f'<path d="M{mid - 6:.1f} {axis_y + 5}l6 -10M{mid:.1f} {axis_y + 5}l6 -10" '
                         f'stroke="#8a93a3" fill="none"/>')
    for number, row, start, end, x1, x2, lane in marks:
        y = top + lane * lane_height + lane_height / 2
        colour = colours[row["event_type"]]
        when = event_when(row)
        if start == end:
            shape = f'<circle cx="{x1:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'
        else:
            opacity = "1" if row.get("date_end") else "0.45"
            shape = (f'<rect x="{x1:.1f}" y="{y - 4:.1f}" width="{x2 - x1:.1f}" height="8" rx="4" '
                     f'fill="{colour}" fill-opacity="{opacity}"/>')
        parts.append(f'<a href="#event-{number}"><title>{number}. {esc(when)}: {esc(row["statement"])}</title>'
                     f'{shape}<text x="{x2 + 4:.1f}" y="{y + 4:.1f}" font-size="10" class="dim">{number}</text></a>')
    parts.append("</svg>")
    return "".join(parts)


def event_item(row: dict, index: dict, colour: str, number: int | None = None) -> str:
    when = event_when(row)
    anchor = f' id="event-{number}" value="{number}"' if number else ""
    place = f" · {esc(place_name(row, index))}" if row.get("region_code") else ""
    return (f'<li{anchor}><span class="date">{esc(when)}</span> {swatch(colour)}<span class="badge">'
            f"{esc(row['event_type'])}</span>{place} — {esc(row['statement'])} "
            f"<span class=\"muted\">({esc(row['claimed_by'])}; {source_link(row['source_id'], index)})</span></li>")


def timeline_page(descriptor: dict, tables: dict, index: dict) -> str:
    rows = tables["events"]
    colours = colours_for(schema_field(descriptor, "events", "event_type")["constraints"]["enum"])
    dated = sorted([r for r in rows if r.get("date")], key=lambda r: (r["date"], r["id"]))
    undated = [r for r in rows if not r.get("date")]
    return (
        "<h1>Timeline</h1><p class=\"lead\">The laws, decisions and events of recruitment for the war. "
        "A dot is an event known to the day; a pale bar one known only to the month, season or year "
        "(it happened somewhere in that bar); a solid bar an event that lasted a period. A date marked "
        "“(inferred)” is the curators' deduction, not stated by the source. Numbers match the "
        "list below.</p>"
        + figure(timeline_svg(dated, colours), "Dated events. Click a mark to jump to its entry.")
        + legend({t: c for t, c in colours.items() if any(r["event_type"] == t for r in rows)})
        + "<h2>Dated events</h2><ol class=\"events\">"
        + "".join(event_item(r, index, colours[r["event_type"]], n) for n, r in enumerate(dated, start=1))
        + "</ol><h2>Events without a date</h2><ul class=\"events plain\">"
        + "".join(event_item(r, index, colours[r["event_type"]]) for r in undated)
        + '</ul><p class="muted">Data: <a href="table-events.html">events table</a>.</p>'
    )


# Chart pages: file -> (title, function returning the page body, one line for the front page).
CHART_PAGES = {
    "chart-deaths.html": ("Deaths", deaths_page,
                          "Soldiers killed by region, with ranges and lower bounds drawn as such."),
    "chart-bonuses.html": ("Contract bonuses", bonuses_page,
                           "Contract-signing bonuses by region, at their peak and after the fall."),
    "chart-penalties.html": ("Penalties", penalties_page, "Statutory maximum penalties next to court sentences."),
    "chart-timeline.html": ("Timeline", timeline_page, "Laws, decisions and events on a time line."),
}


# ---- table pages ----------------------------------------------------------

def cell_html(value, name: str, links: dict[str, str], index: dict, inferred: bool = False) -> str:
    """One table cell: FK values link to the row they point at, addresses are links, an inferred date says so."""
    text = csv_cell(value)
    if value is None:
        return "<td></td>"
    if isinstance(value, date) and inferred:
        return f'<td data-sort="{esc(text)}">{esc(text)}<span class="muted">{esc(INFERRED_MARK)}</span></td>'
    if links.get(name) == "sources":
        return f"<td>{source_link(value, index)}</td>"
    if name in links:
        return f'<td><a href="table-{links[name]}.html#{esc(text)}">{esc(text)}</a></td>'
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        anchors = " ".join(f'<a href="{esc(u)}" rel="noopener noreferrer">{esc(u)}</a>' for u in value.split())
        return f'<td class="long">{anchors}</td>'
    if isinstance(value, (int, Decimal)):
        return f'<td class="num" data-sort="{esc(text)}">{esc(text)}</td>'
    if isinstance(value, str) and len(value) > FOLDED_TEXT:
        head = text[: text.rfind(" ", 0, FOLDED_TEXT - 40)]
        return (f'<td class="long"><details><summary><span class="head">{prose(head)} …</span></summary>'
                f"{prose(text)}</details></td>")
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return f'<td class="long">{prose(text)}</td>'
    return f"<td>{esc(text)}</td>"


def downloads(descriptor: dict, table: str) -> str:
    """Links to a table's CSV, JSON and Parquet files."""
    copies = (table, f"{table}-json", f"{table}-parquet")
    return " · ".join(f'<a href="../{esc(r["path"])}">{FORMAT_NAMES.get(r["format"], r["format"])}</a>'
                      for r in descriptor["resources"] if r["name"] in copies)


def field_item(field: dict, links: dict[str, str]) -> str:
    """A field of a table, described: name, title, type, description, constraints, reference."""
    extra = [prose(constraints_text(field))] if constraints_text(field) else []
    if field["name"] in links:
        table = links[field["name"]]
        extra.append(f'refers to <a href="table-{table}.html">{esc(table)}</a>')
    return (f"<dt><code>{esc(field['name'])}</code> {esc(field['title'])} "
            f"<span class=\"badge\">{esc(field['type'])}</span></dt><dd>{prose(field['description'])}"
            + "".join(f'<br><span class="muted">{text}</span>' for text in extra) + "</dd>")


def table_page(descriptor: dict, resource: dict, tables: dict, index: dict) -> str:
    name, schema = resource["name"], resource["schema"]
    rows = tables[name]
    names = [f["name"] for f in schema["fields"]]
    key = schema["primaryKey"]
    links = {f: k["reference"]["resource"] for k in schema.get("foreignKeys", [])
             for f in k["fields"] if k["fields"] != key}
    head = "".join(f'<th scope="col" title="{esc(f["title"])}: {esc(f["description"])}"><button type="button">'
                   f"{esc(f['name'])}</button></th>" for f in schema["fields"])
    body_rows = []
    for row in rows:
        anchor = f' id="{esc(row[key[0]])}"' if len(key) == 1 else ""
        inferred = row.get("date_basis") == "inferred"
        body_rows.append(f"<tr{anchor}>" + "".join(cell_html(row[n], n, links, index, inferred) for n in names)
                         + "</tr>")
    fields = "".join(field_item(f, links) for f in schema["fields"])
    return (
        f"<h1>{esc(resource['title'])}</h1><p class=\"lead\">{prose(resource['description'])}</p>"
        f"<p>{len(rows)} rows · download {downloads(descriptor, name)} · "
        f"primary key <code>{esc(', '.join(key))}</code></p>"
        f'<div class="controls"><label>Filter rows <input type="search" data-filter="data" '
        f'placeholder="words to look for"></label><output data-count="data">{len(rows)} of {len(rows)} rows'
        f"</output><span class=\"muted\">Click a column heading to sort.</span></div>"
        f'<table class="data" id="data"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body_rows) + f"</tbody></table><h2>Fields</h2><dl class=\"fields\">{fields}</dl>"
    )


# ---- front page and layout -------------------------------------------------


def released_words(descriptor: dict) -> str:
    """'released <date>', or what a development build is."""
    day = release_date(descriptor)
    return "a development build, not a release" if day == "unreleased" else f"released {esc(day)}"


def index_page(descriptor: dict, tables: dict, index: dict) -> str:
    name = descriptor["name"]
    license_ = descriptor["licenses"][0]
    cards = "".join(f'<a href="{page}"><strong>{esc(title)}</strong>{esc(text)}</a>'
                    for page, (title, _, text) in CHART_PAGES.items())
    table_rows = "".join(
        f'<tr><td><a href="table-{r["name"]}.html">{esc(r["title"])}</a></td><td class="num">'
        f'{len(tables[r["name"]])}</td><td class="long">{prose(r["description"])}</td>'
        f"<td>{downloads(descriptor, r['name'])}</td></tr>" for r in table_resources(descriptor))
    uncertainty = "".join(f"<dt><code>{esc(f['name'])}</code></dt><dd>{prose(f['description'])}</dd>"
                          for f in uncertainty_fields(descriptor))
    sources = "".join(f"<li>{esc(s['title'])}. {prose(s.get('description', ''))}</li>"
                      for s in descriptor.get("sources", []))
    return (
        f"<h1>{esc(descriptor['title'])}</h1><p class=\"lead\">{prose(descriptor['description'])}</p>"
        f"<p>Version <strong>{esc(descriptor['version'])}</strong> ({released_words(descriptor)}) "
        f"of the <code>{esc(name)}</code> data package. "
        f'License: <a href="{esc(license_.get("path", ""))}" rel="noopener noreferrer">'
        f"{esc(license_.get('title', license_['name']))}</a> ({esc(license_['name'])}).</p>"
        f"<h2>Charts</h2><div class=\"cards\">{cards}</div>"
        f"<h2>Tables</h2><table><thead><tr><th>table</th><th>rows</th><th>what it holds</th>"
        f"<th>download</th></tr></thead><tbody>{table_rows}</tbody></table>"
        f"<h2>Downloads</h2><ul>"
        f'<li><a href="../{esc(name)}.xlsx">{esc(name)}.xlsx</a>: the spreadsheet edition (a README sheet, '
        f"a data dictionary and a sheet per table)</li>"
        f'<li><a href="../{esc(name)}.sqlite">{esc(name)}.sqlite</a>: one SQLite database, ready for '
        f"<code>datasette {esc(name)}.sqlite -m metadata.json</code></li>"
        f'<li><a href="../metadata.json">metadata.json</a>: titles, license and column descriptions for '
        f"Datasette</li>"
        f'<li><a href="../datapackage.json">datapackage.json</a>: the Frictionless data package descriptor, '
        f"with every schema</li>"
        f'<li><a href="../data-dictionary.md">data-dictionary.md</a>: every table and field</li>'
        f"<li>CSV, JSON and Parquet per table: see the table list above</li></ul>"
        f"<h2>How to cite</h2><blockquote class=\"cite\">{esc(citation(descriptor))}</blockquote>"
        f"<h2>Reading the figures</h2><p>A figure is never more certain than its source. Each row says who "
        f"reported it (<code>source_id</code>), who claims it (<code>claimed_by</code>) and how sure it "
        f"is:</p><dl class=\"fields\">{uncertainty}</dl>" + uncertainty_legend()
        + f"<h2>Sources</h2><ul>{sources}</ul><p>Every row links to its source on the "
        f'<a href="table-sources.html">sources page</a>.</p>'
    )


def nav(descriptor: dict, current: str, titles: dict[str, str]) -> str:
    def item(page: str) -> str:
        mark = ' aria-current="page"' if page == current else ""
        return f'<li><a href="{page}"{mark}>{esc(titles[page])}</a></li>'

    charts = "".join(item(p) for p in CHART_PAGES)
    tables = "".join(item(f"table-{r['name']}.html") for r in table_resources(descriptor))
    return (f'<nav class="site" aria-label="Pages"><ul>{item("index.html")}</ul>'
            f'<span class="group">Charts:</span><ul>{charts}</ul>'
            f'<span class="group">Tables:</span><ul>{tables}</ul></nav>')


def layout(descriptor: dict, page: str, title: str, body: str, titles: dict[str, str]) -> str:
    """A whole HTML page around `body`."""
    scripts = '<script src="table.js"></script>' if page.startswith("table-") else ""
    license_ = descriptor["licenses"][0]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · {esc(descriptor['title'])}</title>"
        f'<link rel="icon" href="data:,"><link rel="stylesheet" href="style.css"></head><body>'
        f'<header class="site"><a class="name" href="index.html">{esc(descriptor["title"])}</a>'
        f'<span class="version">version {esc(descriptor["version"])}</span></header>'
        f"{nav(descriptor, page, titles)}<main>{body}</main>"
        f'<footer class="site"><code>{esc(descriptor["name"])}</code> version {esc(descriptor["version"])} · '
        f"data under {esc(license_['name'])} · built from the data package, works offline</footer>"
        f"{scripts}</body></html>\n"
    )


def site_pages(descriptor: dict, tables: dict[str, list[dict]]) -> dict[str, str]:
    """Every page of the site: file name -> HTML."""
    index = rows_by_key(descriptor, tables)
    titles = {"index.html": "Overview"}
    titles.update({page: title for page, (title, _, _) in CHART_PAGES.items()})
    titles.update({f"table-{r['name']}.html": r["title"] for r in table_resources(descriptor)})
    bodies = {"index.html": index_page(descriptor, tables, index)}
    bodies.update({page: func(descriptor, tables, index) for page, (_, func, _) in CHART_PAGES.items()})
    bodies.update({f"table-{r['name']}.html": table_page(descriptor, r, tables, index)
                   for r in table_resources(descriptor)})
    return {page: layout(descriptor, page, titles[page], body, titles) for page, body in bodies.items()}


def write_site(descriptor: dict, tables: dict[str, list[dict]], folder: Path) -> None:
    """Write the offline report into `folder` (dist/site): HTML pages, style sheet and script."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        (folder / name).write_bytes((ASSETS / name).read_bytes())
    for page, text in site_pages(descriptor, tables).items():
        (folder / page).write_text(text, encoding="utf-8", newline="\n")
