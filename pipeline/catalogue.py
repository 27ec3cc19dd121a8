"""The problem catalogue: every code the validator can emit, with its layer, severity, description and fix.

Modelled on frictionless-py's `errors/` (each error a type with a code, a title
and a description), kept as data: a check names its code by the constant
defined here (`catalogue.MISSING_FILE`), never by a string literal, and a test
fails when a code the validator can emit is not in this catalogue.

A layer is where a kind of rule lives; `LAYERS` says which file a new rule of
that kind goes in and when to choose it. CONTRIBUTING.md shows the table that
`layer_table()` generates from it.

Table-specific codes that a schema declares itself (`x-checks: patterns:` in
`schemas/<table>.yaml`) are not listed here: `schema_codes` reads them, and
schemas.py refuses a declared code that this catalogue already uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problems import ERROR, WARNING


@dataclass(frozen=True)
class Layer:
    name: str
    home: str  # the file a new rule of this kind goes in
    when: str  # what kind of rule belongs here


LAYERS = {layer.name: layer for layer in (
    Layer("file", "pipeline/validate.py (`read_raw_table`)",
          "the file as text: present, UTF-8, a header as the schema says, as many cells as columns"),
    Layer("schema", "`constraints:` of a field in schemas/<table>.yaml or schemas/fields.yaml",
          "one cell against its field: type, required, enum, pattern, bounds, length, unique; primary and "
          "foreign keys"),
    Layer("expectation", "pipeline/expectations.py (then `make expectations`)",
          "a rule across the columns of a row that follows from which fields a table has (every table with "
          "qualifier and value gets it)"),
    Layer("x-checks", "`x-checks:` in schemas/<table>.yaml (then `make expectations`)",
          "a rule of one table only: a pattern with its own code, units allowed per kind of row, the fields "
          "that make a fact unique"),
    Layer("hygiene", "pipeline/hygiene.py (the length a spreadsheet cell holds: pipeline/losses.py)",
          "the text of one cell as typed, whatever its field: spaces, invisible characters, formulas, "
          "plain numbers"),
    Layer("privacy", "pipeline/privacy.py",
          "personal data of private individuals in a text cell"),
    Layer("repository", "pipeline/contained.py, pipeline/privacy.py (public-persons list), pipeline/retired.py, "
          "pipeline/losses.py",
          "the inputs around the tables: stray files, symbolic links, the reviewed lists, what earlier "
          "releases promise"),
    Layer("release", "pipeline/archive.py", "a release zip: integrity, then the package inside it"),
)}


@dataclass(frozen=True)
class Entry:
    code: str
    layer: str
    severity: str
    description: str
    fix: str


CATALOGUE: dict[str, Entry] = {}


def _define(code: str, layer: str, severity: str, description: str, fix: str) -> str:
    assert layer in LAYERS and severity in (ERROR, WARNING) and code not in CATALOGUE, code
    CATALOGUE[code] = Entry(code, layer, severity, description, fix)
    return code


# file: reading each raw CSV as text
MISSING_FILE = _define("missing-file", "file", ERROR, "a table of the package has no file in raw/",
                       "create raw/<table>.csv with the header row")
ENCODING_ERROR = _define("encoding-error", "file", ERROR, "the file is not UTF-8",
                         "save it again as 'CSV UTF-8'")
UTF8_BOM = _define("utf8-bom", "file", WARNING, "the file starts with a UTF-8 byte order mark",
                   "save as UTF-8 without BOM")
EMPTY_FILE = _define("empty-file", "file", ERROR, "the file is empty", "write at least the header row")
UNREADABLE_CSV = _define("unreadable-csv", "file", ERROR, "the file cannot be parsed as CSV",
                         "close the quote that was opened and never closed")
WRONG_DELIMITER = _define("wrong-delimiter", "file", ERROR, "the header is one cell holding ; tab or |",
                          "save the file with commas as delimiter")
MISSING_COLUMN = _define("missing-column", "file", ERROR, "the header lacks a column of the schema",
                         "add the column, named as the schema names it")
UNKNOWN_COLUMN = _define("unknown-column", "file", ERROR, "the header has a column the schema does not define",
                         "rename or remove it, or add the field to the schema")
COLUMN_ORDER = _define("column-order", "file", ERROR, "the columns are not in schema order",
                       "put the columns in the order of the schema")
MISSING_CELL = _define("missing-cell", "file", ERROR, "a row has fewer cells than the header",
                       "give every column a cell, empty if need be")
EXTRA_CELL = _define("extra-cell", "file", ERROR, "a row has more cells than the header",
                     "put a cell that holds a comma in double quotes")
BLANK_ROW = _define("blank-row", "file", ERROR, "a row with no cells", "delete the row")

# schema: each cell against its field, and the keys (columns.py, by frictionless' rules)
TYPE_ERROR = _define("type-error", "schema", ERROR, "a cell is not of its field's type",
                     "write plain numbers and ISO dates (YYYY-MM-DD)")
REQUIRED_CONSTRAINT = _define("required-constraint", "schema", ERROR, "a required cell is empty", "fill it in")
ENUM_CONSTRAINT = _define("enum-constraint", "schema", ERROR, "a value outside the field's allowed values",
                          "use one of the values the message lists")
PATTERN_CONSTRAINT = _define("pattern-constraint", "schema", ERROR, "a value not of the field's form (pattern)",
                             "write it in the form the pattern gives")
MINIMUM_CONSTRAINT = _define("minimum-constraint", "schema", ERROR, "a value below the field's minimum",
                             "check the figure")
MAXIMUM_CONSTRAINT = _define("maximum-constraint", "schema", ERROR, "a value above the field's maximum",
                             "check the figure")
MINLENGTH_CONSTRAINT = _define("minlength-constraint", "schema", ERROR, "a text shorter than minLength",
                               "complete the text")
MAXLENGTH_CONSTRAINT = _define("maxlength-constraint", "schema", ERROR, "a text longer than maxLength",
                               "shorten the text")
CONSTRAINT_ERROR = _define("constraint-error", "schema", ERROR, "a value breaks another constraint of its field",
                           "read the constraint in the message")
UNIQUE_CONSTRAINT = _define("unique-constraint", "schema", ERROR, "a value of a unique field appears twice",
                            "keep one of the rows or change the value")
PRIMARY_KEY = _define("primary-key", "schema", ERROR, "two rows have the same id", "give each row its own id")
FOREIGN_KEY = _define("foreign-key", "schema", ERROR, "a value not found in the table it refers to",
                      "use an id of that table, or add the row there first")
TABLE_ERROR = _define("table-error", "schema", ERROR, "another problem frictionless found in a table",
                      "read the message")
# The constraint a frictionless constraint-error names -> our code.
CONSTRAINT_CODES = {"required": REQUIRED_CONSTRAINT, "enum": ENUM_CONSTRAINT, "pattern": PATTERN_CONSTRAINT,
                    "minimum": MINIMUM_CONSTRAINT, "maximum": MAXIMUM_CONSTRAINT,
                    "minLength": MINLENGTH_CONSTRAINT, "maxLength": MAXLENGTH_CONSTRAINT}

# hygiene: the text of a cell as typed
SURROUNDING_SPACE = _define("surrounding-space", "hygiene", ERROR, "a cell starts or ends with a space",
                            "delete the space")
LINE_BREAK_IN_CELL = _define("line-break-in-cell", "hygiene", ERROR, "a cell holds a line break",
                             "keep each cell on one line")
INVISIBLE_CHARACTER = _define("invisible-character", "hygiene", ERROR, "invisible or control characters",
                              "retype the cell")
NOT_NFC = _define("not-nfc", "hygiene", ERROR, "text not in Unicode NFC form", "retype the accented letters")
FORMULA_LIKE = _define("formula-like", "hygiene", ERROR, "a text cell starts with = + - or @",
                       "reword so the cell starts with a letter or digit")
CELL_TOO_LONG = _define("cell-too-long", "hygiene", ERROR, "a cell longer than a spreadsheet cell holds",
                        "shorten it or split it over rows")

# privacy: personal data of private individuals
PERSONAL_NAME = _define("personal-name", "privacy", ERROR, "a person's name",
                        "never name private individuals; list a public official in schemas/public_persons.csv")
PERSONAL_EMAIL = _define("personal-email", "privacy", ERROR, "an e-mail address", "remove it")
PERSONAL_PHONE = _define("personal-phone", "privacy", ERROR, "a phone number", "remove it")
PERSONAL_ID_NUMBER = _define("personal-id-number", "privacy", ERROR, "a passport, service or tax number",
                             "remove it")
PERSONAL_BIRTH_DATE = _define("personal-birth-date", "privacy", ERROR, "a date of birth", "remove it")
PERSONAL_ADDRESS = _define("personal-address", "privacy", ERROR, "a street address", "remove it")

# repository: the inputs around the tables
UNKNOWN_FILE = _define("unknown-file", "repository", ERROR, "raw/ holds a file that is no table",
                       "remove or rename it")
SYMBOLIC_LINK = _define("symbolic-link", "repository", ERROR, "an input is a symbolic link",
                        "replace the link with the file itself")
RETIRED_ID = _define("retired-id", "repository", ERROR, "a row reuses an id retired in a release",
                     "choose a new id")
ROWS_LOST = _define("rows-lost", "repository", WARNING, "a table lost all or most rows since the last release",
                    "check the file was not emptied by mistake")
PUBLIC_PERSONS_HEADER = _define("public-persons-header", "repository", ERROR,
                                "schemas/public_persons.csv has the wrong header or encoding",
                                "use the header name,office,why_allowed,source in UTF-8")
PUBLIC_PERSONS_EMPTY_CELL = _define("public-persons-empty-cell", "repository", ERROR,
                                    "a cell of the public-persons list is empty", "fill in every column")
PUBLIC_PERSONS_DUPLICATE = _define("public-persons-duplicate", "repository", ERROR,
                                   "a name is listed twice in the public-persons list", "delete one row")
PUBLIC_PERSONS_SOURCE = _define("public-persons-source", "repository", ERROR,
                                "a public person's source is neither a source id nor an https:// link",
                                "give a source id of raw/sources.csv or a link")
PUBLIC_PERSONS_NOT_A_NAME = _define("public-persons-not-a-name", "repository", WARNING,
                                    "a listed name the privacy guard does not read as a name",
                                    "write the name as it appears in the data")

# release: a release zip
RELEASE_INTEGRITY = _define("release-integrity", "release", ERROR, "a release zip is damaged or tampered with",
                            "download the release again")
RELEASE_PACKAGE = _define("release-package", "release", ERROR, "the package inside a release zip fails "
                          "frictionless validation (the message starts with frictionless' error type)",
                          "rebuild and archive the release from its tag")

# expectation: Great Expectations rules generated from the fields a table has
FIGURE_WITHOUT_QUALIFIER = _define("figure-without-qualifier", "expectation", ERROR, "a figure without qualifier",
                                   "say how to read the figure in qualifier")
RANGE_WITH_VALUE = _define("range-with-value", "expectation", ERROR, "a range that fills value",
                           "leave value empty; use value_low and value_high")
RANGE_WITHOUT_LOW = _define("range-without-low", "expectation", ERROR, "a range without value_low",
                            "fill in value_low")
RANGE_WITHOUT_HIGH = _define("range-without-high", "expectation", ERROR, "a range without value_high",
                             "fill in value_high")
QUALIFIER_WITHOUT_VALUE = _define("qualifier-without-value", "expectation", ERROR,
                                  "a qualifier other than range without value", "fill in value")
BOUNDS_WITHOUT_RANGE = _define("bounds-without-range", "expectation", ERROR, "bounds without qualifier range",
                               "use qualifier range or leave the bounds empty")
FIGURE_WITHOUT_UNIT = _define("figure-without-unit", "expectation", ERROR, "a figure without unit", "fill in unit")
UNIT_WITHOUT_FIGURE = _define("unit-without-figure", "expectation", ERROR, "a unit without a figure",
                              "leave unit empty")
RANGE_BOUNDS_REVERSED = _define("range-bounds-reversed", "expectation", ERROR, "value_high not above value_low",
                                "swap the bounds")
PERCENT_OUT_OF_RANGE = _define("percent-out-of-range", "expectation", ERROR, "a percentage outside 0-100",
                               "check the figure and its unit")
RATE_OUT_OF_RANGE = _define("rate-out-of-range", "expectation", ERROR, "a rate per 10,000 outside 0-10000",
                            "check the figure and its unit")
NEGATIVE_VALUE = _define("negative-value", "expectation", ERROR, "a negative figure", "figures are never negative")
DATE_OUT_OF_WINDOW = _define("date-out-of-window", "expectation", ERROR,
                             "a date before the earliest allowed or after today", "check the date")
PERIOD_REVERSED = _define("period-reversed", "expectation", ERROR, "a period that ends before it starts",
                          "swap the dates")
DATE_MISSING = _define("date-missing", "expectation", ERROR, "no date though date_precision is known",
                       "fill in date, or set date_precision to unknown")
DATE_WITH_UNKNOWN_PRECISION = _define("date-with-unknown-precision", "expectation", ERROR,
                                      "a date with date_precision unknown", "give the precision or drop the date")
FIGURE_WITHOUT_DATE = _define("figure-without-date", "expectation", WARNING, "an undated figure whose note does "
                              "not say so", "fill in as_of, or say in the note that the report gives no date")
DATE_WITHOUT_BASIS = _define("date-without-basis", "expectation", ERROR, "a dated row without date_basis",
                             "say stated or inferred")
BASIS_WITHOUT_DATE = _define("basis-without-date", "expectation", ERROR, "date_basis on an undated row",
                             "leave date_basis empty")
INFERRED_DATE_WITHOUT_NOTE = _define("inferred-date-without-note", "expectation", ERROR,
                                     "an inferred date with no note", "say in the note how the date was deduced")
REPORT_AUTHORS_WITH_OTHER_SOURCE = _define("report-authors-with-other-source", "expectation", ERROR,
                                           "claimed_by report-authors with a source other than the report",
                                           "name who produced the figure")
UNKNOWN_COUNTRY_CODE = _define("unknown-country-code", "expectation", ERROR, "not an ISO 3166-1 alpha-2 code",
                               "use the two-letter country code")

# x-checks: table-specific rules switched on in schemas/<table>.yaml
UNKNOWN_REGION_CODE = _define("unknown-region-code", "x-checks", ERROR,
                              "not an ISO 3166-2 code of a Russian or Ukrainian region (`subdivision_codes`)",
                              "use the region's ISO 3166-2 code")
UNUSED_SOURCE = _define("unused-source", "x-checks", WARNING, "a source no row uses (`used_by_rows`)",
                        "use it or remove it")
DUPLICATE_FACT = _define("duplicate-fact", "x-checks", ERROR, "the same fact on two rows (`fact_key`)",
                         "merge the rows, or give both a conflict_id")
UNIT_NOT_ALLOWED = _define("unit-not-allowed", "x-checks", ERROR, "a unit not allowed for this kind of row "
                           "(`units`)", "use one of the units the message lists")


def entry(code: str) -> Entry:
    """The catalogue entry of a code (KeyError for a code nobody catalogued)."""
    return CATALOGUE[code]


def frictionless_code(error_type: str) -> str:
    """Our code for a frictionless error type we pass on unchanged, or `table-error` for any other."""
    return error_type if error_type in CATALOGUE else TABLE_ERROR


def schema_codes(schemas_dir) -> dict[str, str]:
    """The codes that schemas declare themselves (`x-checks: patterns:`), each with its message."""
    from .schemas import load_schemas

    project = load_schemas(schemas_dir)
    return {rule["code"]: rule["message"] for table in project.tables.values()
            for rule in table.get("x-checks", {}).get("patterns", [])}


def layer_table() -> str:
    """The Markdown table of where each kind of rule belongs (for CONTRIBUTING.md; the codes stay here)."""
    lines = ["| kind of rule | where it goes | what belongs there |", "|---|---|---|"]
    lines += [f"| {layer.name} | {layer.home} | {layer.when} |" for layer in LAYERS.values()]
    return "\n".join(lines) + "\n"
