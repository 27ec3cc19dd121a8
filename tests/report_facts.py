"""The fact index of the founding report: what each section names, as data.

`tests/fixtures/report-facts.csv` lists, per section of the report, every figure written in
digits, every full date, every month and year, every Russian or Ukrainian region and every
foreign country the section names, one row each: `section,kind,value,omitted`. `omitted` gives
the reason when a fact is deliberately left out of the data (DELIBERATELY_OMITTED). The index
holds no prose and no personal data, so it can be committed, and the completeness tests can
check the data against it everywhere, also where the report itself is absent.

`extract()` derives the index from the report. Where the report is present, a test checks that
the committed index equals what `extract()` finds; after a deliberate change, rewrite the index
with `python -m tests.report_facts`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from .conftest import REPORT, ROOT

INDEX = ROOT / "tests" / "fixtures" / "report-facts.csv"
COLUMNS = ["section", "kind", "value", "omitted"]
KINDS = ("number", "date", "month", "region", "country")
SECTIONS = ("intro", "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5")
FOOTNOTES = 28

MONTHS = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
          "august": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12}
MONTH = "|".join(MONTHS)

# Facts of the report deliberately left out of the data, each with its reason: (kind, value, section).
DELIBERATELY_OMITTED = {
    ("number", "20", "2.2"): "age of a private individual (the conscript who made a video); never published",
}

# Every Russian or Ukrainian region and foreign country the report names (its Norwegian spelling -> code).
# 'Altai' is left out: it may be the Altai Republic (RU-AL) or Altai Krai (RU-ALT), and the data leaves it open.
NAMED_REGIONS = {
    "Basjkortostan": "RU-BA", "Tatarstan": "RU-TA", "Buryatia": "RU-BU", "Moskva": "RU-MOW",
    "Tyva": "RU-TY", "Magadan": "RU-MAG", "Tsjukotka": "RU-CHU", "Mari-El": "RU-ME",
    "Kalmykia": "RU-KL", "Arkhangelsk": "RU-ARK", "Orenburg": "RU-ORE", "Tsjetsjenia": "RU-CE",
    "Ingusjetia": "RU-IN", "Kabardino-Balkaria": "RU-KB", "Karatsjajevo-Tsjerkessia": "RU-KC",
    "Adygeya": "RU-AD", "Dagestan": "RU-DA", "Nord-Ossetia": "RU-SE", "Voronezj": "RU-VOR",
    "Tambov": "RU-TAM", "Tjumen": "RU-TYU", "Sakhalin": "RU-SAK", "Udmurtia": "RU-UD",
    "Krasnodar": "RU-KDA", "Stavropol": "RU-STA", "Sverdlovsk": "RU-SVE", "Kursk": "RU-KRS",
    "Krym": "UA-43", "Luhansk": "UA-09", "Donetsk": "UA-14", "Kherson": "UA-65",
    "Zaporizjzja": "UA-23", "Sumi": "UA-59", "Kharkiv": "UA-63",
}
NAMED_COUNTRIES = {
    "Georgia": "GE", "Armenia": "AM", "Kasakhstan": "KZ", "Kirgisistan": "KG", "Tyrkia": "TR",
    "De forente arabiske emirater": "AE", "Belarus": "BY", "Tadsjikistan": "TJ", "Ghana": "GH",
    "Kamerun": "CM", "Irak": "IQ", "Jemen": "YE", "Usbekistan": "UZ", "Nepal": "NP", "Cuba": "CU",
    "Sri Lanka": "LK", "USA": "US", "Kairo": "EG",
}

HEADING = re.compile(r"^(\d)\.\s?(\d)\s+\S")  # a section heading such as "1.2 Mobilisert" or "1. 4 Utenlandske"
SECTION_MARK = "\n\u00a7SECTION\u00a7\n"  # stands in for a heading; no digits, so no footnote marker or figure


# ---- reading the report ---------------------------------------------------------------

def report_text() -> str:
    return REPORT.read_text(encoding="utf-8")


def report_body(text: str) -> tuple[str, list[str]]:
    """The running text, footnote URLs and markers removed, headings replaced by SECTION_MARK; and the headings."""
    lines, headings = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^\d+\s+https?://", stripped) or re.match(r"^https?://", stripped):
            continue  # a footnote's URL, or a bare URL
        if re.match(r"^[a-z0-9_./-]+\.html\s*$", stripped):
            continue  # the wrapped tail of a footnote URL
        heading = HEADING.match(stripped)
        if heading:
            headings.append(f"{heading.group(1)}.{heading.group(2)}")
            lines.append(SECTION_MARK)
            continue
        lines.append(line)
    body = "\n".join(lines)
    body = re.sub(r"https?://\S+|t\.me/\S+", " ", body)
    return strip_footnote_markers(body), headings


def strip_footnote_markers(body: str) -> str:
    """Remove footnote markers 1..N in order: digits glued to a word, a stop, or a year."""
    position, number = 0, 1
    while True:
        marker = re.compile(rf"(?:(?<=[^\s\d])|(?<=\b20\d\d)){number}(?!\d)")
        match = marker.search(body, position)
        if not match:
            break
        body = body[: match.start()] + " " + body[match.end():]
        position, number = match.start(), number + 1
    assert number - 1 == FOOTNOTES, f"expected {FOOTNOTES} footnote markers, found {number - 1}"
    return body


def sections(text: str) -> dict[str, str]:
    """Section -> its running text (`intro` before the first heading)."""
    body, headings = report_body(text)
    parts = body.split(SECTION_MARK)
    assert len(parts) == len(headings) + 1 and tuple(["intro"] + headings) == SECTIONS, headings
    return dict(zip(SECTIONS, parts))


def words(text: str) -> str:
    """Text with every run of white space as one space, and names hyphenated across a line break rejoined."""
    return re.sub(r"-\s+(?=[A-ZÆØÅ])", "-", " ".join(text.split()))


# ---- what a section names -------------------------------------------------------------

def parse_number(text: str) -> Decimal:
    """Norwegian report style: "15,000" is fifteen thousand, "6,5" is six and a half."""
    if re.fullmatch(r"\d+(,\d{3})+", text):
        return Decimal(text.replace(",", ""))
    return Decimal(text.replace(",", ".")).normalize()


def figures(body: str) -> list[tuple[str, Decimal]]:
    """Every figure written in digits, as (context, value), with dates and years left out."""
    body = re.sub(rf"\b(\d{{1,2}})\.\s*(?:{MONTH})", " ", body)  # day of a date
    body = re.sub(r"(?<![\d,])\b(19|20)\d\d\b(?![,.]\d)", " ", body)  # years
    body = re.sub(r"(?<!\d)\d\)", " ", body)  # list markers such as "1)"
    body = re.sub(r"\bper\s+10,000\b", " ", body)  # the denominator of a rate
    found = []
    pattern = re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*(?:,\d{1,2}(?!\d))?)(?:\s*-\s*(\d+(?:,\d{3})+))?(\s*(?:mill|%))?")
    for match in pattern.finditer(body):
        first, second, suffix = match.group(1), match.group(2), (match.group(3) or "").strip()
        context = " ".join(body[max(0, match.start() - 40): match.end() + 20].split())
        value = parse_number(first)
        if second:  # "130-160,000": the first bound shares the second's thousands
            high = parse_number(second)
            if value < 1000 <= high:
                value *= 1000
            found.append((context, high))
        if suffix == "mill":
            value *= Decimal(1_000_000)
        found.append((context, value))
    return found


FULL_DATE = re.compile(rf"\b(\d{{1,2}})\.\s*({MONTH})\s+(20\d\d)")


def full_dates(body: str) -> set[date]:
    return {date(int(y), MONTHS[m], int(d)) for d, m, y in FULL_DATE.findall(body)}


def months(body: str) -> set[tuple[int, int]]:
    """Month and year given without a day (a full date's month is not counted again)."""
    return {(int(y), MONTHS[m]) for m, y in re.findall(rf"\b({MONTH})\s+(20\d\d)", FULL_DATE.sub(" ", body))}


def named(body: str, names: dict[str, str]) -> set[str]:
    text = words(body)
    return {code for name, code in names.items() if name in text}


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def extract(text: str) -> list[dict]:
    """The index rows the report's text gives, in index order."""
    facts = []
    for section, body in sections(text).items():
        found = {
            "number": {plain(value) for _, value in figures(body)},
            "date": {day.isoformat() for day in full_dates(body)},
            "month": {f"{year}-{month:02d}" for year, month in months(body)},
            "region": named(body, NAMED_REGIONS),
            "country": named(body, NAMED_COUNTRIES),
        }
        for kind in KINDS:
            for value in sorted(found[kind], key=sort_key(kind)):
                facts.append({"section": section, "kind": kind, "value": value,
                              "omitted": DELIBERATELY_OMITTED.get((kind, value, section), "")})
    return facts


def sort_key(kind: str):
    return Decimal if kind == "number" else str


# ---- the committed index --------------------------------------------------------------

def read_index(path: Path = INDEX) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def index_text(facts: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(facts)
    return buffer.getvalue()


if __name__ == "__main__":
    INDEX.write_text(index_text(extract(report_text())), encoding="utf-8", newline="\n")
    print(f"wrote {INDEX.relative_to(ROOT)}")
