"""The second layer of checks: Great Expectations suites, generated from `schemas/`.

`generate_suites` derives each table's suite from its Table Schema (which
fields it has) and its `x-checks` block (table-specific rules); the suites are
kept as data in `schemas/expectations/<table>.json`, and a test fails when they
drift from what `schemas/` implies. `run_suites` runs them on the typed tables
and turns every failed row into a `Problem`.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pycountry

from . import catalogue
from .problems import ERROR, WARNING, Problem, PipelineError
from .schemas import table_checks, table_names, table_schema


def analytics_off() -> None:
    """Force Great Expectations' usage statistics off, whatever the environment said: validation sends nothing."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"


analytics_off()  # before anything imports great_expectations

EARLIEST_DATE = "2000-01-01"  # the report's oldest dated event is from 2005
FIGURE = "qualifier.notnull()"
NO_FIGURE = "qualifier.isnull()"
# What the note of an undated figure says: that the report (or source) gives no date.
UNDATED_NOTE = r"(?i)\b(?:no date|not dated|undated|date not given)\b"


def expect(kind: str, code: str, message: str, severity: str = ERROR, **kwargs) -> dict:
    """One expectation as data: GX type and kwargs, our code and message in `meta`."""
    if "row_condition" in kwargs:
        kwargs["condition_parser"] = "pandas"
    return {"type": kind, "kwargs": kwargs, "meta": {"code": code, "message": message},
            "severity": "critical" if severity == ERROR else "warning"}


def _figure_rules(names: set[str]) -> list[dict]:
    if not {"qualifier", "value", "value_low", "value_high", "unit"} <= names:
        return []
    rules = [
        expect("expect_column_values_to_not_be_null", catalogue.FIGURE_WITHOUT_QUALIFIER,
               "a figure needs a qualifier (exact, approximately, at_least, more_than, at_most, less_than or range)",
               column="qualifier", row_condition="value.notnull() or value_low.notnull() or value_high.notnull()"),
        expect("expect_column_values_to_be_null", catalogue.RANGE_WITH_VALUE,
               "a range has its figures in value_low and value_high; leave value empty",
               column="value", row_condition='qualifier == "range"'),
        expect("expect_column_values_to_not_be_null", catalogue.RANGE_WITHOUT_LOW,
               "a range needs value_low", column="value_low", row_condition='qualifier == "range"'),
        expect("expect_column_values_to_not_be_null", catalogue.RANGE_WITHOUT_HIGH,
               "a range needs value_high", column="value_high", row_condition='qualifier == "range"'),
        expect("expect_column_values_to_not_be_null", catalogue.QUALIFIER_WITHOUT_VALUE,
               "this qualifier needs a figure in value (use qualifier range for low/high bounds)",
               column="value", row_condition=f'{FIGURE} and qualifier != "range"'),
        expect("expect_column_values_to_be_null", catalogue.BOUNDS_WITHOUT_RANGE,
               "value_low is only for qualifier range", column="value_low", row_condition='qualifier != "range"'),
        expect("expect_column_values_to_be_null", catalogue.BOUNDS_WITHOUT_RANGE,
               "value_high is only for qualifier range", column="value_high", row_condition='qualifier != "range"'),
        expect("expect_column_values_to_not_be_null", catalogue.FIGURE_WITHOUT_UNIT,
               "a figure needs a unit", column="unit", row_condition=FIGURE),
        expect("expect_column_values_to_be_null", catalogue.UNIT_WITHOUT_FIGURE,
               "a unit without a figure; leave unit empty when there is no figure",
               column="unit", row_condition=NO_FIGURE),
        expect("expect_column_pair_values_a_to_be_greater_than_b", catalogue.RANGE_BOUNDS_REVERSED,
               "value_high must be greater than value_low", column_A="value_high", column_B="value_low",
               or_equal=False, ignore_row_if="either_value_is_missing"),
        expect("expect_column_values_to_be_between", catalogue.PERCENT_OUT_OF_RANGE,
               "a share in percent lies between 0 and 100", column="value", min_value=0, max_value=100,
               row_condition='unit == "percent"'),
        expect("expect_column_values_to_be_between", catalogue.RATE_OUT_OF_RANGE,
               "a rate per 10,000 inhabitants lies between 0 and 10000", column="value", min_value=0,
               max_value=10000, row_condition='unit == "deaths_per_10000_inhabitants"'),
    ]
    for column in ("value", "value_low", "value_high"):
        rules.append(expect("expect_column_values_to_be_between", catalogue.NEGATIVE_VALUE,
                            f"{column} is negative; counts, amounts and durations are never negative",
                            column=column, min_value=0))
    return rules


