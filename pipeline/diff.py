"""Compare two data packages: rows matched on primary key, and schema changes.

A package is read from `raw` (what raw/ and schemas/ build now, built into a
temporary folder), a released version (`1.0.0`: its snapshot under
releases/1.0.0/, committed with every clone), a folder holding
datapackage.json (such as dist/), a release zip, or a git ref (`v1.0.0`,
`HEAD`) whose dist/ is read with `git show`. Each change knows the least
version bump it requires (MAJOR, MINOR or PATCH).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import history
from .losses import MOST
from .problems import PipelineError
from .schemas import TEXT_KEYS

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
    change: str  # added, removed, changed; an added or removed row has one entry per filled field
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
    row_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (rows before, rows after)

    def tables_that_lost_rows(self, share: float = MOST) -> dict[str, tuple[int, int]]:
        """Tables that lost all their rows, or more than `share` of them."""
        return {t: (a, b) for t, (a, b) in self.row_counts.items() if a and b < a * (1 - share)}

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
                ids = {(c.table, c.id) for c in self.row_changes if c.change == kind}
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
    """A package from `raw`, a released version, a folder, a release zip, or a git ref of the repository at `root`."""
    root = Path(root)
    if str(ref) == "raw":
        return raw_snapshot(root)
    if history.SEMVER.fullmatch(str(ref)) and history.release_record(root, str(ref)):
        return load_snapshot(history.release_folder(root, str(ref)) / "snapshot")
    path = Path(ref)
    if path.is_dir():
        folder = path
        return _snapshot(_read_json(folder / "datapackage.json"), lambda p: (folder / p).read_text(encoding="utf-8"))
    if path.suffix == ".zip" and path.is_file():
        from .unpack import unpacked_release

        with unpacked_release(path) as folder:
            return load_snapshot(folder)
    return _git_snapshot(str(ref), root)


def raw_snapshot(root: Path) -> Snapshot:
    """What raw/ and schemas/ build now (built into a temporary folder; dist/ is not touched)."""
    from .build import build

    with tempfile.TemporaryDirectory(prefix="diff-") as scratch:
        build(root, Path(scratch) / "dist")
        return load_snapshot(Path(scratch) / "dist")


def previous_release(root: Path) -> str:
    """The newest release recorded under releases/, or an error saying why there is none."""
    version = history.latest_release(root)
    if version is None:
        raise PipelineError(f"no previous release found: {Path(root) / history.RELEASES} holds no "
                            "<version>/release.json; name the package to compare with (a folder, zip or git ref)")
    return version


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
        for key in TEXT_KEYS:
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


def _filled(row: dict[str, str], names: list[str]) -> list[tuple[str, str]]:
    return [(name, row[name]) for name in names if row.get(name)]


def row_changes(old: Snapshot, new: Snapshot) -> list[CellChange]:
    """Every row added, removed or changed; added and removed rows with their values, changed rows per cell
    with the row's new correction_note as the reason."""
    changes = []
    for table, rows in new.rows.items():
        names = [f["name"] for f in new.schemas[table]["fields"]]
        before = old.rows.get(table, {}) if table in old.schemas else {}
        shared = [name for name in names if table in old.schemas and
                  name in {g["name"] for g in old.schemas[table]["fields"]}]
        for key, row in rows.items():
            row_id = "/".join(key)
            if key not in before:
                changes += [CellChange(table, row_id, "added", name, "", value) for name, value in _filled(row, names)]
                continue
            reason = row.get("correction_note", "") if row.get("correction_note") != before[key].get("correction_note") else ""
            for name in shared:
                if name != "correction_note" and before[key][name] != row[name]:
                    changes.append(CellChange(table, row_id, "changed", name, before[key][name], row[name], reason))
    for table, rows in old.rows.items():
        names = [f["name"] for f in old.schemas[table]["fields"]]
        current = new.rows.get(table, {})
        for key, row in rows.items():
            if key not in current:
                changes += [CellChange(table, "/".join(key), "removed", name, value, "")
                            for name, value in _filled(row, names)]
    return changes


def diff(old: str | Path | Snapshot, new: str | Path | Snapshot, root: Path = Path(".")) -> PackageDiff:
    """What changed from package `old` to package `new`."""
    old = old if isinstance(old, Snapshot) else load_snapshot(old, root)
    new = new if isinstance(new, Snapshot) else load_snapshot(new, root)
    counts = {table: (len(old.rows.get(table, {})), len(new.rows.get(table, {})))
              for table in dict.fromkeys([*old.rows, *new.rows])}
    return PackageDiff(old.version, new.version, schema_changes(old, new), row_changes(old, new), counts)


