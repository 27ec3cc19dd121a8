"""Checks on the text of hand-edited cells; the privacy guard (privacy.py) runs on each text cell.

These run on the raw cells as typed by a curator, before any parsing, so the
message can point at the exact cell and say how to fix it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .privacy import PublicPersons, privacy_problems
from . import catalogue
from .problems import ERROR, Problem

# A tab or carriage return at the start would run as a formula too; those are
# already reported as invisible characters, so they are not listed twice.
FORMULA_START = ("=", "+", "-", "@")
ALLOWED_SPACE = {" "}


def _invisible(char: str) -> bool:
    if char in ALLOWED_SPACE:
        return False
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn")


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def cell_problems(file: str, line: int, column: int, field_name: str, cell: str, is_text: bool,
                  public: PublicPersons = PublicPersons()) -> Iterator[Problem]:
    """Problems with one cell's text; in text cells, personal data the public-persons list does not allow."""
    def problem(code, message, severity=ERROR):
        return Problem(file, line, column, code, f"{field_name}: {message}", field_name, severity)

    if cell != cell.strip(" "):
        yield problem(catalogue.SURROUNDING_SPACE, f'"{cell}" starts or ends with a space; delete the space')
    if "\n" in cell or "\r" in cell:
        yield problem(catalogue.LINE_BREAK_IN_CELL, "the cell holds a line break, so it runs over several lines; "
                      "keep each cell on one line (or is a quote (\") opened and never closed?)")
    # a printable cell (str.isprintable: no Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs but the space) has none
    odd = [] if cell.isprintable() else [char for char in cell if _invisible(char) and char not in "\n\r"]
    if odd:
        names = ", ".join(sorted({_char_name(c) for c in odd}))
        yield problem(catalogue.INVISIBLE_CHARACTER, f"contains invisible or control characters ({names}); "
                      "retype the cell or replace them with plain spaces")
    if not unicodedata.is_normalized("NFC", cell):
        yield problem(catalogue.NOT_NFC, "is not in Unicode NFC form (letters built from combining accents); "
                      "retype the accented letters")
    if is_text and cell.startswith(FORMULA_START):
        yield problem(catalogue.FORMULA_LIKE, f'"{cell if len(cell) <= 40 else cell[:40] + "…"}" starts with {cell[0]!r}, which a spreadsheet would run '
                      "as a formula; reword so the cell starts with a letter or digit")
    if is_text:
        yield from privacy_problems(problem, cell, public)



# Numbers are plain ASCII decimals: what validate accepts, every writer writes as it is.
PLAIN_NUMBER = {"integer": re.compile(r"-?[0-9]+"), "number": re.compile(r"-?[0-9]+(?:\.[0-9]+)?")}
TYPE_HINTS = {
    "number": "write plain digits with a dot for decimals and no thousands separator, e.g. 15000 or 6.5",
    "integer": "write whole numbers in plain digits, e.g. 15000",
    "date": "write dates as YYYY-MM-DD, e.g. 2025-09-21",
}
NOT_A_FIGURE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"}
EXPONENT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def _number_hint(cell: str, field_type: str) -> str:
    """Why a number cell is not plain, and what to write instead."""
    odd_digits = sorted({char for char in cell if char.isdigit() and not char.isascii()})
    if odd_digits:
        names = ", ".join(_char_name(char) for char in odd_digits)
        ascii_form = "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in cell)
        return f"it has digits that are not plain ASCII ({names}); type them as 0-9: {ascii_form}"
    if cell.lower() in NOT_A_FIGURE:
        return "infinity and NaN are not figures; leave the cell empty when the source gives no figure"
    if "_" in cell and PLAIN_NUMBER["number"].fullmatch(cell.replace("_", "")):
        return f"write the digits without underscores: {cell.replace('_', '')}"
    if EXPONENT.fullmatch(cell):
        from decimal import Decimal

        written = format(Decimal(cell).normalize(), "f")
        return f"write the number in full, without an exponent: {written}"
    if cell.startswith("+") and PLAIN_NUMBER["number"].fullmatch(cell[1:]):
        return f"write it without the plus sign: {cell[1:]}"
    return TYPE_HINTS[field_type]


def number_problems(file: str, line: int, column: int, field_name: str, cell: str, field_type: str) -> Iterator[Problem]:
    """A number or integer cell that is not plain ASCII digits (`-?[0-9]+(.[0-9]+)?`).

    Python and frictionless read `1_000`, `１２`, `1e5` and `inf` as numbers; the
    package does not, so what validate accepts every edition writes unchanged. A
    cell that is plain but for surrounding spaces is left to `surrounding-space`.
    """
    pattern = PLAIN_NUMBER.get(field_type)
    if pattern is None or cell == "" or pattern.fullmatch(cell) or pattern.fullmatch(cell.strip(" ")):
        return
    yield Problem(file, line, column, catalogue.TYPE_ERROR,
                  f'{field_name}: "{cell}" is not a valid {field_type}; {_number_hint(cell, field_type)}', field_name)
