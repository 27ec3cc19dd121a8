"""The tile map of Russia's federal subjects (pipeline/site/tilemap.py).

The layout is data (pipeline/site/map/tile_grid.csv): one tile per federal subject, one subject
per cell, and no Ukrainian region in the Russian grid. A layer shows each figure with its
qualifier, a subject without a figure as "no figure" (never as 0), links every tile, and comes
with a data table and captions in English and bokmål. Each layer is also written, in both
languages, to build/test-artifacts/tilemap-<layer>-<lang>.html for a person to look at.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from pipeline.descriptor import table_resources
from pipeline.problems import PipelineError
from pipeline.tables import load, read_typed_rows
from pipeline.site.tilemap import COLOURS, GRID_FILE, map_layers, render_tile_map, tile_grid

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"
TABLES = ("regions", "sources", "casualties", "bonuses")
SVG = "{http://www.w3.org/2000/svg}"


def href_for(code: str) -> str:
    return f"place-{code}.html"


def raw_regions() -> list[dict]:
    with (ROOT / "raw" / "regions.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def grid_rows() -> list[dict]:
    with GRID_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The shipped package's tables as `tables.load` reads them."""
    return {name: load(name, ROOT / "dist") for name in TABLES}


@pytest.fixture(scope="module")
def layers(tables) -> dict:
    return {layer.id: layer for layer in map_layers(tables)}


def with_row(tables: dict, table: str, **cells) -> dict:
    """The tables with one more row in `table` (cells not given are empty)."""
    frame = tables[table]
    row = pd.DataFrame([{column: cells.get(column) for column in frame.columns}])
    return {**tables, table: pd.concat([frame.astype(object), row], ignore_index=True)}


def mobilised_death(region_code: str, row_id: str, value: float) -> dict:
    return dict(id=row_id, scope="region", region_code=region_code, category_id="mobilised", measure="deaths",
                qualifier="exact", value=value, unit="deaths", claimed_by="bbc-mediazona", statement="A test row.",
                section="1.2", source_id="fn08")


def svg_of(markup: str) -> ET.Element:
    """The map's own <svg> (the first one), parsed as XML."""
    match = re.search(r"<svg\b.*?</svg>", markup, flags=re.S)
    return ET.fromstring(match.group(0))


def tiles_of(markup: str) -> dict[str, ET.Element]:
    return {a.get("data-region"): a for a in svg_of(markup).iter(f"{SVG}a")}


class TableRows(HTMLParser):
    """The data-region of each body row of the page's tables, in order."""

    def __init__(self):
        super().__init__()
        self.regions = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-region" in attrs:
            self.regions.append(attrs["data-region"])


def table_regions(markup: str) -> list[str]:
    parser = TableRows()
    parser.feed(markup)
    return parser.regions


# ---- the layout ------------------------------------------------------------

def test_layout_covers_each_russian_federal_subject_exactly_once():
    subjects = {r["region_code"] for r in raw_regions()
                if r["country_code"] == "RU" and r["status"] == "russian-federal-subject"}
    codes = Counter(row["region_code"] for row in grid_rows())
    assert len(subjects) == 83
    assert set(codes) == subjects
    assert [code for code, count in codes.items() if count > 1] == []


def test_no_two_tiles_share_a_cell():
    cells = Counter((row["col"], row["row"]) for row in grid_rows())
    assert [cell for cell, count in cells.items() if count > 1] == []


def test_no_ukrainian_region_is_in_the_russian_grid():
    ukrainian = {r["region_code"] for r in raw_regions() if r["country_code"] == "UA"}
    assert {"UA-40", "UA-43", "UA-09", "UA-14", "UA-23", "UA-65"} <= ukrainian
    assert ukrainian.isdisjoint(tile_grid())
    assert all(code.startswith("RU-") for code in tile_grid())


def test_the_layout_reads_as_russia():
    grid = tile_grid()
    col = {code: c for code, (c, _) in grid.items()}
    row = {code: r for code, (_, r) in grid.items()}
    assert all(col["RU-KGD"] < c for code, c in col.items() if code != "RU-KGD")  # Kaliningrad apart, far left
    assert col["RU-MOW"] < col["RU-SVE"] < col["RU-IRK"] < col["RU-KHA"]  # west to east
    assert row["RU-MUR"] < row["RU-MOW"] < row["RU-ROS"] < row["RU-CE"]  # north to south
    assert max(col.values()) in (col["RU-CHU"], col["RU-KAM"], col["RU-SAK"])  # the Far East at the right
    caucasus = ("RU-DA", "RU-CE", "RU-IN", "RU-SE", "RU-KB", "RU-KC", "RU-AD", "RU-KDA", "RU-STA", "RU-KL")
    assert min(row[code] for code in caucasus) > max(row[code] for code in grid if code not in caucasus)  # bottom
    assert max(col[code] for code in caucasus) < col["RU-SVE"]  # bottom left


