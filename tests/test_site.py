"""The offline HTML report: static checks of the built site, then every page in headless Chromium.

The browser tests need Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) and the
Python packages playwright and axe-playwright-python (which ships axe-core; never `playwright
install`: no browser is downloaded). They save screenshots of the front page, the map, a table page
and two profiles in both languages to build/test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import threading
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from pipeline.descriptor import table_resources
from pipeline.site import figure_text, site_pages, write_site
from pipeline.tables import read_typed_rows

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SHOTS = ("index.html", "map.html", "table-casualties.html", "profiles/region-RU-BU.html", "profiles/country-NP.html")
# axe-core costs most of the browser test (about 0.7 s a page). In CI (.ci/run sets REQUIRE_ALL_TESTS=1; GitHub sets
# CI) it checks every page; elsewhere one page of each template in each language, and the pages of SHOTS.
AXE_EVERY_PAGE = os.environ.get("REQUIRE_ALL_TESTS") == "1" or bool(os.environ.get("CI"))


def esc(text: str) -> str:
    return str(escape(text))


@pytest.fixture(scope="module")
def inputs(built: Path) -> tuple[dict, dict]:
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: read_typed_rows(built.parent, r["name"], r["schema"]) for r in table_resources(descriptor)}
    return descriptor, tables


@pytest.fixture(scope="module")
def dist(built: Path) -> Path:
    """The fresh build: build writes the site and every edition it links to."""
    return built


@pytest.fixture(scope="module")
def built_pages(inputs) -> dict[str, str]:
    return site_pages(*inputs)


def pages(dist: Path) -> list[Path]:
    return sorted((dist / "site").rglob("*.html"))


class Links(HTMLParser):
    """Collects the ids of a page and every address it refers to, by tag."""

    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src", "action", "srcset", "data"):
            if attrs.get(name) is not None:
                self.refs.append((tag, name, attrs[name]))


def parsed(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


# ---- the site as files ---------------------------------------------------------------

def test_site_has_every_page_in_both_languages(dist, inputs):
    descriptor, tables = inputs
    names = {p.relative_to(dist / "site").as_posix() for p in pages(dist)}
    expected = {"index.html", "places.html", "chart-deaths.html", "chart-bonuses.html", "chart-penalties.html",
                "chart-timeline.html"} | {f"table-{r['name']}.html" for r in table_resources(descriptor)}
    expected |= {f"profiles/region-{r['region_code']}.html" for r in tables["regions"]}
    expected |= {f"profiles/district-{r['id']}.html" for r in tables["federal_districts"]}
    expected |= {f"profiles/country-{r['country_code']}.html" for r in tables["foreign_countries"]}
    assert expected <= names
    assert {f"no/{name}" for name in expected} <= names
    assert sum(r["status"] == "russian-federal-subject" for r in tables["regions"]) == 83


def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_site_is_reproducible(dist, inputs, tmp_path):
    descriptor, tables = inputs
    write_site(descriptor, tables, tmp_path / "site")
    assert site_files(tmp_path / "site") == site_files(dist / "site")


def test_two_processes_write_the_same_site_as_one(dist, inputs, tmp_path):
    descriptor, tables = inputs
    write_site(descriptor, tables, tmp_path / "site", processes=2)
    assert site_files(tmp_path / "site") == site_files(dist / "site")


def test_an_error_in_the_forked_language_stops_the_site(inputs, tmp_path, monkeypatch):
    from pipeline import site

    real = site.SiteData.pages

    def broken(self, lang):
        if lang == "no":
            raise RuntimeError("the bokmål pages failed")
        return real(self, lang)

    monkeypatch.setattr(site.SiteData, "pages", broken)
    with pytest.raises(RuntimeError, match="the bokmål pages failed"):
        write_site(*inputs, tmp_path / "site", processes=2)


def test_a_large_package_is_written_by_two_processes_where_there_are_two_cores(monkeypatch):
    from pipeline import site

    monkeypatch.setattr(site.os, "cpu_count", lambda: 2)
    assert site.site_processes({"events": [{}] * site.PARALLEL_ROWS}) == 2
    assert site.site_processes({"events": [{}] * (site.PARALLEL_ROWS - 1)}) == 1
    monkeypatch.setattr(site.os, "cpu_count", lambda: 1)
    assert site.site_processes({"events": [{}] * site.PARALLEL_ROWS}) == 1


def test_site_refers_to_nothing_outside_itself_but_by_plain_links(dist):
    for page in pages(dist):
        text = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in text and "default-src 'self'" in text
        for tag, attr, value in parsed(page).refs:
            if urlsplit(value).scheme in ("http", "https"):
                assert (tag, attr) == ("a", "href"), (page.name, tag, value)
            elif value.startswith("data:"):
                assert (tag, value) == ("link", "data:,")  # the empty favicon, so none is requested


def test_every_local_link_and_anchor_exists(dist):
    links = {page.resolve(): parsed(page) for page in pages(dist)}
    ids = {page: found.ids for page, found in links.items()}
    for page, found in links.items():
        for tag, attr, value in found.refs:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("data:"):
                continue
            target = (page.parent / parts.path).resolve() if parts.path else page.resolve()
            assert target.is_file(), (page.name, value)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids[target], (page.name, value)


def test_every_page_has_a_title_a_description_a_language_switch_and_headings_in_order(dist):
    for page in pages(dist):
        text = page.read_text(encoding="utf-8")
        assert re.search(r"<title>[^<]+</title>", text), page
        assert re.search(r'<meta name="description" content="[^"]{20,}">', text), page
        assert 'class="lang"' in text, page
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", text)]
        assert levels[0] == 1 and levels.count(1) == 1, page
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (page, levels)


def test_front_page_carries_dataset_json_ld(dist, inputs):
    descriptor, _ = inputs
    for front in ("index.html", "no/index.html"):
        text = (dist / "site" / front).read_text(encoding="utf-8")
        [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
        data = json.loads(block)
        assert data["@type"] == "Dataset" and data["version"] == descriptor["version"]
        assert {"name", "description", "license", "creator", "distribution", "temporalCoverage",
                "spatialCoverage"} <= set(data)
        urls = {d["contentUrl"].split("/", 1 + front.count("/"))[-1] for d in data["distribution"]}
        assert {r["path"] for r in descriptor["resources"]} <= urls
        for item in data["distribution"]:
            assert (dist / "site" / front).parent.joinpath(item["contentUrl"]).resolve().is_file(), item


# ---- charts ------------------------------------------------------------------------------

def test_charts_show_every_figure_of_their_tables(built_pages, inputs):
    _, tables = inputs
    for table, page in (("casualties", "chart-deaths.html"), ("bonuses", "chart-bonuses.html"),
                        ("penalties", "chart-penalties.html")):
        text = built_pages[page]
        for row in tables[table]:
            if row["qualifier"] is not None and row.get("measure", "deaths") != "deaths_rate":
                assert f">{esc(figure_text(row))}</text>" in text, (page, row["id"])
            if row["qualifier"] is None:
                assert esc(row["statement"]) in text, (page, row["id"])
    timeline = built_pages["chart-timeline.html"]
    for row in tables["events"]:
        assert esc(row["statement"]) in timeline, row["id"]


def test_uncertain_figures_are_drawn_as_such(built_pages):
    deaths = built_pages["chart-deaths.html"]
    assert 'fill="url(#' in deaths  # at_least: a bar that fades on
    assert 'fill-opacity="0.3"' in deaths  # a range: an interval between its bounds
    assert "≥ 15,000" in deaths and "200–400" in deaths and "≈ 42" in deaths
    assert "≥ 15\u00a0000" in built_pages["no/chart-deaths.html"]


def test_whole_war_figures_say_whose_claim_and_for_what_period(built_pages):
    deaths = built_pages["chart-deaths.html"]
    assert "The whole war" not in deaths
    assert ">Killed, Jan–Aug 2025</text>" in deaths and "Ukrainian claim</text>" in deaths
    assert ">Share in Feb 2022–Feb 2023 (inferred)</text>" in deaths
    assert ">Mobilised soldier deaths · counted by" in deaths
    assert "Mobilised soldier</text>" not in deaths  # a category is never a bar's whole label


def test_every_chart_caption_says_what_by_whom_and_when(built_pages):
    for page in ("chart-deaths.html", "chart-bonuses.html", "chart-penalties.html", "chart-timeline.html"):
        for lang, words in (("", ("What is", "by", "Period")), ("no/", ("Hva som", "av", "Periode"))):
            captions = re.findall(r"<figcaption>(.*?)</figcaption>", built_pages[lang + page], re.S)
            chart_captions = [c for c in captions if not c.startswith(("How figures", "Slik tegnes"))]
            assert chart_captions, page
            for caption in chart_captions:
                assert all(word in caption for word in words), (lang + page, caption)


def test_timeline_marks_are_labelled_by_kind_and_one_entry_stands_for_a_group(built_pages, inputs):
    _, tables = inputs
    timeline = built_pages["chart-timeline.html"]
    for kind in {r["event_type"] for r in tables["events"] if r["date"]}:
        assert f'text-anchor="end">{kind.replace("-", " ")}</text>' in timeline, kind
    grouped = [r for r in tables["events"] if r["group_id"] == "men-fled-mobilisation-2022-09"]
    assert len(grouped) > 1
    entries = timeline.split('<li id="event-')[1:]
    holding = [e for e in entries if esc(grouped[0]["statement"]) in e]
    assert len(holding) == 1 and all(esc(r["statement"]) in holding[0] for r in grouped)


# ---- inferred dates -------------------------------------------------------------------------

def test_an_inferred_date_carries_its_marker_in_every_date_text():
    from datetime import date

    from pipeline.site import event_when, when_text

    stated = {"as_of": date(2025, 9, 21), "period_start": None, "date_basis": "stated"}
    assert when_text(stated) == "as of 21 Sep 2025"
    assert when_text(stated | {"date_basis": "inferred"}) == "as of 21 Sep 2025 (inferred)"
    assert when_text(stated | {"date_basis": "inferred"}, "no") == "per 21. sep. 2025 (utledet)"
    period = {"as_of": None, "period_start": date(2025, 4, 1), "period_end": date(2025, 7, 15), "date_basis": "inferred"}
    assert when_text(period) == "Apr–Jul 2025 (inferred)"
    event = {"date": date(2022, 9, 1), "date_precision": "month", "date_end": None, "date_basis": "inferred"}
    assert event_when(event) == "Sep 2022 (inferred)"
    assert event_when(event | {"date_basis": "stated"}) == "Sep 2022"


def _bars(page: str) -> list[tuple[str, str]]:
    """(tooltip, visible labels) of every bar of a chart page."""
    return [(title, " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", body)))
            for title, body in re.findall(r"<g><title>(.*?)</title>(.*?)</g>", page)]


def test_charts_mark_every_inferred_date_and_no_stated_one(built_pages, inputs):
    _, tables = inputs
    checked = 0
    for table, page in (("casualties", "chart-deaths.html"), ("bonuses", "chart-bonuses.html"),
                        ("penalties", "chart-penalties.html")):
        bars = _bars(built_pages[page])
        for row in tables[table]:
            if row["qualifier"] is None or row.get("measure") == "deaths_rate":
                continue
            labels = [label for title, label in bars if esc(row["statement"]) in title]
            assert labels, (page, row["id"])
            for label in labels:
                assert ("(inferred)" in label) == (row.get("date_basis") == "inferred"), (page, row["id"], label)
            checked += row.get("date_basis") == "inferred"
    assert checked, "no inferred date on any chart: the test checks nothing"


def test_timeline_marks_every_inferred_date_and_no_stated_one(built_pages, inputs):
    _, tables = inputs
    page = built_pages["chart-timeline.html"]
    entries = re.findall(r'<li(?: id="event-\d+" value="\d+")?><span class="date">([^<]*)</span>(.*?)(?=<li(?: id="event-\d+" value="\d+")?><span class="date">|</ol>|</ul>\n)', page, re.S)
    for row in tables["events"]:
        whens = [when for when, body in entries if esc(row["statement"]) in body]
        assert whens, row["id"]
        for when in whens:
            assert ("(inferred)" in when) == (row["date_basis"] == "inferred"), (row["id"], when)


def test_table_pages_mark_every_inferred_date(built_pages, inputs):
    descriptor, tables = inputs
    for resource in table_resources(descriptor):
        fields = {f["name"] for f in resource["schema"]["fields"]}
        if "date_basis" not in fields or "statement" not in fields:
            continue
        page = built_pages[f"table-{resource['name']}.html"]
        for row in tables[resource["name"]]:
            [cells] = re.findall(rf'<tr id="{re.escape(row["id"])}"[^>]*>(.*?)</tr>', page, re.S)
            when = re.findall(r"<td>([^<]*)</td>", cells)[0]
            dated = any(row.get(n) for n in ("as_of", "period_start", "date"))
            assert ("(inferred)" in when) == (dated and row["date_basis"] == "inferred"), (resource["name"], row["id"])


# ---- table pages and profiles -------------------------------------------------------------

def test_a_fact_row_leads_with_its_statement_and_figure_and_names_its_place(built_pages):
    page = built_pages["table-casualties.html"]
    [row] = re.findall(r'<tr id="mobilised-deaths-ru-bu"[^>]*>(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert "Buryatia" in cells[0] and 'href="#mobilised-deaths-ru-bu"' in cells[0]
    assert cells[1] == "631\u00a0deaths"
    assert 'href="profiles/region-RU-BU.html">Republic of Buryatia</a> <span class="code">RU-BU</span>' in cells[2]
    assert "footnote" in cells[5] or "report" in cells[5]
    norwegian = built_pages["no/table-casualties.html"]
    assert "≥ 15\u00a0000\u00a0dødsfall" in norwegian


def test_a_fact_rows_other_fields_are_every_filled_field_its_columns_do_not_show(built_pages, inputs):
    descriptor, tables = inputs
    fields = next(r for r in table_resources(descriptor) if r["name"] == "casualties")["schema"]["fields"]
    for lang, prefix in (("en", ""), ("no", "no/")):
        page = built_pages[f"{prefix}table-casualties.html"]
        titles = {f["name"]: esc(f.get("title_no") or f["title"]) if lang == "no" else esc(f["title"]) for f in fields}
        for row in tables["casualties"]:
            [cells] = re.findall(rf'<tr id="{re.escape(row["id"])}"[^>]*>(.*?)</tr>', page, re.S)
            [(summary, details)] = re.findall(r"<summary>(.*?)<span.*?<dl>(.*?)</dl>", cells)
            statement = "statement_no" if lang == "no" and row.get("statement_no") else "statement"
            place = next((n for n in ("region_code", "federal_district_id") if row.get(n)), None)
            shown = {"id", statement, place}  # the row's link, its statement and its place's code
            expected = [titles[f["name"]] for f in fields if row.get(f["name"]) is not None and f["name"] not in shown]
            assert re.findall(r"<dt>(.*?)</dt>", details) == expected, (lang, row["id"])
            assert summary == {"en": "Other fields", "no": "Andre felt"}[lang]


def test_a_conflict_shows_the_rows_it_conflicts_with(built_pages, inputs):
    _, tables = inputs
    rows = [r for r in tables["indicators"] if r["conflict_id"] == "conscript-training-length"]
    page = built_pages["table-indicators.html"]
    for row in rows:
        [cells] = re.findall(rf'<tr id="{row["id"]}"[^>]*>(.*?)</tr>', page, re.S)
        for other in rows:
            if other is not row:
                assert f'#{other["id"]}">{other["id"]}</a>' in cells


def test_every_cell_naming_a_region_links_to_its_profile(built_pages, inputs):
    _, tables = inputs
    page = built_pages["table-regions.html"]
    for row in tables["regions"]:
        assert f'href="profiles/region-{row["region_code"]}.html"' in page


def test_profiles_hold_every_row_about_the_place_and_say_when_there_is_none(built_pages, inputs):
    _, tables = inputs
    buryatia = built_pages["profiles/region-RU-BU.html"]
    for table in ("casualties", "bonuses", "events", "findings", "indicators", "penalties"):
        for row in tables[table]:
            if row.get("region_code") == "RU-BU":
                assert esc(row["statement"]) in buryatia, row["id"]
    assert "631\u00a0deaths" in buryatia and "Neighbours in the rankings" in buryatia
    nepal = built_pages["profiles/country-NP.html"]
    assert all(esc(r["statement"]) in nepal for t in tables.values() for r in t if r.get("country_code") == "NP")
    named = {r.get("region_code") for t in tables.values() for r in t if "statement" in r}
    silent = next(r["region_code"] for r in tables["regions"] if r["region_code"] not in named)
    assert "No figures in this dataset" in built_pages[f"profiles/region-{silent}.html"]
    assert "Ingen tall i dette datasettet" in built_pages[f"no/profiles/region-{silent}.html"]


def test_a_big_table_is_split_into_page_files_and_links_find_each_row(inputs, tmp_path):
    descriptor, tables = inputs
    built = site_pages(descriptor, tables, page_rows=10)
    rows = tables["events"]
    files = [p for p in built if re.fullmatch(r"table-events(-p\d+)?\.html", p)]
    assert len(files) == -(-len(rows) // 10)
    assert sum(built[f].count('<tr id="') for f in files) == len(rows)
    last = rows[-1]["id"]
    assert f'id="{last}"' in built[f"table-events-p{len(files)}.html"]
    assert f'href="../table-events-p{len(files)}.html#{last}"' in built[f"profiles/region-{rows[-1]['region_code']}.html"] \
        if rows[-1]["region_code"] else True


# ---- bounded at any size: every cap shows a part and says how much more there is --------------------

def test_a_split_tables_pager_links_the_first_last_and_nearby_pages_only(inputs):
    from pipeline.site.table_pages import PAGER_REACH

    built = site_pages(*inputs, page_rows=2)
    count = -(-len(inputs[1]["events"]) // 2)
    assert count > 2 * PAGER_REACH + 3
    for number in range(1, count + 1):
        page = built["table-events.html" if number == 1 else f"table-events-p{number}.html"]
        pager = re.search(r'<nav class="pager".*?</nav>', page, re.S).group(0)
        linked = {int(n) for n in re.findall(r'>(\d+)</a></li>', pager)}
        near = set(range(max(1, number - PAGER_REACH), min(count, number + PAGER_REACH) + 1))
        assert linked == {1, count} | near, number
        assert f"(Page {number} of {count})" in page
        assert ('<li class="gap">…</li>' in pager) == (linked != set(range(1, count + 1)))


def test_a_profile_lists_at_most_its_cap_of_rows_a_table_and_says_how_many_more(inputs, monkeypatch):
    from pipeline.site import profiles

    monkeypatch.setattr(profiles, "PROFILE_ROWS", 2)
    built = site_pages(*inputs)
    about = [r for r in inputs[1]["findings"] if r["region_code"] == "RU-CE"]
    assert len(about) > 2
    for lang, prefix, note, dist in (("en", "", f"Listed here: the first 2 rows. Not listed: {len(about) - 2} more.", "../../"),
                                     ("no", "no/", f"Her står de første 2 radene. Ikke her: {len(about) - 2} til.",
                                      "../../../")):
        page = built[f"{prefix}profiles/region-RU-CE.html"]
        assert [r["id"] for r in about if f'id="findings-{r["id"]}"' in page] == [r["id"] for r in about[:2]]
        assert f"({len(about)} r" in page.split('id="findings-')[0].rsplit("<h2>", 1)[1]  # the heading counts every row
        more = page.split(note, 1)[1].split("</p>", 1)[0]
        assert 'href="../table-findings.html?region=RU-CE"' in more and f'href="{dist}csv/findings.csv"' in more, lang


def test_a_named_group_on_a_profile_shows_at_most_its_cap_of_places_the_place_among_them(inputs, monkeypatch):
    from pipeline.site import profiles

    monkeypatch.setattr(profiles, "NAMED_SHOWN", 3)
    built = site_pages(*inputs)
    group = [r for r in inputs[1]["casualties"] if r["group_id"] == "mobilised-deaths-rate-high"]
    assert len(group) > 3
    page = built[f"profiles/region-{group[-1]['region_code']}.html"]
    ranking = page.split(esc(group[-1]["statement"]), 1)[1].split("</ol>", 1)[0]
    assert ranking.count("<li") == 3 and f'<li class="self"><a href="../profiles/region-{group[-1]["region_code"]}' in ranking
    assert f"Not listed here: {len(group) - 3} more of the places the report names in this group." in page
    assert f"Ikke listet her: {len(group) - 3} til av stedene" in built[f"no/profiles/region-{group[-1]['region_code']}.html"]


def test_a_chart_draws_at_most_its_cap_of_figures_and_lists_at_most_its_cap_of_other_rows(inputs, monkeypatch):
    from pipeline.site import pages as charts_pages

    monkeypatch.setattr(charts_pages, "CHART_BARS", 2)
    monkeypatch.setattr(charts_pages, "NAMED_ROWS", 3)
    built = site_pages(*inputs)
    rows = inputs[1]["penalties"]
    figures, others = [r for r in rows if r["qualifier"] is not None], [r for r in rows if r["qualifier"] is None]
    units = Counter(r["unit"] for r in figures)  # one chart per unit
    assert max(units.values()) > 2 and len(others) > 3
    for prefix, drawn, listed in (("", "Drawn: the first 2 of these {n} figures",
                                   f"Listed here: the first 3. Not listed: {len(others) - 3} more."),
                                  ("no/", "Tegnet: de første 2 av disse {n} tallene",
                                   f"Her står de første 3. Ikke her: {len(others) - 3} til.")):
        page = built[f"{prefix}chart-penalties.html"]
        captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
        for n in units.values():
            assert sum(drawn.format(n=n) in c for c in captions) == (n > 2 and list(units.values()).count(n)), n
        key_bars = 5
        assert page.count("<g><title>") == key_bars + sum(min(n, 2) for n in units.values())
        assert [r["id"] for r in others if f'id="penalties-{r["id"]}"' in page] == [r["id"] for r in others[:3]]
        assert listed in page and 'href="table-penalties.html"' in page.split(listed, 1)[1].split("</p>", 1)[0]


def test_the_timeline_shows_at_most_its_cap_of_entries_and_says_how_many_more(inputs, monkeypatch):
    from pipeline.site import pages as charts_pages

    monkeypatch.setattr(charts_pages, "TIMELINE_ENTRIES", 5)
    built = site_pages(*inputs)
    for prefix, drawn, listed in (("", r"Drawn: the first 5 of the (\d+) dated entries", "Listed here: the first 5 entries"),
                                  ("no/", r"Tegnet: de første 5 av de (\d+) daterte", "Her står de første 5 oppføringene")):
        page = built[f"{prefix}chart-timeline.html"]
        assert page.count('<li id="event-') == 5 and page.count('<a href="#event-') == 5
        assert int(re.search(drawn, page.split("<figcaption>", 1)[1]).group(1)) > 5
        assert page.count(listed) == 2  # the dated list and the undated one


# ---- Norwegian text from the data, English marked as such when it is missing ----------------------

def test_norwegian_pages_use_norwegian_columns_and_schema_keys_and_mark_english_fallbacks(inputs):
    descriptor, tables = inputs
    descriptor = json.loads(json.dumps(descriptor))
    tables = {name: [dict(r) for r in rows] for name, rows in tables.items()}
    casualties = next(r for r in descriptor["resources"] if r["name"] == "casualties")
    casualties["title_no"] = "Tap"
    descriptor["title_no"] = "Hvordan Russland skaffer soldater"
    for field in casualties["schema"]["fields"]:
        if field["name"] == "statement":
            field["title_no"] = "Utsagn på norsk"
    row = next(r for r in tables["casualties"] if r["id"] == "mobilised-deaths-ru-bu")
    row["statement_no"] = "Tallet på drepte mobiliserte fra Burjatia var 631."
    next(r for r in tables["regions"] if r["region_code"] == "RU-BU")["name_no"] = "Republikken Burjatia"
    other = next(r for r in tables["casualties"] if r["id"] == "mobilised-deaths-ru-ta")
    other["statement_no"] = None  # a row the curators have not yet written in bokmål
    built = site_pages(descriptor, tables)
    page = built["no/table-casualties.html"]
    assert "<title>Tap · Hvordan Russland skaffer soldater</title>" in page
    assert "Tallet på drepte mobiliserte fra Burjatia var 631." in page
    assert ">Republikken Burjatia</a>" in page and "Utsagn på norsk" in page
    assert f'<span lang="en">{esc(other["statement"])}</span>' in page
    assert "Republikken Burjatia" not in built["table-casualties.html"]
    assert '<span lang="en">' not in built["table-casualties.html"]


# ---- in the browser ----------------------------------------------------------------------------

@contextlib.contextmanager
def serving(folder: Path):
    """`folder` served on 127.0.0.1 from a thread; yields the base address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="session")