def _date_rules(schema: dict, checks: dict) -> list[dict]:
    names = {f["name"] for f in schema["fields"]}
    rules = []
    earliest = checks.get("earliest_date", {})
    for field in schema["fields"]:
        if field["type"] != "date":
            continue
        name = field["name"]
        low = earliest.get(name, EARLIEST_DATE)
        rules.append(expect("expect_column_values_to_be_between", catalogue.DATE_OUT_OF_WINDOW,
                            f"{name} must lie between {low} and the day of validation", column=name,
                            min_value=low, max_value={"$PARAMETER": "today"}))
    for start, end in (("period_start", "period_end"), ("date", "date_end")):
        if {start, end} <= names:
            rules.append(expect("expect_column_pair_values_a_to_be_greater_than_b", catalogue.PERIOD_REVERSED,
                                f"{end} must not be before {start}", column_A=end, column_B=start,
                                or_equal=True, ignore_row_if="either_value_is_missing"))
    if {"date", "date_precision"} <= names:
        rules.append(expect("expect_column_values_to_not_be_null", catalogue.DATE_MISSING,
                            'a date is needed unless date_precision is "unknown"', column="date",
                            row_condition='date_precision != "unknown"'))
        rules.append(expect("expect_column_values_to_be_null", catalogue.DATE_WITH_UNKNOWN_PRECISION,
                            'date_precision is "unknown" but a date is given', column="date",
                            row_condition='date_precision == "unknown"'))
    if {"as_of", "period_start", "note"} <= names and checks.get("dated_figures"):
        undated = f"{FIGURE} and as_of.isnull() and period_start.isnull()"
        message = ("a figure without as_of (or period_start/period_end): fill in the date when the source gives "
                   "one; when the report gives none, leave it empty and say so in the note (\"the report gives "
                   "no date\")")
        rules.append(expect("expect_column_values_to_not_be_null", catalogue.FIGURE_WITHOUT_DATE, message,
                            severity=WARNING, column="note", row_condition=undated))
        rules.append(expect("expect_column_values_to_match_regex", catalogue.FIGURE_WITHOUT_DATE, message,
                            severity=WARNING, column="note", regex=UNDATED_NOTE, row_condition=undated))
    rules += _date_basis_rules(schema, names)
    return rules


def _date_basis_rules(schema: dict, names: set[str]) -> list[dict]:
    """A dated row says whether its date is stated or inferred; an inferred one says how in the note."""
    if "date_basis" not in names:
        return []
    dates = [f["name"] for f in schema["fields"] if f["type"] == "date"]
    dated = " or ".join(f"{name}.notnull()" for name in dates)
    undated = " and ".join(f"{name}.isnull()" for name in dates)
    rules = [
        expect("expect_column_values_to_not_be_null", catalogue.DATE_WITHOUT_BASIS,
               f"a row with a date ({', '.join(dates)}) needs date_basis: stated (the source gives it) or "
               "inferred (the curators deduced it; the note says how)", column="date_basis", row_condition=dated),
        expect("expect_column_values_to_be_null", catalogue.BASIS_WITHOUT_DATE,
               "date_basis is only for a row with a date; leave it empty", column="date_basis",
               row_condition=undated),
    ]
    if "note" in names:
        rules.append(expect("expect_column_values_to_not_be_null", catalogue.INFERRED_DATE_WITHOUT_NOTE,
                            "an inferred date needs a note saying how the curators deduced it", column="note",
                            row_condition='date_basis == "inferred"'))
    return rules


def _claim_rules(names: set[str]) -> list[dict]:
    """The claimed_by rule that a check can enforce: report-authors only where the report itself is the source."""
    if not {"claimed_by", "source_id"} <= names:
        return []
    return [expect("expect_column_values_to_be_in_set", catalogue.REPORT_AUTHORS_WITH_OTHER_SOURCE,
                   'claimed_by "report-authors" is only for the report\'s own assertions (source_id report); a '
                   "row resting on a footnote or link is claimed by whoever produced the figure or made the "
                   "statement there", column="source_id", value_set=["report"],
                   row_condition='claimed_by == "report-authors"')]


