"""The privacy guard: personal data of private individuals in free text (principle: do no harm).

`findings(text)` lists what in a text looks like a person's name, an e-mail
address, a phone number, a passport, service or tax number, an exact date of
birth or a street address, each with its place in the text. Public officials
acting in office may be named: `schemas/public_persons.csv` is the reviewed
list of those (name as written, office, why allowed, source), and a name
finding that it covers is let through. The guard is measured on the labelled
corpus `tests/fixtures/privacy-corpus.csv`.

What counts as a name (capitalised words only; a lowercase slug such as
`ramzan-kadyrov` is an id, not a name):
- a known given name (privacy_data/given_names.txt) before a capitalised word:
  "Ivan Petrov", "Olga Ivanovna Petrova", "Ивана Петрова";
- a patronymic (-ovich, -evna, -ович, -овна, ...) next to a capitalised word;
- a Russian-style surname (-ov, -ev, -sky, -enko, ...) after a capitalised word
  or before a given name: "Zaur Tuloev", "Petrov Ivan";
- initials with a surname: "I. Petrov", "И. И. Петров", "Petrov I.I.";
- an honorific or rank before a surname: "Mr Smith", "Sergeant Petrov".
Words that are never part of a name (privacy_data/not_name_words.txt: "In",
"Oblast", "Rostov", "Duma", months...) keep place and body names out.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

from . import catalogue
from .problems import WARNING, Problem

DATA = Path(__file__).parent / "privacy_data"
PUBLIC_PERSONS = "schemas/public_persons.csv"
PUBLIC_PERSONS_HEADER = ["name", "office", "why_allowed", "source"]

# The guard's problem codes (described in catalogue.py): what each finding is called in a message.
NAME, EMAIL, PHONE = catalogue.PERSONAL_NAME, catalogue.PERSONAL_EMAIL, catalogue.PERSONAL_PHONE
ID_NUMBER, BIRTH_DATE, ADDRESS = catalogue.PERSONAL_ID_NUMBER, catalogue.PERSONAL_BIRTH_DATE, catalogue.PERSONAL_ADDRESS
MESSAGES = {
    NAME: "looks like a person's name; never name private individuals. A public official acting in "
          f"office may be named: add them to {PUBLIC_PERSONS} (see CONTRIBUTING.md)",
    EMAIL: "is an e-mail address; personal contact data must not be published",
    PHONE: "looks like a phone number; personal contact data must not be published",
    ID_NUMBER: "looks like a passport, service or tax number (INN, SNILS); identity numbers of "
               "individuals must not be published",
    BIRTH_DATE: "looks like a date of birth; never publish birth dates of individuals",
    ADDRESS: "looks like a street address; never publish where a person lives",
}
# Codes of the checks on the public-persons list itself.
LIST_HEADER, LIST_CELL = catalogue.PUBLIC_PERSONS_HEADER, catalogue.PUBLIC_PERSONS_EMPTY_CELL
LIST_DUPLICATE, LIST_SOURCE = catalogue.PUBLIC_PERSONS_DUPLICATE, catalogue.PUBLIC_PERSONS_SOURCE
LIST_UNNEEDED = catalogue.PUBLIC_PERSONS_NOT_A_NAME


@dataclass(frozen=True)
class Finding:
    code: str
    start: int
    end: int
    text: str


def _words(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0] for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=None)
def _vocabulary() -> tuple[frozenset, frozenset, dict]:
    titles = {}
    for line in (DATA / "titles.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, kind = line.split()
            titles[word] = kind
    return _words("given_names.txt"), _words("not_name_words.txt"), titles


UPPER = "A-ZА-ЯЁІЇЄҐ"
LOWER = "a-zа-яёіїєґ'’"
TOKEN = re.compile(rf"[{UPPER}{LOWER}]+(?:-[{UPPER}{LOWER}]+)*\.?")
TITLE_CASE = re.compile(rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}]?[{LOWER}]+)*")
INITIAL = re.compile(rf"[{UPPER}]\.")
PATRONYMIC = re.compile(r".+(?:ovich|evich|ovna|evna|ichna|inichna|ilyich|ilich)"
                        r"|.+(?:ович|евич|овна|евна|ична|инична|ьич)(?:а|у|ем|ом|е|ой|ы|ю)?")
SURNAME = re.compile(r".+(?:ov|ova|ev|eva|yov|yova|sky|skiy|skii|skaya|ska|enko|chuk|yuk|shvili|dze|yan)"
                     r"|.+(?:ов|ова|ев|ева|ёв|ёва|ин|ина|ский|ская|цкий|цкая|енко|чук|юк|швили|дзе|ян)"
                     r"(?:а|у|ым|ом|е|ой|ы|ой|ого|ому|ую)?")
SURNAME_AFTER_TITLE = re.compile(SURNAME.pattern + r"|.+(?:in|ina)")
URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
EMAIL_ADDRESS = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
                           r"|(?<![\w.%+-])[\w.%+-]+\s*[\[(]at[\])]\s*[\w-]+\s*(?:[\[(]dot[\])]|\.)\s*[a-z]{2,}", re.I)
# dd.mm.yyyy, yyyy-mm-dd, 12 March 1999, March 12, 1999, 12 марта 1999
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
          "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря")
FULL_DATE = (rf"\d{{1,2}}[./-]\d{{1,2}}[./-](?:19|20)?\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
             rf"|\d{{1,2}}\.?\s+(?:{MONTHS})\.?\s+(?:19|20)\d{{2}}|(?:{MONTHS})\.?\s+\d{{1,2}},?\s+(?:19|20)\d{{2}}")
BIRTH_WORDS = (r"born|b\.|date of birth|birth date|birthdate|d\.o\.b\.|DOB|fødselsdato|født|"
               r"дата рождения|даты рождения|родился|родилась|рожд\.|г\.\s*р\.|года рождения")
BIRTH = re.compile(rf"(?:\b(?:{BIRTH_WORDS})[\s:,]*(?:on\s+|in\s+)?(?:{FULL_DATE}))"
                   rf"|(?:(?:{FULL_DATE})\s*(?:г\.|года)?\s*(?:г\.\s*р\.|года рождения|\(born\)))", re.I)
ID_WORDS = (r"passports?|паспорт\w*|серия|INN|ИНН|SNILS|СНИЛС|military ID|military card|военн\w* билет\w*|"
            r"личн\w* номер\w*|service number|personal number|token number|dog[- ]tag|жетон\w*|"
            r"tax (?:number|ID|identification number)|ID number|identity number|ID card")
ID_NUMBERS = re.compile(
    rf"\b(?:{ID_WORDS})\b[^\d\n]{{0,20}}(?:[{UPPER}]{{1,2}}[\s-]?)?\d[\d \-]{{4,}}\d"
    r"|\b\d{3}-\d{3}-\d{3}[\s-]\d{2}\b"  # SNILS
    r"|\b\d{2}\s\d{2}\s№?\s?\d{6}\b|\b\d{4}\s№\s?\d{6}\b"  # Russian internal passport series and number
    r"|\b(?:серия|series)\s*\d{2}\s?\d{2},?\s*(?:№|номер|number|No\.?)\s*\d{6}\b"
    rf"|\b[{UPPER}]{{1,2}}-\d{{6}}\b"  # military service number (личный номер), e.g. АК-123456
    r"|\b[А-ЯЁ]{2}\s?№?\s?\d{7}\b", re.I)  # military ID card (военный билет)
INN_DIGITS = re.compile(r"(?<![\d.,])\d{12}(?![\d.,])|(?<![\d.,])\d{3}-\d{3}-\d{3} ?\d{2}(?![\d])")
STREET_WORDS_RU = r"ул(?:ица)?|пр(?:оспект|-т)|пер(?:еулок)?|бульвар|б-р|шоссе|наб(?:ережная)?|пл(?:ощадь)?|мкр|микрорайон"
STREET_WORDS_LATIN = r"ul\.|per\.|nab\.|mkr\.|pr-t|ulitsa|prospekt|pereulok|bulvar|shosse|naberezhnaya|mikrorayon"
STREET_TYPES = r"Street|St|Avenue|Ave|Road|Rd|Lane|Boulevard|Blvd|Prospekt|Prospect|Drive|Highway|Embankment"
ADDRESSES = re.compile(
    rf"(?<![\w-])(?:{STREET_WORDS_RU})\.?\s+[{UPPER}0-9][\w-]*(?:\s+[{UPPER}][\w-]*)?,?\s*(?:д(?:ом)?\.?\s*)?\d+"
    rf"|(?<![\w-])(?:{STREET_WORDS_LATIN})\s*[{UPPER}][\w-]*(?:\s+[{UPPER}][\w-]*)?,?\s*(?:d\.?\s*|dom\s+|house\s+)?\d+"
    r"|(?<!\w)(?:д|дом)\.?\s*\d+[а-я]?\s*,?\s*(?:кв|квартира)\.?\s*\d+|(?<!\w)кв(?:артира)?\.\s*\d+"
    r"|\b(?:kv\.|apt\.?|apartment|flat)\s*(?:No\.?\s*)?\d+\b"
    rf"|\b\d{{1,5}}[A-Za-z]?,?\s+(?:[{UPPER}][\w'-]*\s+){{1,3}}(?:{STREET_TYPES})\b\.?"
    rf"|\b(?:[{UPPER}][\w'-]*\s+){{1,3}}(?:{STREET_TYPES})\.?\s*,?\s*(?:No\.?\s*)?\d{{1,4}}\b")


# Cues: a cheap search that every text a detector can find something in passes (each alternative of a
# detector's pattern holds one of them), so a text without the cue skips that detector and the findings
# are the same. tests/test_privacy.py runs both ways on every shipped cell, a bench project and tricky cases.
DIGIT = re.compile(r"\d")  # dates of birth, id and phone numbers, addresses: each has a digit
CAPITAL = re.compile(rf"[{UPPER}]")  # every rule for a name needs a capital letter
EMAIL_CUE = re.compile(r"[@(\[]")  # an address has its @, or (at) / [at]
URL_CUE = re.compile(r"[:.]")  # http:// and www. each have one
BIRTH_CUE = re.compile(r"born|b\.|birth|d\.o\.b|dob|fød|рожд|родил|г\.", re.I)  # in every birth word and date suffix
ID_CUE = re.compile(rf"\b(?:{ID_WORDS})\b|\d{{6}}|\d{{3}}-\d{{3}}-\d{{3}}", re.I)
ADDRESS_CUE = re.compile(rf"{STREET_WORDS_RU}|{STREET_WORDS_LATIN}|кв|kv\.|apt|apartment|flat|{STREET_TYPES}")
# A phone number that phonenumbers finds is a run of digits joined by punctuation and spaces (never by a
# letter but x), holding a country code and a national number: after a plus at least 6 digits (the
# shortest valid numbers, e.g. +43 1110); without one, 00 (Ukraine's international prefix) and 6 digits,
# or else at least 9 (a national number of Russia or Ukraine, or 810 and 6 digits).
# tests/test_privacy.py derives these bounds from phonenumbers' metadata.
PHONE_REGIONS = ("RU", "UA")
PHONE_DIGITS_AFTER_PLUS, PHONE_DIGITS_AFTER_00, PHONE_DIGITS = 6, 6, 9
PHONE_JOINER = r"[\W_xXー]"
AFTER_PLUS = re.compile(rf"[+＋]{PHONE_JOINER}*\d(?:{PHONE_JOINER}*\d){{{PHONE_DIGITS_AFTER_PLUS - 1}}}")
WITHOUT_PLUS = re.compile(rf"\d(?:{PHONE_JOINER}*\d){{{PHONE_DIGITS - 1}}}")
AFTER_00 = re.compile(rf"\d{PHONE_JOINER}*\d(?:{PHONE_JOINER}*\d){{{PHONE_DIGITS_AFTER_00}}}")


def _phone_cue(text: str) -> bool:
    """Whether `text` holds enough joined digits for a phone number (see above)."""
    if AFTER_PLUS.search(text) or WITHOUT_PLUS.search(text):
        return True
    # else only a run of exactly 8 digits starting with 00 can hold one (zeros in any script: phonenumbers
    # reads every decimal digit); such a run is matched from its first digit
    return any([unicodedata.digit(d) for d in DIGIT.findall(match.group())[:2]] == [0, 0]
               for match in AFTER_00.finditer(text))


def _mask_urls(text: str) -> str:
    """The text with every URL blanked (same length), so digits and words in links are not read."""
    return URL.sub(lambda m: " " * len(m.group()), text)


def _inn_valid(digits: str) -> bool:
    """A 12-digit INN of a person, with its two check digits."""
    def check(weights):
        return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)
    return (check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[10]
            and check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[11])


def _snils_valid(digits: str) -> bool:
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    while total > 101:
        total %= 101
    return f"{0 if total in (100, 101) else total:02d}" == digits[9:]


def _id_numbers(text: str) -> Iterator[Finding]:
    for match in ID_NUMBERS.finditer(text):
        yield Finding(ID_NUMBER, match.start(), match.end(), match.group())
    for match in INN_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if (len(match.group()) == 12 and _inn_valid(digits)) or (len(digits) == 11 and _snils_valid(digits)):
            yield Finding(ID_NUMBER, match.start(), match.end(), match.group())


def _phones(text: str) -> Iterator[Finding]:
    seen = set()
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if match.start not in seen:
                seen.add(match.start)
                yield Finding(PHONE, match.start, match.end, match.raw_string)


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    joined: bool  # separated from the previous token by a single space only


def _tokens(text: str) -> list[_Token]:
    tokens, previous_end = [], None
    for match in TOKEN.finditer(text):
        word = match.group()
        joined = previous_end is not None and text[previous_end:match.start()] == " "
        tokens.append(_Token(word, match.start(), match.end(), joined))
        previous_end = match.end()
    return tokens


def _bare(word: str) -> str:
    return word.rstrip(".").removesuffix("'s").removesuffix("’s")


@lru_cache(maxsize=1 << 16)  # words recur across cells; the answer depends on the word alone
def _is_given(word: str) -> bool:
    given, _, _ = _vocabulary()
    word = _bare(word)
    if word in given:
        return True
    if re.fullmatch(r"[А-ЯЁІЇЄҐ][а-яёіїєґ]+", word):  # Russian case endings: Ивана, Ольги, Сергея, Марией
        stems = {word[:-1], word[:-2], word[:-1] + "а", word[:-1] + "я", word[:-2] + "а", word[:-1] + "й",
                 word[:-2] + "й", word[:-2] + "я"}
        return bool(stems & given)
    return False


@lru_cache(maxsize=1 << 16)
def _namelike(word: str) -> bool:
    """A capitalised word that may be part of a name (not a known place, body, month or function word)."""
    _, never, titles = _vocabulary()
    word = _bare(word)
    return bool(TITLE_CASE.fullmatch(word)) and word not in never and word not in titles


def _span(*parts: _Token) -> tuple[int, int]:
    """Where a name made of these tokens lies in the text (a sentence's full stop left out)."""
    last = parts[-1]
    full_stop = last.text.endswith(".") and not INITIAL.fullmatch(last.text)
    return parts[0].start, last.end - full_stop


def _name_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the rules of the module docstring find a name, one pair of adjacent words at a time."""
    _, never, titles = _vocabulary()
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].joined else None
        if nxt is None:
            continue
        after = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].joined else None
        word, second = _bare(token.text), _bare(nxt.text)
        third = [after] if after and _namelike(after.text) else []
        if _is_given(word) and _namelike(second):  # Ivan Petrov, Olga Ivanovna Petrova
            yield _span(token, nxt, *third)
        elif _namelike(word) and PATRONYMIC.fullmatch(second):  # Zaur Akhmedovich
            yield _span(token, nxt, *third)
        elif _namelike(word) and SURNAME.fullmatch(word) and _is_given(second):  # Petrov Ivan
            yield _span(token, nxt, *third)
        elif _namelike(word) and not _is_given(word) and _namelike(second) and SURNAME.fullmatch(second):
            yield _span(token, nxt)  # Zaur Tuloev
        elif word in titles and _namelike(second) and (
                titles[word] == "honorific" or SURNAME_AFTER_TITLE.fullmatch(second)):
            yield _span(nxt)  # Mr Smith, Sergeant Ivanov
        elif INITIAL.fullmatch(token.text) and not (i and tokens[i - 1].end == token.start):
            rest = after if INITIAL.fullmatch(nxt.text) and after else nxt
            if _namelike(rest.text):  # I. Petrov, И. И. Петров
                yield _span(token, rest)
        if _namelike(word) and INITIAL.fullmatch(nxt.text):  # Petrov I. I., Smith J. J.
            two = after if after and INITIAL.fullmatch(after.text) else None
            if two or SURNAME_AFTER_TITLE.fullmatch(word):
                yield _span(token, two or nxt)
    # initials written without a space: "I.I. Petrov", "И.И.Петров"
    for match in re.finditer(rf"\b[{UPPER}]\.[{UPPER}]\.\s?([{UPPER}][{LOWER}]+)", text):
        if _namelike(match.group(1)) and match.group()[:4] not in never:  # U.S. is no initials
            yield match.start(), match.end()


def findings(text: str, screen: bool = True) -> list[Finding]:
    """Everything in `text` that looks like personal data, in order of place.

    Each detector runs only on a text with its cue; `screen=False` runs every detector on every
    text, for the tests that show both give the same findings.
    """
    def cue(test, where: str) -> bool:
        return not screen or bool(test(where))

    emails = cue(EMAIL_CUE.search, text)
    found = [Finding(EMAIL, m.start(), m.end(), m.group()) for m in EMAIL_ADDRESS.finditer(text)] if emails else []
    masked = _mask_urls(text) if cue(URL_CUE.search, text) else text
    for match in EMAIL_ADDRESS.finditer(masked) if emails else ():
        masked = masked[:match.start()] + " " * (match.end() - match.start()) + masked[match.end():]
    if cue(DIGIT.search, masked):
        if cue(BIRTH_CUE.search, masked):
            found += [Finding(BIRTH_DATE, m.start(), m.end(), m.group()) for m in BIRTH.finditer(masked)]
        if cue(ID_CUE.search, masked):
            found += list(_id_numbers(masked))
        if cue(_phone_cue, masked):
            found += list(_phones(masked))
        if cue(ADDRESS_CUE.search, masked):
            found += [Finding(ADDRESS, m.start(), m.end(), m.group()) for m in ADDRESSES.finditer(masked)]
    if cue(CAPITAL.search, masked):
        found += [Finding(NAME, start, end, text[start:end]) for start, end in _name_spans(masked)]
    return _without_overlaps(found)


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    """One finding per code and place: the longest of those that overlap."""
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.code, f.start, -(f.end - f.start))):
        if kept and kept[-1].code == finding.code and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.code))


# The reviewed list of public officials.

@dataclass(frozen=True)
class PublicPersons:
    """The names of `schemas/public_persons.csv`, as written; a name finding made only of the words of one is allowed."""

    names: tuple[str, ...] = ()

    def allows(self, finding: Finding) -> bool:
        if finding.code != NAME:
            return False
        words = set(_name_words(finding.text))
        return any(words <= set(_name_words(name)) for name in self.names)


def _name_words(text: str) -> list[str]:
    return [_bare(m.group()) for m in TOKEN.finditer(text)]


def read_public_persons(root: Path) -> tuple[PublicPersons, list[Problem]]:
    """The reviewed list and the problems with the list itself (file, line, column)."""
    path = Path(root) / PUBLIC_PERSONS
    if not path.is_file():
        return PublicPersons(), []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return PublicPersons(), [Problem(PUBLIC_PERSONS, 1, 1, LIST_HEADER, "the file is not UTF-8; save it as 'CSV UTF-8'")]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or rows[0] != PUBLIC_PERSONS_HEADER:
        return PublicPersons(), [Problem(PUBLIC_PERSONS, 1, 1, LIST_HEADER,
                                         f"the header must be {','.join(PUBLIC_PERSONS_HEADER)}")]
    source_ids = _source_ids(Path(root))
    names, problems, first_line = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        cells = cells + [""] * (len(PUBLIC_PERSONS_HEADER) - len(cells))
        for column, (field, cell) in enumerate(zip(PUBLIC_PERSONS_HEADER, cells), start=1):
            if not cell.strip():
                problems.append(Problem(PUBLIC_PERSONS, line, column, LIST_CELL,
                                        f"{field} is required: every allowed person needs a name, an office, "
                                        "why naming them is allowed and a source", field))
        name, source = cells[0], cells[3]
        if not name.strip():
            continue
        if name in first_line:
            problems.append(Problem(PUBLIC_PERSONS, line, 1, LIST_DUPLICATE,
                                    f'name: "{name}" is already listed on line {first_line[name]}', "name"))
        first_line.setdefault(name, line)
        if source and source_ids is not None and not (source in source_ids or re.fullmatch(r"https://\S+", source)):
            problems.append(Problem(PUBLIC_PERSONS, line, 4, LIST_SOURCE,
                                    f'source: "{source}" is neither an id of raw/sources.csv nor an https:// link',
                                    "source"))
        if not any(f.code == NAME and f.text == name for f in findings(name)):
            problems.append(Problem(PUBLIC_PERSONS, line, 1, LIST_UNNEEDED,
                                    f'name: "{name}" is not read as a name by the guard, so listing it allows '
                                    "nothing; write the name as it appears in the data", "name", WARNING))
        names.append(name)
    return PublicPersons(tuple(names)), problems


def _source_ids(root: Path) -> set[str] | None:
    """The ids of raw/sources.csv, or None when it cannot be read (its own problem; sources are then not checked)."""
    path = root / "raw" / "sources.csv"
    try:
        text = path.read_text(encoding="utf-8")
        if "\x00" in text:
            return None
        return {row.get("id", "") for row in csv.DictReader(io.StringIO(text, newline=""))}
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def privacy_problems(problem, cell: str, public: PublicPersons) -> Iterator[Problem]:
    """Problems for each finding in one cell that the public-persons list does not allow."""
    for finding in findings(cell):
        if public.allows(finding):
            continue
        shown = finding.text if len(finding.text) <= 60 else finding.text[:60] + "…"
        yield problem(finding.code, f'"{shown}" (character {finding.start + 1}) {MESSAGES[finding.code]}')