def server(built):
    """dist/ served on 127.0.0.1 from a thread; yields the base address (one per worker, like the browser)."""
    with serving(built) as address:
        yield address


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def template_of(name: str) -> str:
    """The kind of page a site path is, one per template and language: `no/profiles/region-RU-BU.html` is
    `no/profiles/region`, every table page is `table`, and each chart, the map and the front page its own."""
    return re.sub(r"^((?:no/)?)(table|profiles/region|profiles/district|profiles/country)-.*$", r"\1\2", name)


def axe_sample(names: list[str], every_page: bool) -> set[str]:
    """The pages axe-core checks: every page, or the first of each template in each language and the SHOTS."""
    if every_page:
        return set(names)
    first = {}
    for name in sorted(names):
        first.setdefault(template_of(name), name)
    return set(first.values()) | {name for name in names if name.removeprefix("no/") in SHOTS}


def test_axe_sample_covers_every_template_in_both_languages():
    names = ["index.html", "map.html", "table-bonuses.html", "table-casualties.html", "profiles/region-RU-AD.html",
             "profiles/region-RU-BU.html", "profiles/region-RU-TA.html", "profiles/district-central.html",
             "no/index.html", "no/table-bonuses.html", "no/table-events.html", "no/profiles/region-RU-AD.html"]
    assert axe_sample(names, every_page=True) == set(names)
    assert axe_sample(names, every_page=False) == {
        "index.html", "map.html", "table-bonuses.html", "table-casualties.html", "profiles/region-RU-AD.html",
        "profiles/region-RU-BU.html", "profiles/district-central.html", "no/index.html", "no/table-bonuses.html",
        "no/profiles/region-RU-AD.html"}