def test_tile_grid_refuses_a_cell_taken_twice(tmp_path):
    path = tmp_path / "tile_grid.csv"
    path.write_text("region_code,col,row,reason\nRU-AD,1,9,\nRU-KC,1,9,\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=re.escape("tile_grid.csv:3: cell (1, 9) is taken by RU-AD")):
        tile_grid(path)


def test_tile_grid_refuses_a_subject_twice(tmp_path):
    path = tmp_path / "tile_grid.csv"
    path.write_text("region_code,col,row,reason\nRU-AD,1,9,\nRU-AD,2,9,\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=re.escape("tile_grid.csv:3: RU-AD has a tile already")):
        tile_grid(path)


# ---- layers ----------------------------------------------------------------

def test_layers_are_mobilised_deaths_the_rate_and_contract_bonuses(layers):
    assert {"mobilised-deaths", "mobilised-deaths-rate", "contract-bonus-peak"} <= set(layers)
    assert layers["mobilised-deaths"].figures["RU-BU"].value == 631
    assert layers["mobilised-deaths-rate"].unit == "deaths_per_10000_inhabitants"
    assert layers["mobilised-deaths-rate"].figures["RU-BU"].value == 23
    bonus = layers["contract-bonus-peak"].figures["RU-TA"]
    assert (bonus.qualifier, bonus.value, bonus.row_id, bonus.source_id) == ("approximately", 337000,
                                                                              "bonus-peak-ru-ta-nok", "fn10")


def test_typed_rows_give_the_same_layers_as_dataframes(layers):
    descriptor = json.loads((ROOT / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: r["schema"] for r in table_resources(descriptor)}
    rows = {name: read_typed_rows(ROOT, name, schemas[name]) for name in TABLES}
    assert {layer.id: layer for layer in map_layers(rows)} == layers


def test_a_subject_with_several_rows_shows_the_latest_dated_and_lists_the_others(layers):
    chechnya = layers["mobilised-deaths"].figures["RU-CE"]
    assert (chechnya.row_id, chechnya.value) == ("mobilised-deaths-ru-ce-s1-2", 1)
    assert [(other.row_id, other.value) for other in chechnya.others] == [("mobilised-deaths-ru-ce-s2-4", 2)]
    assert "most recently dated" in layers["mobilised-deaths"].caption["en"]
    assert "sist daterte" in layers["mobilised-deaths"].caption["no"]
    markup = render_tile_map(layers["mobilised-deaths"], "en", href_for)
    assert "also: 2, date not given, <code>mobilised-deaths-ru-ce-s2-4</code>" in markup


def test_a_subjects_other_rows_are_named_up_to_a_cap_and_the_rest_counted_with_a_link_to_its_profile(layers,
                                                                                                      monkeypatch):
    from pipeline.site import tilemap

    monkeypatch.setattr(tilemap, "OTHERS_SHOWN", 0)
    for lang, note in (("en", "more rows: 1, see the profile"), ("no", "flere rader: 1, se profilen")):
        markup = render_tile_map(layers["mobilised-deaths"], lang, href_for)
        assert "mobilised-deaths-ru-ce-s2-4" not in markup
        assert f'<a href="{href_for("RU-CE")}">{note}</a>' in markup


def test_a_later_dated_row_wins_over_an_earlier_one(tables):
    later = mobilised_death("RU-BU", "mobilised-deaths-ru-bu-later", 700) | {"as_of": pd.Timestamp("2025-12-01")}
    layer = {l.id: l for l in map_layers(with_row(tables, "casualties", **later))}["mobilised-deaths"]
    assert layer.figures["RU-BU"].row_id == "mobilised-deaths-ru-bu-later"
    assert [other.row_id for other in layer.figures["RU-BU"].others] == ["mobilised-deaths-ru-bu"]


def test_captions_say_what_who_and_when_in_both_languages(layers):
    for layer in layers.values():
        assert layer.title["en"] and layer.title["no"] and layer.title["en"] != layer.title["no"]
        assert layer.caption["en"] and layer.caption["no"] and layer.caption["en"] != layer.caption["no"]
    deaths = layers["mobilised-deaths"].caption
    assert "BBC Russian and Mediazona" in deaths["en"] and "21 Sep 2025" in deaths["en"]
    assert "BBC Russian og Mediazona" in deaths["no"] and "21. sep. 2025" in deaths["no"]
    assert "inferred" in deaths["en"]  # the rows' date_basis
    bonus = layers["contract-bonus-peak"].caption
    assert "independent media" in bonus["en"] and "no date given" in bonus["en"]
    assert "uavhengige medier" in bonus["no"] and "uten dato" in bonus["no"]


# ---- drawing ---------------------------------------------------------------

def test_a_figure_renders_with_its_qualifier(layers):
    markup = render_tile_map(layers["contract-bonus-peak"], "en", href_for)
    tatarstan = tiles_of(markup)["RU-TA"]
    assert tatarstan.get("aria-label") == "Republic of Tatarstan: ≈ 337,000 NOK"
    assert [t.text for t in tatarstan.iter(f"{SVG}text")] == ["TA", "≈ 337k"]
    assert "<td class=\"num\">≈ 337,000</td><td>approximately</td>" in markup
    norwegian = render_tile_map(layers["contract-bonus-peak"], "no", href_for)
    assert tiles_of(norwegian)["RU-TA"].get("aria-label") == "Tatarstan: ≈ 337\u00a0000 NOK"
    assert "<td class=\"num\">≈ 337\u00a0000</td><td>omtrent</td>" in norwegian


def test_a_range_renders_as_a_range(layers):
    markup = render_tile_map(layers["deaths-all-categories"], "en", href_for)
    assert tiles_of(markup)["RU-AD"].get("aria-label") == "Republic of Adygea: 200–400 deaths"


def test_a_subject_without_a_figure_is_drawn_as_no_figure_not_as_zero(layers):
    markup = render_tile_map(layers["mobilised-deaths"], "en", href_for)
    altai = tiles_of(markup)["RU-ALT"]
    assert altai.get("aria-label") == "Altai Krai: no figure"
    assert altai.get("data-no-figure") == "true"
    fill = altai.find(f"{SVG}rect").get("fill")
    assert fill.startswith("url(#") and fill not in COLOURS
    assert [t.text for t in altai.iter(f"{SVG}text")] == ["ALT"]  # no 0, no value at all
    assert "no figure" in markup.split("</svg>", 1)[1]  # the legend names it


def test_a_figure_of_zero_is_coloured_and_unlike_no_figure(tables):
    zero = mobilised_death("RU-ALT", "mobilised-deaths-ru-alt-test", 0)
    layer = {l.id: l for l in map_layers(with_row(tables, "casualties", **zero))}["mobilised-deaths"]
    altai = tiles_of(render_tile_map(layer, "en", href_for))["RU-ALT"]
    assert altai.find(f"{SVG}rect").get("fill") == COLOURS[0]
    assert altai.get("aria-label") == "Altai Krai: 0 deaths" and altai.get("data-no-figure") is None


def test_every_tile_links_to_href_for_its_subject(layers):
    tiles = tiles_of(render_tile_map(layers["mobilised-deaths"], "en", href_for))
    assert len(tiles) == 83
    assert all(a.get("href") == href_for(code) for code, a in tiles.items())
    assert all(a.get("aria-label") for a in tiles.values())


def test_the_svg_is_well_formed_xml(layers):
    for layer in layers.values():
        for lang in ("en", "no"):
            root = svg_of(render_tile_map(layer, lang, href_for))
            assert root.tag == f"{SVG}svg"


def test_the_data_table_has_one_row_per_subject_with_a_figure(layers):
    for layer in layers.values():
        markup = render_tile_map(layer, "en", href_for)
        assert table_regions(markup) == list(layer.figures)
        assert len(layer.figures) >= 1


def test_names_are_escaped(tables):
    regions = tables["regions"].astype(object)
    regions.loc[regions["region_code"] == "RU-BU", "name_en"] = "<script>alert(1)</script>"
    layer = map_layers({**tables, "regions": regions})[0]
    markup = render_tile_map(layer, "en", href_for)
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_occupied_ukrainian_territory_is_listed_apart_never_as_a_tile(tables):
    crimea = mobilised_death("UA-43", "mobilised-deaths-ua-43-test", 10)
    layer = {l.id: l for l in map_layers(with_row(tables, "casualties", **crimea))}["mobilised-deaths"]
    assert "UA-43" not in layer.figures and "UA-43" in layer.outside
    markup = render_tile_map(layer, "en", href_for)
    assert "UA-43" not in tiles_of(markup)
    after_map = markup.split("</svg>", 1)[1]
    assert "Ukraine: figures not drawn on the map of Russia" in after_map
    assert "occupied Ukrainian territory" in after_map and 'data-region="UA-43"' in after_map


def test_an_unknown_language_is_refused(layers):
    with pytest.raises(ValueError, match="lang must be one of"):
        render_tile_map(layers["mobilised-deaths"], "de", href_for)


def test_sample_pages_are_written_for_a_person_to_look_at(layers):
    """Every layer in both languages, as a page with the site's styles, under build/test-artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for asset in ("style.css", "tilemap.css"):
        shutil.copy(ROOT / "pipeline" / "site" / "assets" / asset, ARTIFACTS / asset)
    for layer in layers.values():
        for lang in ("en", "no"):
            page = ARTIFACTS / f"tilemap-{layer.id}-{lang}.html"
            title = escape(layer.title[lang])
            page.write_text(
                f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
                '<link rel="stylesheet" href="style.css"><link rel="stylesheet" href="tilemap.css"></head>'
                f'<body><main><h1>{title}</h1>{render_tile_map(layer, lang, href_for)}</main></body></html>',
                encoding="utf-8")
            assert page.stat().st_size > 10_000
