"""The SQLite edition: one database with a table per table, ready for Datasette.

`write_sqlite` makes `<package-name>.sqlite` with typed columns, primary keys,
foreign keys (indexed) and the rows in primary-key order; `datasette_metadata`
gives the titles, license, source and column descriptions that Datasette shows
(`datasette <name>.sqlite -m metadata.json`). The same inputs give the same bytes
with the same SQLite library: the file is written from scratch by one fixed
sequence of statements and compacted by VACUUM.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from .descriptor import table_resources
from .fieldtypes import converted_column, field_type
from .rows import columns_of

LABEL_COLUMNS = ("name_en", "publisher")


def quoted(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(name: str, schema: dict) -> str:
    """CREATE TABLE with column types, NOT NULL, PRIMARY KEY and FOREIGN KEY clauses."""
    lines = []
    for field in schema["fields"]:
        required = " NOT NULL" if field.get("constraints", {}).get("required") else ""
        lines.append(f"{quoted(field['name'])} {field_type(field['type']).sqlite}{required}")
    lines.append(f"PRIMARY KEY ({', '.join(map(quoted, schema['primaryKey']))})")
    for key in schema.get("foreignKeys", []):
        reference = key["reference"]
        lines.append(f"FOREIGN KEY ({', '.join(map(quoted, key['fields']))}) REFERENCES "
                     f"{quoted(reference['resource'])} ({', '.join(map(quoted, reference['fields']))})")
    return f"CREATE TABLE {quoted(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def index_sql(name: str, schema: dict) -> list[str]:
    """CREATE INDEX on each foreign-key column that is not the table's primary key."""
    statements = []
    for key in schema.get("foreignKeys", []):
        if key["fields"] == schema["primaryKey"]:
            continue
        index = f"idx_{name}_{'_'.join(key['fields'])}"
        statements.append(f"CREATE INDEX {quoted(index)} ON {quoted(name)} "
                          f"({', '.join(map(quoted, key['fields']))})")
    return statements


def sql_column(kind: str, values: list) -> list:
    """A column of typed cells of one schema type as SQLite stores them (fieldtypes.py): dates as ISO text,
    Decimals as floats, booleans as 1/0, missing values as NULL."""
    return converted_column(kind, "sql", values)


def insert_rows(connection: sqlite3.Connection, name: str, schema: dict, rows: list[dict],
                block: int = 20_000) -> None:
    """Insert the rows in order, a block at a time, each column converted once by its schema type."""
    fields = schema["fields"]
    placeholders = ", ".join("?" for _ in fields)
    statement = (f"INSERT INTO {quoted(name)} ({', '.join(quoted(f['name']) for f in fields)}) "
                 f"VALUES ({placeholders})")
    for start in range(0, len(rows), block):
        chunk = rows[start:start + block]
        columns = columns_of(chunk, [f["name"] for f in fields])
        connection.executemany(statement, zip(*[sql_column(f["type"], values) for f, values in zip(fields, columns)]))


# The file is written once into a staging name and renamed when complete: no journal or sync is needed.
BULK_LOAD = ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF")


def write_sqlite(descriptor: dict, tables: dict[str, list[dict]], path: Path) -> None:
    """Write the package as one SQLite database at `path` (replaced if it exists).

    Each table is created, loaded in one transaction and then indexed (faster than keeping the
    indexes up to date row by row); VACUUM INTO writes the compacted copy, laid out the same whatever
    the order of work, straight to its staging name (an in-place VACUUM writes the file twice)."""
    path = Path(path)
    loaded, staging = path.with_name(f".{path.name}.load"), path.with_name(f".{path.name}.new")
    loaded.unlink(missing_ok=True)
    staging.unlink(missing_ok=True)
    connection = sqlite3.connect(loaded, isolation_level=None)
    try:
        for pragma in BULK_LOAD:
            connection.execute(pragma)
        connection.execute("BEGIN")
        for resource in table_resources(descriptor):
            name, schema = resource["name"], resource["schema"]
            connection.execute(create_table_sql(name, schema))
            insert_rows(connection, name, schema, tables[name])
            for statement in index_sql(name, schema):
                connection.execute(statement)
        connection.execute("COMMIT")
        connection.execute("VACUUM INTO ?", (str(staging),))
    finally:
        connection.close()
        loaded.unlink(missing_ok=True)
    _fixed_header(staging)
    os.replace(staging, path)


def _fixed_header(path: Path) -> None:
    """Set the header fields that say how the file was last written, not what it holds, to fixed values.

    Bytes 92-99 (which SQLite library last wrote the file, and at which change) are zeroed: they are
    the only bytes that differ between machines with other SQLite versions, and zero is a valid
    "unknown" value in the file format, which SQLite overwrites at the next write. The change counter
    (bytes 24-27) is set to 2, what an in-place VACUUM left in the files of earlier builds (VACUUM INTO
    leaves 1): with bytes 92-95 zero SQLite reads the counter as no statement of the file's size, and
    the same data gives the same bytes as before.
    """
    with open(path, "r+b") as handle:
        handle.seek(24)
        handle.write((2).to_bytes(4, "big"))
        handle.seek(92)
        handle.write(bytes(8))


def column_descriptions(schema: dict) -> dict[str, str]:
    return {f["name"]: f"{f['title']}. {f['description']}" for f in schema["fields"]}


def table_metadata(resource: dict) -> dict:
    """Datasette's metadata of one table: title, description, columns, label column."""
    schema = resource["schema"]
    meta = {"title": resource["title"], "description": resource["description"],
            "columns": column_descriptions(schema)}
    names = [f["name"] for f in schema["fields"]]
    label = next((n for n in LABEL_COLUMNS if n in names), None)
    if label:
        meta["label_column"] = label
    return meta


def datasette_metadata(descriptor: dict) -> bytes:
    """metadata.json for `datasette <name>.sqlite -m metadata.json`, as UTF-8 JSON bytes."""
    license_ = descriptor["licenses"][0]
    source = descriptor.get("sources", [{}])[0]
    meta = {
        "title": f"{descriptor['title']} (version {descriptor['version']})",
        "description": descriptor["description"],
        "license": license_.get("title", license_["name"]),
        "license_url": license_.get("path", ""),
        "source": source.get("title", ""),
    }
    if source.get("path"):
        meta["source_url"] = source["path"]
    meta["databases"] = {descriptor["name"]: {
        "tables": {r["name"]: table_metadata(r) for r in table_resources(descriptor)},
    }}
    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