def page_problems(browser, server: str, names: list[str], checked: set[str] | None = None) -> dict:
    """What goes wrong when each page loads (errors, failed or foreign requests) and what axe finds
    serious or critical on the pages of `checked` (all of them by default); screenshots of the pages named in SHOTS.
    One tab loads the pages in turn (each load is a new document; a new tab per page costs more than the load):
    what the browser reports after a page has loaded is still caught, as the next page's."""
    checked = set(names) if checked is None else checked
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is missing").Axe()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = []  # (kind, what) since the current page started loading: 0 errors, 1 failed, 2 foreign, 3 bad requests
    page.on("console", lambda message: seen.append((0, message.text)) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.append((0, str(error))))
    page.on("requestfailed", lambda request: seen.append((1, request.url)))
    page.on("request", lambda request: None if request.url.startswith(server + "/") else seen.append((2, request.url)))
    page.on("response", lambda response: seen.append((3, response.url)) if response.status >= 400 else None)
    problems = {}
    for name in names:
        seen.clear()
        page.goto(f"{server}/site/{name}", wait_until="load")
        if name.removeprefix("no/") in SHOTS:
            shot = name.replace("/", "_").removesuffix(".html")
            page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        serious = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
                   for v in (axe.run(page).response["violations"] if name in checked else [])
                   if v["impact"] in ("serious", "critical")]
        found = tuple([what for kind, what in seen if kind == k] for k in range(4)) + (serious,)
        if found != ([], [], [], [], []):
            problems[name] = found
    page.close()
    context.close()
    return problems


