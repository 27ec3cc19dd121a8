"""Figures, dates and places as a person reads them, in English or bokmål.

Pure text functions: a figure with its uncertainty (≥ 15,000; 200–400; ≈ 42 %; ≤ 2 years, thousands
grouped as the language groups them), a date as precise as it is known, an inferred date marked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .i18n import label, say

SYMBOLS = {"approximately": "≈ ", "at_least": "≥ ", "more_than": "> ", "at_most": "≤ ", "less_than": "< "}
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
NO_BREAK = "\u00a0"
CURRENCIES = ("NOK", "RUB", "USD", "EUR")


def number_text(value, lang: str = "en") -> str:
    """A number for reading: thousands grouped, no trailing zeros (en 2,700,000 and 6.5; no 2 700 000 and 6,5)."""
    text = format(Decimal(str(value)).normalize(), ",f")
    if lang == "no":
        text = text.replace(",", NO_BREAK).replace(".", ",")
    return text


def short_number_text(value, lang: str = "en") -> str:
    """A number that fits on a map tile: 884, 2.7M, 337k (bokmål 2,7M)."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return number_text(round(value / size, 1 if abs(value) < 10 * size else 0), lang) + suffix
    return number_text(value, lang)


def unit_text(unit: str | None, lang: str = "en") -> str:
    return label("unit", unit, lang)


def figure_text(row: dict, lang: str = "en", short: bool = False) -> str:
    """A row's figure as the source states it, without its unit: ≥ 15,000; ≈ 42; 200–400
    (`short`: numbers shortened to fit a map tile, ≈ 337k)."""
    number = short_number_text if short else number_text
    if row.get("qualifier") is None:
        return ""
    if row.get("qualifier") == "range":
        return f"{number(row['value_low'], lang)}–{number(row['value_high'], lang)}"
    return SYMBOLS.get(row.get("qualifier"), "") + number(row["value"], lang)


def figure_with_unit(row: dict, lang: str = "en") -> str:
    """A figure with its unit: ≥ 15,000 deaths; ≈ 42 %; ≤ 2 years; 199,000 NOK."""
    figure = figure_text(row, lang)
    if not figure or not row.get("unit"):
        return figure
    return f"{figure}{NO_BREAK}{unit_text(row['unit'], lang)}"


def extent(row: dict) -> float:
    """How far a figure reaches on its axis (the upper bound of a range)."""
    return float(row["value_high"] if row.get("qualifier") == "range" else row["value"])


def month_name(month: int, lang: str) -> str:
    return say("date.months", lang).split()[month - 1]


def date_text(day: date | None, precision: str | None, lang: str = "en") -> str:
    """A date as precise as it is known: 24 Feb 2022, Sep 2022, summer 2022, 2022 (no: 24. feb. 2022, høsten 2022)."""
    if day is None:
        return say("date.not_given", lang)
    if precision == "year":
        return str(day.year)
    if precision == "season":
        return f"{say('date.' + SEASONS[day.month], lang)} {day.year}"
    if precision == "month":
        return f"{month_name(day.month, lang)} {day.year}"
    return f"{day.day}{'.' if lang == 'no' else ''} {month_name(day.month, lang)} {day.year}"


def inferred_mark(row: dict, lang: str = "en") -> str:
    """" (inferred)" after a date the curators deduced (date_basis inferred); nothing after a stated one."""
    return " " + say("date.inferred", lang) if row.get("date_basis") == "inferred" else ""


def period_text(start: date, end: date | None, lang: str = "en") -> str:
    """A period in months: Jan–Aug 2025; Feb 2022–Feb 2023; from Sep 2022."""
    if end is None:
        return f"{month_name(start.month, lang)} {start.year}–?"
    if start.year == end.year:
        return f"{month_name(start.month, lang)}–{month_name(end.month, lang)} {end.year}"
    return f"{month_name(start.month, lang)} {start.year}–{month_name(end.month, lang)} {end.year}"


def when_text(row: dict, lang: str = "en") -> str:
    """When a figure holds: as of a date, over a period, or not given; an inferred date says so."""
    if row.get("as_of") and not row.get("period_start"):
        return say("date.as_of", lang, date=date_text(row["as_of"], "day", lang)) + inferred_mark(row, lang)
    if row.get("period_start"):
        return period_text(row["period_start"], row.get("period_end"), lang) + inferred_mark(row, lang)
    if row.get("date"):
        return event_when(row, lang)
    return say("date.not_given", lang)


def event_when(row: dict, lang: str = "en") -> str:
    """When an event happened, as precisely as known: 2005 to 2006, Sep 2022 (inferred)."""
    when = date_text(row.get("date"), row.get("date_precision"), lang)
    if row.get("date_end"):
        when += f" {say('date.to', lang)} {date_text(row['date_end'], row.get('date_precision'), lang)}"
    return when + inferred_mark(row, lang)
