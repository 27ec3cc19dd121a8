"""A typed row reads like the dict it replaces, and costs a fraction of it."""

import sys

import pytest

from pipeline.rows import Row, rows_of


def test_a_row_reads_like_a_dict_of_its_fields():
    (row,) = rows_of(["id", "value", "__line__"], [["a"], [None], [2]])
    assert row == {"id": "a", "value": None, "__line__": 2}
    assert {"id": "a", "value": None, "__line__": 2} == row
    assert row["id"] == "a" and row.get("value") is None and row.get("missing", 5) == 5
    assert list(row) == ["id", "value", "__line__"] and len(row) == 3
    assert "value" in row and "missing" not in row
    assert dict(row.items()) == {"id": "a", "value": None, "__line__": 2}
    with pytest.raises(KeyError):
        row["missing"]


def test_a_row_cannot_be_changed():
    (row,) = rows_of(["id"], [["a"]])
    with pytest.raises(TypeError):
        row["id"] = "b"
    with pytest.raises(AttributeError):
        row.extra = 1


def test_rows_of_a_table_share_one_field_index():
    rows = rows_of(["id", "value"], [["a", "b"], [1, 2]])
    assert [dict(r) for r in rows] == [{"id": "a", "value": 1}, {"id": "b", "value": 2}]
    assert rows[0]._index is rows[1]._index
    assert sys.getsizeof(rows[0]) < sys.getsizeof(dict(rows[0]))


def test_columns_of_reads_rows_column_by_column_whether_rows_or_dicts():
    from pipeline.rows import columns_of

    rows = rows_of(["id", "value"], [["a", "b", "c"], [1, None, 3]])
    assert list(columns_of(rows, ["value", "id"])) == [[1, None, 3], ["a", "b", "c"]]
    assert list(columns_of([dict(r) for r in rows], ["value"])) == [[1, None, 3]]
    mixed = rows[:2] + rows_of(["value", "id"], [[4], ["d"]])  # another field order: read by name
    assert list(columns_of(mixed, ["id", "value"])) == [["a", "b", "d"], [1, None, 4]]
    assert list(columns_of(rows[:1] + [{"id": "e", "value": 5}], ["id"])) == [["a", "e"]]
    assert list(columns_of([], ["id"])) == [[]]