def site_page_names(dist: Path) -> list[str]:
    return [page_file.relative_to(dist / "site").as_posix() for page_file in pages(dist)]


def test_axe_checks_a_page_of_every_template_of_the_site(dist):
    names = site_page_names(dist)
    for every_page in (True, False):
        checked = axe_sample(names, every_page)
        assert checked <= set(names)
        assert {template_of(name) for name in checked} == {template_of(name) for name in names}


# The browser test loads the pages in BROWSER_SHARES interleaved shares, which pytest-xdist sends to whichever worker
# is free (see tests/conftest.py); together the shares are every page.
BROWSER_SHARES = 6


@pytest.mark.parametrize("share", range(BROWSER_SHARES), ids=lambda share: f"share-{share + 1}-of-{BROWSER_SHARES}")
def test_every_page_loads_offline_without_errors_and_passes_axe(browser, server, dist, share):
    """Every page loads without console errors, failed or foreign requests; axe-core checks the pages of
    axe_sample (every page in CI)."""
    names = site_page_names(dist)
    checked = axe_sample(names, AXE_EVERY_PAGE)
    assert page_problems(browser, server, names[share::BROWSER_SHARES], checked) == {}


def test_pages_with_every_cap_reached_pass_axe(browser, inputs, tmp_path, monkeypatch):
    from pipeline.site import pages as charts_pages
    from pipeline.site import profiles

    for module, name in ((profiles, "PROFILE_ROWS"), (profiles, "NAMED_SHOWN"), (charts_pages, "CHART_BARS"),
                         (charts_pages, "NAMED_ROWS"), (charts_pages, "TIMELINE_ENTRIES")):
        monkeypatch.setattr(module, name, 2)
    write_site(*inputs, tmp_path / "site", page_rows=2)
    capped = ["table-events-p10.html", "profiles/region-RU-CE.html", "profiles/region-RU-TY.html",
              "chart-deaths.html", "chart-penalties.html", "chart-timeline.html"]
    with serving(tmp_path) as address:
        assert page_problems(browser, address, capped + [f"no/{name}" for name in capped]) == {}


