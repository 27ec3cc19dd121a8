"""Checks on the text of hand-edited cells, and the privacy guard.

These run on the raw cells as typed by a curator, before any parsing, so the
message can point at the exact cell and say how to fix it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .problems import ERROR, Problem

# A tab or carriage return at the start would run as a formula too; those are
# already reported as invisible characters, so they are not listed twice.
FORMULA_START = ("=", "+", "-", "@")
ALLOWED_SPACE = {" "}

# Personal data of private individuals (principle 3: do no harm).
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?\(?\d{2,4}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"
                   r"|\b8[\s-]?\(?9\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2})\b")
SERVICE_NUMBER = re.compile(r"\b[A-ZА-ЯЁ]{1,2}-\d{6}\b|\b(?:service|token|dog[- ]tag|личный) (?:number|no\.?|номер)\b", re.I)
BIRTH_DATE = re.compile(
    r"\b(?:born|date of birth|DOB|fødselsdato|født|дата рождения|родился|родилась|г\.\s*р\.)"
    r"|\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}\b", re.I)
PERSONAL_NAME = re.compile(r"\b[A-ZА-ЯЁ][a-zа-яё]+(?:[- ][A-ZА-ЯЁ][a-zа-яё]+)+\b")


def _invisible(char: str) -> bool:
    if char in ALLOWED_SPACE:
        return False
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn")


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def cell_problems(file: str, line: int, column: int, field_name: str, cell: str, is_text: bool) -> Iterator[Problem]:
    """Problems with one cell's text."""
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
        yield from privacy_problems(problem, cell)


def privacy_problems(problem, cell: str) -> Iterator[Problem]:
    """Text that looks like personal data of a private individual."""
    if PHONE.search(cell):
        yield problem("personal-data", "looks like a phone number; personal contact data must not be published")
    if SERVICE_NUMBER.search(cell):
        yield problem("personal-data", "looks like a military service number (личный номер/token); "
                      "service numbers of individuals must not be published")
    birth = BIRTH_DATE.search(cell)
    if birth and PERSONAL_NAME.search(cell):
        yield problem("personal-data", "looks like a person's name next to a date of birth; never publish "
                      "private individuals' names or birth dates (public officials in office may be named, "
                      "without birth dates)")