def _code_rules(names: set[str], checks: dict) -> list[dict]:
    rules = []
    if "country_code" in names:
        countries = sorted(country.alpha_2 for country in pycountry.countries)
        rules.append(expect("expect_column_values_to_be_in_set", catalogue.UNKNOWN_COUNTRY_CODE,
                            "not an ISO 3166-1 alpha-2 country code", column="country_code", value_set=countries))
    column = checks.get("subdivision_codes")
    if column:
        subdivisions = sorted(s.code for s in pycountry.subdivisions if s.country_code in ("RU", "UA"))
        rules.append(expect("expect_column_values_to_be_in_set", catalogue.UNKNOWN_REGION_CODE,
                            "not an ISO 3166-2 code of a Russian or Ukrainian region", column=column,
                            value_set=subdivisions))
    for rule in checks.get("patterns", []):
        rules.append(expect("expect_column_values_to_match_regex", rule["code"], rule["message"],
                            column=rule["column"], regex=rule["regex"], row_condition=rule["when"]))
    if checks.get("used_by_rows"):
        rules.append(expect("expect_column_values_to_be_in_set", catalogue.UNUSED_SOURCE,
                            "no row uses this source", severity=WARNING, column="id",
                            value_set={"$PARAMETER": "used_source_ids"}))
    return rules


def _table_rules(checks: dict) -> list[dict]:
    rules = []
    key = checks.get("fact_key")
    if key:
        rules.append(expect("expect_compound_columns_to_be_unique", catalogue.DUPLICATE_FACT,
                            f"the same fact ({', '.join(key)}) is on another row; merge them, or give both "
                            "the same conflict_id if the report contradicts itself",
                            column_list=key, ignore_row_if="never", row_condition="conflict_id.isnull()"))
    for rule in checks.get("units", []):
        rules.append(expect("expect_column_values_to_be_in_set", catalogue.UNIT_NOT_ALLOWED,
                            f"when {rule['when']}, unit must be one of: {', '.join(rule['allowed'])}",
                            column="unit", value_set=rule["allowed"], row_condition=rule["when"]))
    return rules


def generate_suite(schemas_dir: Path, table: str) -> dict:
    """The expectation suite that `schemas/` implies for one table."""
    schema = table_schema(schemas_dir, table)
    checks = table_checks(schemas_dir, table)
    names = {f["name"] for f in schema["fields"]}
    expectations = (_figure_rules(names) + _date_rules(schema, checks) + _code_rules(names, checks)
                    + _claim_rules(names) + _table_rules(checks))
    return {"name": table, "expectations": expectations}


def suite_path(schemas_dir: Path, table: str) -> Path:
    return Path(schemas_dir) / "expectations" / f"{table}.json"


def suite_text(suite: dict) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2) + "\n"


