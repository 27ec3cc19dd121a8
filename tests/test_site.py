"""The offline HTML report: static checks, then every page in headless Chromium.

The browser tests need Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) and the
Python package playwright (never `playwright install`: no browser is downloaded). They save a
full-page screenshot of each page to build/test-artifacts/screenshots/<page>.png.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.site import figure_text, site_pages, write_site
from pipeline.tables import read_typed_rows
from pipeline.docs import table_resources

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def inputs(built: Path) -> tuple[dict, dict]:
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: read_typed_rows(built.parent, r["name"], r["schema"]) for r in table_resources(descriptor)}
    return descriptor, tables


@pytest.fixture(scope="module")
def dist(built: Path) -> Path:
    """The fresh build: build writes the site and every edition it links to."""
    return built


def pages(dist: Path) -> list[Path]:
    return sorted((dist / "site").glob("*.html"))


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


def test_site_has_front_table_and_chart_pages(dist, inputs):
    descriptor, _ = inputs
    names = {p.name for p in pages(dist)}
    assert {"index.html", "chart-deaths.html", "chart-bonuses.html", "chart-penalties.html",
            "chart-timeline.html"} <= names
    assert {f"table-{r['name']}.html" for r in table_resources(descriptor)} <= names


def test_site_is_reproducible(dist, inputs, tmp_path):
    descriptor, tables = inputs
    write_site(descriptor, tables, tmp_path / "site")
    assert {p.name: p.read_bytes() for p in (tmp_path / "site").iterdir()} == \
           {p.name: p.read_bytes() for p in (dist / "site").iterdir()}


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
    ids = {page.name: parsed(page).ids for page in pages(dist)}
    for page in pages(dist):
        for tag, attr, value in parsed(page).refs:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("data:"):
                continue
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target.is_file(), (page.name, value)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids[target.name], (page.name, value)


def test_charts_show_every_figure_of_their_tables(dist, inputs):
    descriptor, tables = inputs
    for table, page in (("casualties", "chart-deaths.html"), ("bonuses", "chart-bonuses.html"),
                        ("penalties", "chart-penalties.html")):
        text = (dist / "site" / page).read_text(encoding="utf-8")
        for row in tables[table]:
            if row["qualifier"] is not None and row.get("measure", "deaths") != "deaths_rate":
                assert f">{html.escape(figure_text(row))}</text>" in text, (page, row["id"])
            if row["qualifier"] is None:
                assert html.escape(row["statement"]) in text, (page, row["id"])
    timeline = (dist / "site" / "chart-timeline.html").read_text(encoding="utf-8")
    assert timeline.count('<li id="event-') == sum(1 for r in tables["events"] if r["date"])
    assert timeline.count("<li") >= len(tables["events"])


def test_uncertain_figures_are_drawn_as_such(inputs):
    descriptor, tables = inputs
    deaths = site_pages(descriptor, tables)["chart-deaths.html"]
    assert 'fill="url(#' in deaths  # at_least: a bar that fades on
    assert 'fill-opacity="0.3"' in deaths  # a range: an interval between its bounds
    assert "≥ 15,000" in deaths and "200–400" in deaths and "≈ 42" in deaths


# ---- in the browser ----------------------------------------------------------

@pytest.fixture(scope="module")
def server(dist):
    """dist/ served on 127.0.0.1 from a thread; yields the base address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(dist)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_every_page_loads_offline_without_errors(browser, server, dist):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page_file in pages(dist):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, failed, foreign, bad = [], [], [], []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("request", lambda request: None if request.url.startswith(server + "/")
                else foreign.append(request.url))
        page.on("response", lambda response: bad.append(response.url) if response.status >= 400 else None)
        page.goto(f"{server}/site/{page_file.name}", wait_until="load")
        page.screenshot(path=str(SCREENSHOTS / f"{page_file.stem}.png"), full_page=True)
        page.close()
        assert (errors, failed, foreign, bad) == ([], [], [], []), page_file.name


