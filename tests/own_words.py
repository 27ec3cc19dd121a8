"""Own words: no curated text shares a run of eight or more consecutive words with the report.

Text is compared as words: `\\w+` tokens of the lower-cased text, so case, punctuation and
white space do not matter. A run of eight words shared with the report is a copy. The report is
not in the repository, so what the tests compare against is committed as hashes
(tests/fixtures/report-shingles.txt): the first 16 hex digits of the sha256 of every run of eight
words of the report, one per line, sorted. No prose of the report can be read back from it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import report_facts
from .conftest import ROOT

RUN = 8
SHINGLES = ROOT / "tests" / "fixtures" / "report-shingles.txt"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingle_hash(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:16]


def runs(text: str) -> list[list[str]]:
    """Every run of RUN consecutive words of the text."""
    tokens = words(text)
    return [tokens[i:i + RUN] for i in range(len(tokens) - RUN + 1)]


def shingles(text: str) -> set[str]:
    """The hashes of every run of RUN consecutive words of the text."""
    return {shingle_hash(run) for run in runs(text)}


def report_shingles(text: str) -> set[str]:
    """The report's shingles: of its text as it is, and of its running text with footnote markers removed
    (a marker glued to a word, `Ukraina3`, would otherwise hide the run it sits in)."""
    body, _ = report_facts.report_body(text)
    return shingles(text) | shingles(body.replace(report_facts.SECTION_MARK, " "))


def read_shingles(path: Path = SHINGLES) -> set[str]:
    return set(path.read_text(encoding="ascii").split())


def shingles_file(hashes: set[str]) -> str:
    return "".join(f"{h}\n" for h in sorted(hashes))


def copied_runs(text: str, source: set[str]) -> list[str]:
    """The runs of RUN words of `text` whose hash is among the source's shingles, as plain words."""
    return [" ".join(run) for run in runs(text) if shingle_hash(run) in source]