def test_table_pages_sort_and_filter(browser, server, inputs):
    _, tables = inputs
    rows = tables["casualties"]
    page = browser.new_page()
    page.goto(f"{server}/site/table-casualties.html")
    body = page.locator("#data tbody tr")
    assert body.count() == len(rows)

    page.select_option('form[data-table="data"] select[name="category"]', "mobilised")
    page.fill('form[data-table="data"] input[name="q"]', "highest")
    expected = sum(1 for r in rows if r["category_id"] == "mobilised" and "highest" in r["statement"].lower())
    assert page.locator("#data tbody tr:not([hidden])").count() == expected
    assert page.locator('form[data-table="data"] output').inner_text() == f"{expected} of {len(rows)} rows"
    page.fill('form[data-table="data"] input[name="q"]', "")
    page.select_option('form[data-table="data"] select[name="category"]', "")

    def figures() -> list[float]:
        return [float(v) for v in page.locator("#data tbody tr td:nth-child(2)").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)") if v]

    expected_figures = sorted(float(r["value_high"] if r["qualifier"] == "range" else r["value"])
                              for r in rows if r["qualifier"] is not None)
    page.locator("#data thead button").nth(1).click()
    assert figures() == expected_figures  # ascending, rows without a figure last
    page.locator("#data thead button").nth(1).click()
    assert figures() == expected_figures[::-1]

    page.goto(f"{server}/site/table-casualties.html?region=RU-BU")
    shown = page.locator("#data tbody tr:not([hidden])")
    assert shown.count() == sum(1 for r in rows if r["region_code"] == "RU-BU")

    page.locator('#data tbody tr:not([hidden]) a[href^="table-sources.html#"]').first.click()
    page.wait_for_url(f"{server}/site/table-sources.html#*")
    assert page.locator(f"tr[id='{page.url.split('#')[1]}']").count() == 1
    page.close()


# ---- the map page ---------------------------------------------------------------------------

def test_the_map_page_draws_every_layer_of_pipeline_tilemap_and_links_tiles_to_profiles(inputs):
    from pipeline.site.tilemap import map_layers

    built = site_pages(*inputs)
    layers = map_layers(inputs[1])
    for lang, prefix in (("en", ""), ("no", "no/")):
        page = built[f"{prefix}map.html"]
        assert page.count('<section class="map-layer">') == len(layers) > 0
        for layer in layers:
            assert str(escape(layer.title[lang])) in page
        assert '<a href="profiles/region-RU-BU.html"' in page
        assert f"{prefix}profiles/region-RU-BU.html" in built
        assert 'href="map.html"' in built[f"{prefix}index.html"]
        assert f'<link rel="stylesheet" href="{"../" if prefix else ""}tilemap.css">' in page
