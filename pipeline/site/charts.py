"""Chart geometry as pure functions: where every bar, tick, label and timeline mark goes, in SVG units.

Nothing here writes markup: a chart is a dataclass of shapes (`Shape`: an SVG tag and its
attributes) and texts that `templates/charts.html` draws. Figures are drawn as uncertain as they
are: an exact figure is a solid bar, an approximate one a pale bar with a dashed outline,
`at_least` / `more_than` a bar that runs on into a fading arrow, `at_most` / `less_than` an open
bar capped at its bound, and a range an interval between its bounds.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from .facts import extent

COLOURS = ("#1f5f8b", "#c0392b", "#2e8b57", "#8e44ad", "#b9770e", "#117a8b",
           "#6d4c41", "#c2185b", "#566573", "#558b2f", "#3949ab")

# Bar chart layout.
WIDTH, LABEL_WIDTH, NOTE_WIDTH, ROW_HEIGHT, BAR_HEIGHT, AXIS_HEIGHT = 780, 280, 96, 38, 14, 30
PLOT_LEFT, PLOT_RIGHT = LABEL_WIDTH + 10, WIDTH - NOTE_WIDTH - 10
ARROW = 40  # length of the fading run-on of an open-ended bar
LABEL_CHARS, SUBLABEL_CHARS = int(LABEL_WIDTH / 7.5), LABEL_WIDTH // 6  # what fits at font sizes 13 and 11
CHAR, DIGIT = 6.6, 6.5  # rough widths of a 12-unit character and a 10-unit digit, to fit labels

# Timeline layout.
TYPE_WIDTH, LANE_HEIGHT, TYPE_GAP = 150, 18, 8


@dataclass
class Shape:
    """One SVG element: its tag and attributes, in order."""

    tag: str
    attrs: dict


@dataclass
class Bar:
    """What a bar chart is given for one figure: texts already in the page's language."""

    label: str
    sublabel: str
    row: dict
    figure: str
    tooltip: str
    colour: str = COLOURS[0]
    note: str = ""


@dataclass
class BarRow:
    y: float
    label: str
    sublabel: str
    tooltip: str
    marks: list[Shape]
    figure: str
    figure_x: float
    note: str


@dataclass
class BarChart:
    id: str
    title: str
    height: float
    gradients: list[tuple[str, str]]
    ticks: list[tuple[float, float]]
    bottom: float
    rows: list[BarRow]
    axis: bool
    unit: str
    width: int = WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    label_x: int = LABEL_WIDTH


def colours_for(values: list[str]) -> dict[str, str]:
    return {value: COLOURS[i % len(COLOURS)] for i, value in enumerate(values)}


