"""Compare two data packages: rows matched on primary key, and schema changes.

A package is read from a folder holding datapackage.json (such as dist/), a
release zip, or a git ref (`v1.0.0`, `HEAD`) whose dist/ is read with `git show`.
Each change knows the least version bump it requires (MAJOR, MINOR or PATCH).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .problems import PipelineError

PATCH, MINOR, MAJOR = 1, 2, 3
BUMP_NAMES = {PATCH: "patch", MINOR: "minor", MAJOR: "major"}
WIDENING = {("integer", "number"), ("integer", "string"), ("number", "string"), ("date", "string")}


@dataclass
class Snapshot:
    """One package as the diff sees it: its descriptor and its CSV tables as text cells."""

    descriptor: dict
    schemas: dict[str, dict] = field(default_factory=dict)
    rows: dict[str, dict[tuple, dict[str, str]]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.descriptor.get("version", "0.0.0")


@dataclass(frozen=True)
class SchemaChange:
    table: str
    kind: str
    detail: str
    bump: int


@dataclass(frozen=True)
class CellChange:
    table: str
    id: str
    change: str  # added, removed, changed
    field: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""


@dataclass
class PackageDiff:
    old_version: str
    new_version: str
    schema_changes: list[SchemaChange]
    row_changes: list[CellChange]

    def required_bump(self) -> int | None:
        """The least bump these changes need (None when nothing changed)."""
        bumps = [c.bump for c in self.schema_changes]
        for change in self.row_changes:
            bumps.append(PATCH if change.change == "changed" else MINOR)
        return max(bumps) if bumps else None

    def reasons_for(self, bump: int) -> list[str]:
        """Plain-English list of the changes that need this bump."""
        reasons = [f"{c.table}: {c.detail}" for c in self.schema_changes if c.bump == bump]
        if bump == MINOR:
            for kind in ("added", "removed"):
                ids = [c for c in self.row_changes if c.change == kind]
                if ids:
                    reasons.append(f"{len(ids)} row(s) {kind}")
        if bump == PATCH:
            changed = {(c.table, c.id) for c in self.row_changes if c.change == "changed"}
            if changed:
                reasons.append(f"{len(changed)} row(s) with corrected values")
        return reasons


def empty_snapshot(version: str = "0.0.0") -> Snapshot:
    return Snapshot({"version": version, "resources": []})


def _snapshot(descriptor: dict, read_text) -> Snapshot:
    snapshot = Snapshot(descriptor)
    for resource in descriptor.get("resources", []):
        if resource.get("format") != "csv":
            continue
        name, schema = resource["name"], resource["schema"]
        key = schema.get("primaryKey", [])
        reader = csv.DictReader(io.StringIO(read_text(resource["path"]), newline=""))
        snapshot.schemas[name] = schema
        snapshot.rows[name] = {tuple(row[k] for k in key): row for row in reader}
    return snapshot


def load_snapshot(ref: str | Path, root: Path = Path(".")) -> Snapshot:
    """A package from a folder, a release zip, or a git ref of the repository at `root`."""
    path = Path(ref)
    if path.is_dir():
        folder = path
        return _snapshot(_read_json(folder / "datapackage.json"), lambda p: (folder / p).read_text(encoding="utf-8"))
    if path.suffix == ".zip" and path.is_file():
        from .archive import unpacked_release

        with unpacked_release(path) as folder:
            return load_snapshot(folder)
    return _git_snapshot(str(ref), root)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: no datapackage.json here") from None


def _git_snapshot(ref: str, root: Path) -> Snapshot:
    def show(path: str) -> str:
        result = subprocess.run(["git", "show", f"{ref}:dist/{path}"], cwd=root, capture_output=True)
        if result.returncode != 0:
            raise PipelineError(f"{ref}: not a folder, a release zip, or a git ref with dist/{path} "
                                f"({result.stderr.decode(errors='replace').strip()})")
        return result.stdout.decode("utf-8")

    return _snapshot(json.loads(show("datapackage.json")), show)


def _enum(field_descriptor: dict) -> list | None:
    return field_descriptor.get("constraints", {}).get("enum")


def _field_changes(table: str, old: dict, new: dict) -> list[SchemaChange]:
    changes = []
    old_fields = {f["name"]: f for f in old["fields"]}
    new_fields = {f["name"]: f for f in new["fields"]}
    removed = [n for n in old_fields if n not in new_fields]
    added = [n for n in new_fields if n not in old_fields]
    old_names, new_names = list(old_fields), list(new_fields)
    for name in list(removed):
        position = old_names.index(name)
        twin = new_names[position] if position < len(new_names) else None
        if twin in added and new_fields[twin]["type"] == old_fields[name]["type"]:
            changes.append(SchemaChange(table, "field-renamed", f"field {name!r} renamed to {twin!r}", MAJOR))
            removed.remove(name)
            added.remove(twin)
    changes += [SchemaChange(table, "field-removed", f"field {n!r} removed", MAJOR) for n in removed]
    changes += [SchemaChange(table, "field-added", f"field {n!r} added", MINOR) for n in added]
    for name in (n for n in old_fields if n in new_fields):
        before, after = old_fields[name], new_fields[name]
        if before["type"] != after["type"]:
            widening = (before["type"], after["type"]) in WIDENING
            changes.append(SchemaChange(table, "field-retyped", f"field {name!r} type {before['type']} → {after['type']}"
                                        f" ({'widened' if widening else 'narrowed'})", MINOR if widening else MAJOR))
        old_enum, new_enum = _enum(before), _enum(after)
        if old_enum is not None and new_enum is not None:
            for value in old_enum:
                if value not in new_enum:
                    changes.append(SchemaChange(table, "enum-value-removed", f"{name}: value {value!r} removed", MAJOR))
            for value in new_enum:
                if value not in old_enum:
                    changes.append(SchemaChange(table, "enum-value-added", f"{name}: value {value!r} added", MINOR))
        elif old_enum is None and new_enum is not None:
            changes.append(SchemaChange(table, "enum-added", f"{name}: now limited to a list of values", MAJOR))
        elif old_enum is not None and new_enum is None:
            changes.append(SchemaChange(table, "enum-removed", f"{name}: no longer limited to a list of values", MINOR))
        was_required = before.get("constraints", {}).get("required", False)
        is_required = after.get("constraints", {}).get("required", False)
        if is_required and not was_required:
            changes.append(SchemaChange(table, "field-required", f"{name}: now required", MAJOR))
        if was_required and not is_required:
            changes.append(SchemaChange(table, "field-optional", f"{name}: now optional", MINOR))
        for key in ("title", "description"):
            if before.get(key) != after.get(key):
                changes.append(SchemaChange(table, f"field-{key}", f"{name}: {key} edited", PATCH))
    return changes


def schema_changes(old: Snapshot, new: Snapshot) -> list[SchemaChange]:
    changes = []
    for table in old.schemas:
        if table not in new.schemas:
            changes.append(SchemaChange(table, "table-removed", f"table {table!r} removed", MAJOR))
    for table, schema in new.schemas.items():
        if table not in old.schemas:
            changes.append(SchemaChange(table, "table-added", f"table {table!r} added", MINOR))
            continue
        before = old.schemas[table]
        if before.get("primaryKey") != schema.get("primaryKey"):
            changes.append(SchemaChange(table, "primary-key-changed",
                                        f"primary key {before.get('primaryKey')} → {schema.get('primaryKey')}", MAJOR))
        if before.get("foreignKeys") != schema.get("foreignKeys"):
            changes.append(SchemaChange(table, "foreign-keys-changed", "foreign keys changed", MINOR))
        changes += _field_changes(table, before, schema)
    return changes


def row_changes(old: Snapshot, new: Snapshot) -> list[CellChange]:
    changes = []
    for table, rows in new.rows.items():
        if table not in old.schemas:  # a new table: every row is added
            changes += [CellChange(table, "/".join(key), "added") for key in rows]
            continue
        before = old.rows.get(table, {})
        shared = [f["name"] for f in new.schemas[table]["fields"] if f["name"] in
                  {g["name"] for g in old.schemas[table]["fields"]}]
        for key, row in rows.items():
            row_id = "/".join(key)
            if key not in before:
                changes.append(CellChange(table, row_id, "added"))
                continue
            reason = row.get("correction_note", "") if row.get("correction_note") != before[key].get("correction_note") else ""
            for name in shared:
                if name != "correction_note" and before[key][name] != row[name]:
                    changes.append(CellChange(table, row_id, "changed", name, before[key][name], row[name], reason))
        for key in before:
            if key not in rows:
                changes.append(CellChange(table, "/".join(key), "removed"))
    return changes


def diff(old: str | Path | Snapshot, new: str | Path | Snapshot, root: Path = Path(".")) -> PackageDiff:
    """What changed from package `old` to package `new`."""
    old = old if isinstance(old, Snapshot) else load_snapshot(old, root)
    new = new if isinstance(new, Snapshot) else load_snapshot(new, root)
    return PackageDiff(old.version, new.version, schema_changes(old, new), row_changes(old, new))


# Output: Markdown (changelog), JSON, changes.csv.

def diff_markdown(result: PackageDiff) -> str:
    lines = []
    bump = result.required_bump()
    lines.append(f"Compared with {result.old_version}: "
                 + (f"needs at least a **{BUMP_NAMES[bump]}** version bump." if bump else "no changes."))
    if result.schema_changes:
        lines += ["", "### Schema changes", ""]
        lines += [f"- `{c.table}`: {c.detail} ({BUMP_NAMES[c.bump]})" for c in result.schema_changes]
    new_tables = {c.table for c in result.schema_changes if c.kind == "table-added"}
    for table in sorted({c.table for c in result.row_changes}):
        changes = [c for c in result.row_changes if c.table == table]
        counts = {kind: len({c.id for c in changes if c.change == kind}) for kind in ("added", "removed", "changed")}
        if table in new_tables:
            lines += ["", f"### `{table}`: new table, {counts['added']} rows"]
            continue
        lines += ["", f"### `{table}`: {counts['added']} added, {counts['removed']} removed, "
                      f"{counts['changed']} changed", ""]
        for c in changes:
            if c.change == "changed":
                reason = f" — {c.reason}" if c.reason else ""
                lines.append(f"- `{c.id}` {c.field}: `{c.old}` → `{c.new}`{reason}")
            else:
                lines.append(f"- `{c.id}` {c.change}")
    return "\n".join(lines) + "\n"


def diff_json(result: PackageDiff) -> str:
    bump = result.required_bump()
    data = {"old_version": result.old_version, "new_version": result.new_version,
            "required_bump": BUMP_NAMES.get(bump), "schema_changes": [asdict(c) | {"bump": BUMP_NAMES[c.bump]}
                                                                      for c in result.schema_changes],
            "row_changes": [asdict(c) for c in result.row_changes]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def changes_csv(result: PackageDiff) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "id", "change", "field", "old", "new", "reason"])
    for c in result.row_changes:
        writer.writerow([c.table, c.id, c.change, c.field, c.old, c.new, c.reason])
    return buffer.getvalue()