# Output: Markdown (changelog), JSON, changes.csv.

WORD = re.compile(r"\s+|[^\s]+")
LONG_TEXT = 60  # characters; longer texts show only the words that changed


def _md(text: str) -> str:
    """Text safe inside Markdown (no accidental emphasis, code or tables)."""
    return re.sub(r"([\\`*_~|<>\[\]])", r"\\\1", text)


def changed_words(old: str, new: str, context: int = 4) -> str:
    """The words that changed, with a few words of context: ~~removed~~ **added**."""
    a, b = WORD.findall(old), WORD.findall(new)
    parts = []
    opcodes = _coalesced(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes(), a)
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            words = a[i1:i2]
            keep = 2 * context  # words and spaces
            if index == 0 and len(words) > keep:
                words = ["…"] + words[-keep:]
            elif index == len(opcodes) - 1 and len(words) > keep:
                words = words[:keep] + ["…"]
            elif len(words) > 2 * keep + 1:
                words = words[:keep] + [" … "] + words[-keep:]
            parts.append(_md("".join(words)))
            continue
        removed, added = "".join(a[i1:i2]).strip(), "".join(b[j1:j2]).strip()
        if removed:
            parts.append(f"~~{_md(removed)}~~")
        if added:
            parts.append(("" if not removed else " ") + f"**{_md(added)}**")
        if op != "delete" and b[j1:j2] and b[j2 - 1].isspace():
            parts.append(" ")
    return "".join(parts)


def _coalesced(opcodes: list[tuple], a: list[str], short: int = 3) -> list[tuple]:
    """Opcodes where a short run of equal words between two changes joins them, so a rewritten
    phrase reads as one change rather than a word-by-word weave."""
    merged: list[list] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        inner = 0 < index < len(opcodes) - 1
        words = sum(1 for token in a[i1:i2] if not token.isspace())
        if op == "equal" and not (inner and words < short):
            merged.append([op, i1, i2, j1, j2])
        elif merged and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
            merged[-1][0] = "replace"
        else:
            merged.append(["replace" if op == "equal" else op, i1, i2, j1, j2])
    return [tuple(op) for op in merged]


def _value_change(c: CellChange) -> str:
    if max(len(c.old), len(c.new)) > LONG_TEXT:
        return changed_words(c.old, c.new)
    return f"`{c.old}` → `{c.new}`" if c.old else f"(empty) → `{c.new}`" if c.new else f"`{c.old}` → (empty)"


def _row_values(cells: list[CellChange], use_new: bool) -> str:
    values = {c.field: c.new if use_new else c.old for c in cells}
    statement = values.pop("statement", "")
    rest = ", ".join(f"{name} `{value}`" for name, value in values.items() if len(value) <= LONG_TEXT)
    long = " ".join(f"{name}: {_md(value)}" for name, value in values.items() if len(value) > LONG_TEXT)
    return " — ".join(part for part in (_md(statement), rest, long) if part)


def diff_markdown(result: PackageDiff) -> str:
    lines = []
    bump = result.required_bump()
    lines.append(f"Compared with {result.old_version}: "
                 + (f"needs at least a **{BUMP_NAMES[bump]}** version bump." if bump else "no changes."))
    if result.schema_changes:
        lines += ["", "### Schema changes", ""]
        lines += [f"- `{c.table}`: {c.detail} ({BUMP_NAMES[c.bump]})" for c in result.schema_changes]
    new_tables = {c.table for c in result.schema_changes if c.kind == "table-added"}
    lost = result.tables_that_lost_rows()
    for table in sorted({c.table for c in result.row_changes}):
        changes = [c for c in result.row_changes if c.table == table]
        by_row: dict[tuple[str, str], list[CellChange]] = {}
        for c in changes:
            by_row.setdefault((c.id, c.change), []).append(c)
        counts = {kind: len({c.id for c in changes if c.change == kind}) for kind in ("added", "removed", "changed")}
        heading = (f"new table, {counts['added']} rows" if table in new_tables else
                   f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
        lines += ["", f"### `{table}`: {heading}", ""]
        if table in lost:
            before, after = lost[table]
            lines += [f"**Warning: this table lost {'all' if not after else 'most'} of its rows "
                      f"({before} before, {after} now).**", ""]
        for (row_id, kind), cells in by_row.items():
            if kind == "changed":
                reason = cells[0].reason
                lines.append(f"- `{row_id}` changed" + (f" — reason: {_md(reason)}" if reason else
                                                          " — **no correction_note**"))
                lines += [f"  - {c.field}: {_value_change(c)}" for c in cells]
            else:
                lines.append(f"- `{row_id}` {kind}: {_row_values(cells, kind == 'added')}")
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
