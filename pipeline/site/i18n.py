"""Interface text in English and bokmål from one catalogue (`text.csv`: key, en, no), and
schema or row text in a page's language, falling back to English marked as such."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

CATALOGUE = Path(__file__).parent / "text.csv"
LANGS = ("en", "no")


@dataclass(frozen=True)
class Said:
    """A text and, when it is not in the page's language, the language it is in."""

    text: str
    lang: str | None = None

    def __str__(self) -> str:
        return self.text


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {"en": ..., "no": ...}, read once."""
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: {lang: row[lang] for lang in LANGS} for row in csv.DictReader(handle)}


def say(key: str, lang: str, **values) -> str:
    """The interface text `key` in `lang`, with `{name}` placeholders filled in."""
    text = catalogue()[key][lang]
    return text.format(**values) if values else text


def label(kind: str, value: str | None, lang: str) -> str:
    """A readable label for an enum value (`claimant`, `event`, `unit`...): from the catalogue, else the value."""
    if value is None:
        return ""
    entry = catalogue().get(f"{kind}.{value}")
    return entry[lang] if entry else value.replace("_", " ").replace("-", " ")


def local_key(item: dict, key: str, lang: str, no_key: str | None = None) -> str:
    """The key whose text `local` shows: in Norwegian `no_key` (default `<key>_no`, or `name_no` for
    `name_en`) when it is filled, else `key`."""
    if lang == "en":
        return key
    no_key = no_key or (key[:-3] + "_no" if key.endswith("_en") else key + "_no")
    return no_key if item.get(no_key) else key


def local(item: dict, key: str, lang: str, no_key: str | None = None) -> Said:
    """`item[key]` in the page's language: in Norwegian `item[no_key]` (see `local_key`) when present,
    else the English text marked lang="en"."""
    shown = local_key(item, key, lang, no_key)
    text = item.get(shown) or ""
    return Said(text, "en" if lang != "en" and shown == key and text else None)


def other_lang(lang: str) -> str:
    return LANGS[1 - LANGS.index(lang)]