def clipped(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[: characters - 1] + "…"


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
    """The smallest axis end at which every bar, its run-on and its figure label fit the plot."""
    plot = PLOT_RIGHT - PLOT_LEFT
    needed = [extent(b.row) * plot / (plot - run_on(b.row) - CHAR * len(b.figure) - 8) for b in bars]
    return nice_ticks(max(needed))[-1]


def bar_marks(row: dict, x, y: float, colour: str, gradient: str) -> list[Shape]:
    """The shapes of one figure, drawn as certain as it is. `x` maps a value to SVG x."""
    qualifier, top = row.get("qualifier"), round(y - BAR_HEIGHT / 2, 1)
    if qualifier == "range":
        low, high = x(row["value_low"]), x(row["value_high"])
        return [Shape("rect", {"x": low, "y": top, "width": round(high - low, 1), "height": BAR_HEIGHT,
                               "fill": colour, "fill-opacity": "0.3"}),
                Shape("path", {"d": f"M{low:.1f} {top - 3:.1f}v{BAR_HEIGHT + 6}M{high:.1f} {top - 3:.1f}"
                                    f"v{BAR_HEIGHT + 6}M{low:.1f} {y:.1f}H{high:.1f}",
                               "stroke": colour, "stroke-width": "2.5", "fill": "none"})]
    end = x(row["value"])
    width = round(max(end - PLOT_LEFT, 1), 1)
    bar = {"x": PLOT_LEFT, "y": top, "width": width, "height": BAR_HEIGHT, "fill": colour}
    if qualifier in ("at_most", "less_than"):
        return [Shape("rect", bar | {"fill-opacity": "0.12", "stroke": colour, "stroke-dasharray": "2 2"}),
                Shape("path", {"d": f"M{end:.1f} {top - 3:.1f}v{BAR_HEIGHT + 6}M{end - 7:.1f} {y - 4:.1f}l-5 4l5 4",
                               "stroke": colour, "stroke-width": "2.5", "fill": "none"})]
    if qualifier == "approximately":
        return [Shape("rect", bar | {"fill-opacity": "0.55", "stroke": colour, "stroke-width": "1.5",
                                     "stroke-dasharray": "4 3"})]
    if qualifier in ("at_least", "more_than"):
        tip = end + ARROW
        return [Shape("rect", bar),
                Shape("rect", {"x": end, "y": top, "width": ARROW - 8, "height": BAR_HEIGHT,
                               "fill": f"url(#{gradient})"}),
                Shape("path", {"d": f"M{tip - 8:.1f} {top - 2:.1f}L{tip:.1f} {y:.1f}L{tip - 8:.1f} "
                                    f"{top + BAR_HEIGHT + 2:.1f}",
                               "stroke": colour, "stroke-opacity": "0.5", "stroke-width": "2", "fill": "none"})]
    return [Shape("rect", bar)]


def bar_chart(bars: list[Bar], unit: str, chart_id: str, title: str, axis: bool = True) -> BarChart:
    """A horizontal bar chart of figures, one row per bar."""
    maximum = axis_maximum(bars) or 1  # all figures zero: still a drawable axis

    def x(value) -> float:
        return round(PLOT_LEFT + float(value) / maximum * (PLOT_RIGHT - PLOT_LEFT), 1)

    gradients = {colour: f"{chart_id}-fade-{i}" for i, colour in enumerate(sorted({b.colour for b in bars}))}
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT + ROW_HEIGHT / 2 + 2
        rows.append(BarRow(y, clipped(bar.label, LABEL_CHARS), clipped(bar.sublabel, SUBLABEL_CHARS), bar.tooltip,
                           bar_marks(bar.row, x, y, bar.colour, gradients[bar.colour]), bar.figure,
                           round(x(extent(bar.row)) + run_on(bar.row) + 5, 1), bar.note))
    return BarChart(chart_id, title, len(bars) * ROW_HEIGHT + (AXIS_HEIGHT if axis else 0) + 6,
                    [(g, c) for c, g in gradients.items()],
                    [(x(t), t) for t in nice_ticks(maximum)] if axis else [], len(bars) * ROW_HEIGHT + 4,
                    rows, axis, unit)


# ---- timeline ------------------------------------------------------------------

@dataclass
class Mark:
    number: int
    type: str
    x1: float
    x2: float
    y: float
    point: bool
    solid: bool
    colour: str
    title: str


@dataclass
class TypeRow:
    label: str
    y: float
    height: float
    colour: str


@dataclass
class Timeline:
    height: float
    axis_y: float
    segments: list[tuple[float, float]]
    ticks: list[tuple[float, str]]
    breaks: list[float]
    rows: list[TypeRow]
    marks: list[Mark]
    width: int = WIDTH
    label_x: int = TYPE_WIDTH - 8


@dataclass
class Event:
    """One dated timeline entry: its number, kind, first and last possible day, and texts."""

    number: int
    type: str
    start: date
    end: date
    solid: bool
    title: str
    type_label: str = ""
    colour: str = COLOURS[0]
    extra: dict = field(default_factory=dict)


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


def timeline(events: list[Event]) -> Timeline:
    """Dated events on a time axis broken between distant years, one band of lanes per kind of event."""
    clusters = year_clusters([(e.start, e.end) for e in events])
    main = max(range(len(clusters)), key=lambda i: clusters[i][2])
    gap, small, left, right = 26, 70, TYPE_WIDTH, WIDTH - 30
    widths = [small if i != main else right - left - (len(clusters) - 1) * (small + gap)
              for i in range(len(clusters))]
    offsets = [left + sum(widths[:i]) + i * gap for i in range(len(clusters))]

    def x(day: date) -> float:
        i = next(i for i, (first, last, _) in enumerate(clusters) if first <= day <= last)
        first, last, _ = clusters[i]
        return round(offsets[i] + (day - first).days / max((last - first).days, 1) * widths[i], 1)

    types = list(dict.fromkeys(e.type for e in events))
    rows, marks, top = [], [], 4.0
    for kind in types:
        lanes: list[float] = []
        placed = []
        for event in (e for e in events if e.type == kind):
            x1, x2 = x(event.start), max(x(event.end), x(event.start) + 8)
            reach = x2 + 4 + DIGIT * len(str(event.number)) + 6
            lane = next((i for i, free in enumerate(lanes) if free <= x1), len(lanes))
            lanes[lane:lane + 1] = [reach]
            placed.append((event, x1, x2, lane))
        height = len(lanes) * LANE_HEIGHT
        first = next(e for e in events if e.type == kind)
        rows.append(TypeRow(first.type_label, top, height, first.colour))
        for event, x1, x2, lane in placed:
            marks.append(Mark(event.number, kind, x1, round(x2, 1), top + lane * LANE_HEIGHT + LANE_HEIGHT / 2,
                              event.start == event.end, event.solid, event.colour, event.title))
        top += height + TYPE_GAP
    axis_y = top + 2
    ticks, segments, breaks = [], [], []
    for i, (first, last, _) in enumerate(clusters):
        segments.append((offsets[i], offsets[i] + widths[i]))
        if i == main:
            ticks += [(x(date(year, 1, 1)), str(year)) for year in range(first.year + (first.month > 1), last.year + 1)]
        else:
            ticks.append((round(offsets[i] + widths[i] / 2, 1),
                          f"{first.year}–{last.year}" if first.year != last.year else str(first.year)))
        if i:
            breaks.append(offsets[i] - gap / 2)
    marks.sort(key=lambda m: m.number)
    return Timeline(axis_y + 34, axis_y, segments, ticks, breaks, rows, marks)
