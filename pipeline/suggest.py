"""Answer a name written where a code belongs with the code it most likely means.

"Tatarstan" in `region_code` gets "did you mean RU-TA (Republic of Tatarstan)?";
"Belarus" in `country_code` gets BY; "Contract soldier" in `category_id` gets
`contract`. The names come from the table a field refers to (its foreign key:
the `name_*` and `iso_name` columns of raw/regions.csv, raw/categories.csv, ...)
and, for country codes, from pycountry.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pycountry

MAX_SHOWN = 3


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@dataclass
class Choices:
    """The codes of one field, each with a label to show and the names it goes by."""

    names: dict[str, list[str]] = field(default_factory=dict)  # code -> names
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, code: str, label: str, names: list[str]) -> None:
        if code:
            self.names[code] = [code, *[name for name in names if name]]
            self.labels[code] = label or code

    def best(self, cell: str) -> list[str]:
        """The codes `cell` most likely means: same name, then all its words in a name, then a close spelling."""
        wanted = _fold(cell)
        if not wanted:
            return []
        exact = [code for code, names in self.names.items() if wanted in {_fold(n) for n in names}]
        if exact:
            return exact
        words = set(wanted.split())
        within = [code for code, names in self.names.items() if any(words <= set(_fold(n).split()) for n in names)]
        if within:
            return within
        folded = {_fold(name): code for code, names in self.names.items() for name in names}
        close = difflib.get_close_matches(wanted, list(folded), n=MAX_SHOWN, cutoff=0.8)
        return list(dict.fromkeys(folded[name] for name in close))

    def hint(self, cell: str) -> str:
        codes = [code for code in self.best(cell) if code != cell]
        if not codes or len(codes) > MAX_SHOWN:
            return ""
        shown = " or ".join(f"{code} ({self.labels[code]})" if self.labels[code] != code else code for code in codes)
        return f"; did you mean {shown}?"


def country_choices() -> Choices:
    choices = Choices()
    for country in pycountry.countries:
        names = [country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")]
        choices.add(country.alpha_2, getattr(country, "common_name", "") or country.name, names)
    return choices


def table_choices(header: list[str], rows: list[list[str]], key: str) -> Choices:
    """Choices from a raw table: its `key` column, named by its `name_*` and `iso_name` columns."""
    choices = Choices()
    if key not in header:
        return choices
    name_columns = [i for i, name in enumerate(header) if name.startswith("name") or name == "iso_name"]
    label_column = header.index("name_en") if "name_en" in header else None
    key_column = header.index(key)
    for cells in rows:
        if len(cells) != len(header):
            continue
        label = cells[label_column] if label_column is not None else ""
        choices.add(cells[key_column], label, [cells[i] for i in name_columns])
    return choices


def enum_choices(values: list) -> Choices:
    choices = Choices()
    for value in values:
        choices.add(str(value), str(value), [str(value).replace("_", " ").replace("-", " ")])
    return choices


COUNTRY_FIELDS = ("country_code",)


def suggestion(field_descriptor: dict, schema: dict, cell, tables: dict) -> str:
    """'; did you mean …?' for a cell of this field, or ''.

    `tables` maps a table name to its (header, rows) as read from raw/.
    """
    if cell is None or cell == "":
        return ""
    name = field_descriptor.get("name", "")
    cell = str(cell)
    if name in COUNTRY_FIELDS:
        choices = country_choices()
        hint = choices.hint(cell)
        if not hint and len(cell) > 3:
            try:  # pycountry's own search knows "Russia" and other short forms
                found = pycountry.countries.search_fuzzy(cell)[0]
            except LookupError:
                return ""
            return f"; did you mean {found.alpha_2} ({choices.labels[found.alpha_2]})?"
        return hint
    for key in schema.get("foreignKeys", []):
        if key["fields"] == [name] and key["reference"]["resource"] in tables:
            header, rows = tables[key["reference"]["resource"]]
            return table_choices(header, rows, key["reference"]["fields"][0]).hint(cell)
    enum = field_descriptor.get("constraints", {}).get("enum")
    if enum:
        return enum_choices(enum).hint(cell)
    return ""