def test_table_pages_sort_and_filter(browser, server, inputs):
    descriptor, tables = inputs
    rows = tables["casualties"]
    fields = next(r for r in table_resources(descriptor) if r["name"] == "casualties")["schema"]["fields"]
    value_column = [f["name"] for f in fields].index("value")
    page = browser.new_page()
    page.goto(f"{server}/site/table-casualties.html")
    body = page.locator("#data tbody tr")
    assert body.count() == len(rows)

    page.fill('input[data-filter="data"]', "mobilised deaths_rank")
    expected = sum(1 for r in rows if r["category_id"] == "mobilised" and r["measure"] == "deaths_rank")
    assert page.locator("#data tbody tr:not([hidden])").count() == expected
    assert page.locator('output[data-count="data"]').inner_text() == f"{expected} of {len(rows)} rows"
    page.fill('input[data-filter="data"]', "")

    def value_column_texts() -> list[str]:
        return page.locator(f"#data tbody tr td:nth-child({value_column + 1})").all_inner_texts()

    figures = sorted(float(r["value"]) for r in rows if r["value"] is not None)
    page.locator("#data thead button").nth(value_column).click()
    assert [float(v) for v in value_column_texts() if v] == figures  # ascending, empty cells last
    page.locator("#data thead button").nth(value_column).click()
    assert [float(v) for v in value_column_texts() if v] == figures[::-1]

    page.locator('#data a[href^="table-sources.html#"]').first.click()
    page.wait_for_url(f"{server}/site/table-sources.html#*")
    assert page.locator(f"tr[id='{page.url.split('#')[1]}']").count() == 1
    page.close()


# ---- inferred dates ------------------------------------------------------------

def test_an_inferred_date_carries_its_marker_in_every_date_text():
    from datetime import date

    from pipeline.site import event_when, when_text

    stated = {"as_of": date(2025, 9, 21), "period_start": None, "date_basis": "stated"}
    assert when_text(stated) == "as of 2025-09-21"
    assert when_text(stated | {"date_basis": "inferred"}) == "as of 2025-09-21 (inferred)"
    period = {"as_of": None, "period_start": date(2025, 4, 1), "period_end": date(2025, 7, 15), "date_basis": "inferred"}
    assert when_text(period) == "2025-04-01–2025-07-15 (inferred)"
    event = {"date": date(2022, 9, 1), "date_precision": "month", "date_end": None, "date_basis": "inferred"}
    assert event_when(event) == "Sep 2022 (inferred)"
    assert event_when(event | {"date_basis": "stated"}) == "Sep 2022"


def _bars(page: str) -> list[tuple[str, str]]:
    """(tooltip, visible labels) of every bar of a chart page."""
    return [(title, " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", body)))
            for title, body in re.findall(r"<g><title>(.*?)</title>(.*?)</g>", page)]


def test_charts_mark_every_inferred_date_and_no_stated_one(inputs):
    descriptor, tables = inputs
    built_pages = site_pages(descriptor, tables)
    checked = 0
    for table, page in (("casualties", "chart-deaths.html"), ("bonuses", "chart-bonuses.html"),
                        ("penalties", "chart-penalties.html")):
        bars = _bars(built_pages[page])
        for row in tables[table]:
            if row["qualifier"] is None or row.get("measure") == "deaths_rate":
                continue
            labels = [label for title, label in bars if html.escape(row["statement"]) in title]
            assert labels, (page, row["id"])
            for label in labels:
                assert ("(inferred)" in label) == (row.get("date_basis") == "inferred"), (page, row["id"], label)
            checked += row.get("date_basis") == "inferred"
    assert checked, "no inferred date on any chart: the test checks nothing"


def test_timeline_marks_every_inferred_date_and_no_stated_one(inputs):
    descriptor, tables = inputs
    page = site_pages(descriptor, tables)["chart-timeline.html"]
    items = re.findall(r'<li[^>]*><span class="date">([^<]*)</span>(.*?)</li>', page)
    svg_titles = re.findall(r"<a href=\"#event-\d+\"><title>([^<]*)</title>", page)
    for row in tables["events"]:
        whens = [when for when, body in items if html.escape(row["statement"]) in body]
        assert whens, row["id"]
        for when in whens:
            assert ("(inferred)" in when) == (row["date_basis"] == "inferred"), (row["id"], when)
        for title in (t for t in svg_titles if html.escape(row["statement"]) in t):
            assert ("(inferred)" in title.split(": ")[0]) == (row["date_basis"] == "inferred"), (row["id"], title)


def test_table_pages_mark_every_inferred_date_cell(inputs):
    descriptor, tables = inputs
    built_pages = site_pages(descriptor, tables)
    for resource in table_resources(descriptor):
        fields = resource["schema"]["fields"]
        if "date_basis" not in {f["name"] for f in fields}:
            continue
        dates = [f["name"] for f in fields if f["type"] == "date"]
        page = built_pages[f"table-{resource['name']}.html"]
        for row in tables[resource["name"]]:
            [cells] = re.findall(rf'<tr id="{re.escape(row["id"])}">(.*?)</tr>', page)
            filled = sum(1 for name in dates if row[name] is not None)
            expected = filled if row["date_basis"] == "inferred" else 0
            assert cells.count('<span class="muted"> (inferred)</span>') == expected, (resource["name"], row["id"])
