"""Pure functions of the site: figures and dates as text, chart geometry, the interface catalogue."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.site import charts
from pipeline.site.facts import date_text, figure_text, figure_with_unit, number_text, period_text
from pipeline.site.i18n import LANGS, catalogue, label, local, say

SITE = Path(__file__).resolve().parent.parent / "pipeline" / "site"


# ---- figures and dates ----------------------------------------------------------------

@pytest.mark.parametrize("value, en, no", [(2700000, "2,700,000", "2\u00a0700\u00a0000"), ("6.50", "6.5", "6,5"),
                                           (42, "42", "42"), ("15000", "15,000", "15\u00a0000")])
def test_numbers_are_grouped_as_each_language_groups_them(value, en, no):
    assert (number_text(value, "en"), number_text(value, "no")) == (en, no)


@pytest.mark.parametrize("row, text", [
    ({"qualifier": "at_least", "value": 15000, "unit": "deaths"}, "≥ 15,000\u00a0deaths"),
    ({"qualifier": "range", "value_low": 200, "value_high": 400, "unit": "deaths"}, "200–400\u00a0deaths"),
    ({"qualifier": "approximately", "value": 42, "unit": "percent"}, "≈ 42\u00a0%"),
    ({"qualifier": "at_most", "value": 2, "unit": "years"}, "≤ 2\u00a0years"),
    ({"qualifier": "exact", "value": 199000, "unit": "NOK"}, "199,000\u00a0NOK"),
    ({"qualifier": None, "value": None, "unit": None}, ""),
])
def test_a_figure_reads_with_its_uncertainty_and_unit(row, text):
    assert figure_with_unit(row) == text


def test_norwegian_figures_and_dates():
    assert figure_with_unit({"qualifier": "at_most", "value": 2, "unit": "years"}, "no") == "≤ 2\u00a0år"
    assert date_text(date(2022, 2, 24), "day", "no") == "24. feb. 2022"
    assert date_text(date(2022, 9, 1), "season", "no") == "høsten 2022"
    assert period_text(date(2025, 1, 1), date(2025, 8, 31), "no") == "jan.–aug. 2025"
    assert period_text(date(2022, 2, 24), date(2023, 2, 23)) == "Feb 2022–Feb 2023"


# ---- chart geometry ------------------------------------------------------------------------

def bars(*rows) -> list[charts.Bar]:
    return [charts.Bar(f"bar {i}", "", row, figure_text(row), "") for i, row in enumerate(rows)]


def test_axis_ticks_are_round_and_reach_the_maximum():
    assert charts.nice_ticks(86744) == [0, 25000, 50000, 75000, 100000]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]


@pytest.mark.parametrize("qualifier, tags, faded", [
    ("exact", ["rect"], False), ("approximately", ["rect"], False), ("at_least", ["rect", "rect", "path"], True),
    ("at_most", ["rect", "path"], False), ("range", ["rect", "path"], False)])
def test_each_qualifier_has_its_own_shape(qualifier, tags, faded):
    row = {"qualifier": qualifier, "value": 50, "value_low": 20, "value_high": 50}
    chart = charts.bar_chart(bars(row), "deaths", "c", "title")
    marks = chart.rows[0].marks
    assert [m.tag for m in marks] == tags
    assert any(str(m.attrs.get("fill", "")).startswith("url(#c-fade-") for m in marks) == faded
    if qualifier == "approximately":
        assert marks[0].attrs["stroke-dasharray"] == "4 3"


def test_a_range_spans_its_bounds_and_every_label_fits_the_plot():
    chart = charts.bar_chart(bars({"qualifier": "range", "value_low": 200, "value_high": 400},
                                  {"qualifier": "at_least", "value": 15000}), "deaths", "c", "t")
    low, high = chart.rows[0].marks[0].attrs["x"], chart.rows[0].marks[0].attrs["x"] + chart.rows[0].marks[0].attrs["width"]
    assert low < high
    for row in chart.rows:
        assert row.figure_x + charts.CHAR * len(row.figure) <= charts.PLOT_RIGHT + 1


def test_timeline_puts_each_kind_of_event_in_its_own_band_and_keeps_overlaps_apart():
    events = [charts.Event(1, "war", date(2022, 2, 24), date(2022, 2, 24), False, "a", "war"),
              charts.Event(2, "law", date(2022, 2, 25), date(2022, 2, 25), False, "b", "law"),
              charts.Event(3, "war", date(2022, 2, 26), date(2022, 2, 26), False, "c", "war"),
              charts.Event(4, "war", date(2005, 1, 1), date(2005, 12, 31), False, "d", "war")]
    layout = charts.timeline(events)
    assert [r.label for r in layout.rows] == ["war", "law"]
    by_number = {m.number: m for m in layout.marks}
    war, law = layout.rows
    assert war.y <= by_number[1].y < war.y + war.height and law.y <= by_number[2].y < law.y + law.height
    assert by_number[1].y != by_number[3].y  # too close to share a lane
    assert len(layout.segments) == 2 and layout.breaks  # 2005 and 2022 on a broken axis
    assert by_number[4].point is False and by_number[1].point is True


def test_event_span_follows_the_date_precision():
    assert charts.event_span({"date": date(2022, 9, 1), "date_precision": "month"}) == (date(2022, 9, 1), date(2022, 9, 30))
    assert charts.event_span({"date": date(2022, 12, 1), "date_precision": "season"}) == (date(2022, 12, 1), date(2023, 2, 28))
    assert charts.event_span({"date": date(2005, 1, 1), "date_precision": "year"})[1] == date(2005, 12, 31)


# ---- the interface catalogue ------------------------------------------------------------------

def test_every_interface_text_is_in_both_languages():
    for key, texts in catalogue().items():
        assert all(texts[lang].strip() for lang in LANGS), key
        assert set(re.findall(r"{(\w+)}", texts["en"])) == set(re.findall(r"{(\w+)}", texts["no"])), key


def test_every_key_the_code_and_templates_use_is_in_the_catalogue():
    used = set()
    for path in list(SITE.glob("*.py")) + list((SITE / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:t|say)\(\s*["']([a-z_]+\.[a-z_0-9-]+)["']""", text))
    assert used and used <= set(catalogue()), used - set(catalogue())


def test_a_missing_norwegian_text_falls_back_to_english_marked_as_such():
    row = {"statement": "English words.", "statement_no": None, "name_en": "Buryatia", "name_no": "Burjatia"}
    assert local(row, "statement", "no").lang == "en"
    assert local(row, "name_en", "no").text == "Burjatia" and local(row, "name_en", "no").lang is None
    assert local(row, "statement", "en").lang is None
    assert label("claimant", "ukrainian-authorities", "no") == "ukrainske myndigheter"
    assert say("table.count", "no", shown=3, total=9) == "3 av 9 rader"
