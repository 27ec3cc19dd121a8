"""Checks on the text of hand-edited cells; the privacy guard (privacy.py) runs on each text cell.

These run on the raw cells as typed by a curator, before any parsing, so the
message can point at the exact cell and say how to fix it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from .privacy import PublicPersons, privacy_problems
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
        yield problem("surrounding-space", f'"{cell}" starts or ends with a space; delete the space')
    if "\n" in cell or "\r" in cell:
        yield problem("line-break-in-cell", "the cell holds a line break, so it runs over several lines; "
                      "keep each cell on one line (or is a quote (\") opened and never closed?)")
    odd = [char for char in cell if _invisible(char) and char not in "\n\r"]
    if odd:
        names = ", ".join(sorted({_char_name(c) for c in odd}))
        yield problem("invisible-character", f"contains invisible or control characters ({names}); "
                      "retype the cell or replace them with plain spaces")
    if unicodedata.normalize("NFC", cell) != cell:
        yield problem("not-nfc", "is not in Unicode NFC form (letters built from combining accents); "
                      "retype the accented letters")
    if is_text and cell.startswith(FORMULA_START):
        yield problem("formula-like", f'"{cell if len(cell) <= 40 else cell[:40] + "…"}" starts with {cell[0]!r}, which a spreadsheet would run '
                      "as a formula; reword so the cell starts with a letter or digit")
    if is_text:
        yield from privacy_problems(problem, cell, public)