def expectations(root: Path | str = ".") -> list[Path]:
    """Write every table's generated suite to schemas/expectations/; return the paths."""
    schemas_dir = Path(root) / "schemas"
    paths = []
    for table in table_names(schemas_dir):
        path = suite_path(schemas_dir, table)
        path.parent.mkdir(exist_ok=True)
        path.write_text(suite_text(generate_suite(schemas_dir, table)), encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def load_suite(schemas_dir: Path, table: str) -> dict:
    path = suite_path(schemas_dir, table)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: missing; run `recruitment expectations` to generate it") from None


def _shown(cell) -> str:
    """A cell as the curator typed it, for the message: ' ("1874")', or nothing when empty."""
    if cell is None or cell != cell:  # None or NaN
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if hasattr(cell, "isoformat"):
        cell = cell.isoformat()
    return f' ("{cell}")'


def _column_of(kwargs: dict) -> str:
    return kwargs.get("column") or kwargs.get("column_A") or (kwargs.get("column_list") or [""])[0]


@lru_cache(maxsize=None)
def _pandas_source():
    """Great Expectations set up once per process: an ephemeral context (nothing stored, no progress
    bars) with one pandas data source."""
    analytics_off()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context.data_sources.add_pandas("raw")


@lru_cache(maxsize=None)
def _batch_definition():
    """The whole-dataframe batch definition every table's frame is given to (one asset per process:
    each batch gets its frame as a batch parameter, so a table needs no asset of its own)."""
    return _pandas_source().add_dataframe_asset("table").add_batch_definition_whole_dataframe("all")


def _columns_used(expectations: list[dict]) -> set[str]:
    """The columns these expectations read: their own, and the names their row conditions refer to."""
    used = set()
    for item in expectations:
        kwargs = item["kwargs"]
        used |= {kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs}
        used |= set(kwargs.get("column_list", []))
        used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", kwargs.get("row_condition", "")))
    return used


def _suite(table: str, expectations: list[dict]):
    """A GX suite of these expectations; each one's place in the list is in its meta (`index`), since
    GX does not give the results in the suite's order."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return gx.ExpectationSuite(name=table, expectations=[
        ExpectationConfiguration(**(item | {"meta": item["meta"] | {"index": index}})).to_domain_obj()
        for index, item in enumerate(expectations)])


def _failed(table: str, expectations: list[dict], batch, parameters: dict) -> list[dict]:
    """The expectations that fail on the batch, checked with the cheapest result format (success only)."""
    result = batch.validate(_suite(table, expectations), result_format="BOOLEAN_ONLY", expectation_parameters=parameters)
    failed = set()
    for outcome in result.results:
        _raise_if_not_run(table, outcome)
        if not outcome.success:
            failed.add(outcome.expectation_config.meta["index"])
    return [item for index, item in enumerate(expectations) if index in failed]


def _raise_if_not_run(table: str, outcome) -> None:
    """An expectation that raised, or one of whose metrics could not be computed (say, its row condition
    names a column the table lacks), is a broken suite: never a pass, never silently no rows."""
    info = outcome.exception_info or {}
    messages = [info.get("exception_message")] if info.get("raised_exception") else [
        value.exception_message for value in info.values() if getattr(value, "raised_exception", False)]
    if messages:
        code = (outcome.expectation_config.meta or {}).get("code")
        raise PipelineError(f"schemas/expectations/{table}.json: expectation {code} could not run: {messages[0]}")


def run_suites(frames: dict, schemas_dir: Path, parameters: dict) -> list[Problem]:
    """Run each table's suite on its typed frame (with a `__line__` column); the failures as Problems.

    Each suite runs first for success only, on the columns it reads; the expectations that fail run
    again with every failing row (COMPLETE), to say which lines.
    """
    analytics_off()
    warnings.filterwarnings("ignore", message=".*(condition_parser|row_condition).*", category=DeprecationWarning)
    problems = []
    for table, (frame, schema) in frames.items():
        expectations = _runnable(schemas_dir, table, parameters)
        if not expectations:
            continue
        used = _columns_used(expectations)
        if not set(frame.columns) <= used | {"__line__"}:
            frame = frame[[name for name in frame.columns if name in used or name == "__line__"]]
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        failed = _failed(table, expectations, batch, parameters)
        if not failed:
            continue
        result = batch.validate(_suite(table, failed), expectation_parameters=parameters,
                                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["__line__"]})
        columns = [f["name"] for f in schema["fields"]]
        for outcome in result.results:
            _raise_if_not_run(table, outcome)
            if outcome.success:
                continue
            config = outcome.expectation_config
            column = _column_of(config.kwargs)
            severity = ERROR if str(config.severity.value if hasattr(config.severity, "value") else config.severity) == "critical" else WARNING
            meta = config.meta or {}
            for item in outcome.result.get("unexpected_index_list") or []:
                line = int(item["__line__"])
                shown = _shown(item.get(column))
                problems.append(Problem(f"raw/{table}.csv", line, columns.index(column) + 1, meta.get("code", config.type),
                                        f"{column}{shown}: {meta.get('message', config.type)}", column, severity))
    return problems


def _runnable(schemas_dir: Path, table: str, parameters: dict) -> list[dict]:
    """The expectations of a table's suite that can run with these parameters."""
    return [item for item in load_suite(schemas_dir, table)["expectations"]
            if not _lacks_parameter(item["kwargs"], parameters)]


def suite_columns(schemas_dir: Path, table: str, parameters: dict) -> set[str]:
    """The columns a table's suite reads when it runs with these parameters (none: it has nothing to run)."""
    return _columns_used(_runnable(schemas_dir, table, parameters))


def _lacks_parameter(kwargs: dict, parameters: dict) -> bool:
    """Whether an expectation refers to a runtime value that could not be computed (None)."""
    return any(isinstance(value, dict) and "$PARAMETER" in value and parameters.get(value["$PARAMETER"]) is None
               for value in kwargs.values())


def default_parameters(source_ids: dict[str, list], unread: list[str] = ()) -> dict:
    """Runtime values the suites refer to: today's date, and the source ids that rows use.

    `source_ids` maps each typed table with a source_id to its values (None for an empty cell).
    `unread` names tables with a source_id that could not be read typed (they have
    errors): the ids they use are unknown, so `used_source_ids` is None and the
    check for unused sources does not run rather than blame sources.csv.
    """
    used = set()
    for table, values in source_ids.items():
        if table != "sources":
            used.update(values)
    used.discard(None)
    today = datetime.now(timezone.utc).date()  # the same day for every curator and CI
    return {"today": today.isoformat(), "used_source_ids": None if unread else sorted(used)}
