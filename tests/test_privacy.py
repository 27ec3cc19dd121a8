"""The privacy guard: measured on a labelled corpus, exact on the cell, and the public-persons list.

`pytest -rA tests/test_privacy.py` prints the corpus figures (recall, false-positive rate).
"""

from __future__ import annotations

import csv

import pytest

from pipeline import validate
from pipeline.privacy import MESSAGES, PUBLIC_PERSONS, findings, read_public_persons

from .conftest import ROOT, edit_cell, header_of, text_problems

CORPUS = ROOT / "tests" / "fixtures" / "privacy-corpus.csv"
PERSONAL_CODES = set(MESSAGES)


def corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_corpus_is_labelled_and_large_enough():
    rows = corpus()
    assert len(rows) >= 100
    assert {row["label"] for row in rows} == {"personal", "clean"}
    kinds = {row["kind"] for row in rows if row["label"] == "personal"}
    assert {"name", "name-patronymic", "name-cyrillic", "email", "phone", "passport", "tax-number", "snils",
            "service-number", "birth-date", "address"} <= kinds
    assert {"official", "place", "organisation", "citation", "sentence"} <= {
        row["kind"] for row in rows if row["label"] == "clean"}


def test_corpus_recall_and_false_positive_rate(record_property):
    public, list_problems = read_public_persons(ROOT)
    assert list_problems == []
    missed, false_alarms = [], []
    rows = corpus()
    for row in rows:
        flagged = [f for f in findings(row["text"]) if not public.allows(f)]
        if row["label"] == "personal" and not flagged:
            missed.append(f"{row['kind']}: {row['text']}")
        if row["label"] == "clean" and flagged:
            false_alarms.append(f"{row['kind']}: {row['text']} -> {[(f.code, f.text) for f in flagged]}")
    personal = sum(row["label"] == "personal" for row in rows)
    clean = len(rows) - personal
    recall = 1 - len(missed) / personal
    fp_rate = len(false_alarms) / clean
    summary = (f"privacy corpus: {len(rows)} strings ({personal} personal, {clean} clean); "
               f"recall {recall:.1%} ({personal - len(missed)}/{personal}), "
               f"false-positive rate {fp_rate:.1%} ({len(false_alarms)}/{clean})")
    print(summary)
    record_property("privacy_recall", f"{recall:.4f}")
    record_property("privacy_false_positive_rate", f"{fp_rate:.4f}")
    assert missed == [], summary
    assert false_alarms == [], summary


def test_no_personal_data_in_the_shipped_tables():
    problems = [p for path in sorted((ROOT / "raw").glob("*.csv")) for p in text_problems(ROOT, path.stem)]
    assert [p.as_text() for p in problems if p.code in PERSONAL_CODES] == []
    assert read_public_persons(ROOT)[1] == []


NAME_HINT = MESSAGES["personal-name"]


@pytest.mark.parametrize("note,code,shown,at", [
    ("Olga Ivanovna Petrova of Shebekino signed.", "personal-name", "Olga Ivanovna Petrova", 1),
    ("Ivan Petrov, a volunteer, signed.", "personal-name", "Ivan Petrov", 1),
    ("Write to olga.petrova@mail.ru for the list.", "personal-email", "olga.petrova@mail.ru", 10),
    ("His passport 45 06 123456 was kept.", "personal-id-number", "passport 45 06 123456", 5),
    ("Call +7 912 345-67-89 now.", "personal-phone", "+7 912 345-67-89", 6),
    ("The recruit, born on 12 March 1999, signed.", "personal-birth-date", "born on 12 March 1999", 14),
    ("He lived at ul. Lenina 5 in Sarapul.", "personal-address", "ul. Lenina 5", 13),
], ids=["patronymic", "name", "email", "passport", "phone", "birth-date", "address"])
def test_each_kind_is_an_error_at_the_cell(project, note, code, shown, at):
    edit_cell(project, "bonuses", 2, "note", note)
    found = [p.as_text() for p in text_problems(project, "bonuses") if p.code in PERSONAL_CODES]
    column = header_of(project, "bonuses").index("note") + 1
    assert found == [f'raw/bonuses.csv:2:{column}: {code}: note: "{shown}" (character {at}) {MESSAGES[code]}']


def test_the_exact_name_message(project):  # end to end: what validate prints
    edit_cell(project, "events", 2, "statement", "Ivan Petrov, a volunteer, signed in May 2025.")
    [problem] = [p for p in validate(project, ["events"]) if p.code in PERSONAL_CODES]
    column = header_of(project, "events").index("statement") + 1
    assert problem.as_text() == (
        f'raw/events.csv:2:{column}: personal-name: statement: "Ivan Petrov" (character 1) looks like a person\'s name; '
        "never name private individuals. A public official acting in office may be named: add them to "
        "schemas/public_persons.csv (see CONTRIBUTING.md)")
    assert problem.is_error


def test_every_text_column_is_checked(project):
    edit_cell(project, "sources", 2, "title", "Interview with Olga Petrova")
    edit_cell(project, "regions", 2, "correction_note", "Corrected after a call to +7 912 345-67-89.")
    found = {(p.file, p.line, p.field_name, p.code) for table in ("sources", "regions", "events")
             for p in text_problems(project, table) if p.code in PERSONAL_CODES}
    assert found == {("raw/sources.csv", 2, "title", "personal-name"),
                     ("raw/regions.csv", 2, "correction_note", "personal-phone")}


def test_an_official_is_allowed_only_once_listed(project):
    edit_cell(project, "bonuses", 2, "note", "Radiy Khabirov announced the bonus as head of the republic.")
    assert [p.code for p in text_problems(project, "bonuses") if p.code in PERSONAL_CODES] == ["personal-name"]
    with (project / PUBLIC_PERSONS).open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["Radiy Khabirov", "Head of the Republic of Bashkortostan", "Announces the republic's bonuses in office",
             "fn01"])
    assert [p for p in text_problems(project, "bonuses") if p.code in PERSONAL_CODES] == []


def test_a_listed_official_does_not_let_another_person_through(project):
    edit_cell(project, "bonuses", 2, "note", "Adam Kadyrov, son of Ramzan Kadyrov, was decorated.")
    found = [p.message for p in text_problems(project, "bonuses") if p.code in PERSONAL_CODES]
    assert found == [f'note: "Adam Kadyrov" (character 1) {NAME_HINT}']


def list_problems(project, *rows, header="name,office,why_allowed,source"):
    (project / PUBLIC_PERSONS).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return [p.as_text() for p in sorted(read_public_persons(project)[1])]


def test_the_list_needs_every_cell(project):
    assert list_problems(project, "Vladimir Putin,,Signed the law,fn20") == [
        "schemas/public_persons.csv:2:2: public-persons-empty-cell: office is required: every allowed person "
        "needs a name, an office, why naming them is allowed and a source"]


def test_the_list_has_no_duplicates(project):
    row = "Vladimir Putin,President,Signed the law,fn20"
    assert list_problems(project, row, row) == [
        'schemas/public_persons.csv:3:1: public-persons-duplicate: name: "Vladimir Putin" is already listed '
        "on line 2"]


def test_the_list_cites_a_source(project):
    assert list_problems(project, "Vladimir Putin,President,Signed the law,a blog") == [
        'schemas/public_persons.csv:2:4: public-persons-source: source: "a blog" is neither an id of '
        "raw/sources.csv nor an https:// link"]


def test_the_list_warns_about_a_name_the_guard_would_not_read(project):
    problems = list_problems(project, "Vladimir Putin,President,Signed the law,fn20",
                             "putin,President,Signed the law,fn20")
    assert problems == [
        'schemas/public_persons.csv:3:1: public-persons-not-a-name: warning: name: "putin" is not read as a '
        "name by the guard, so listing it allows nothing; write the name as it appears in the data"]


def test_the_list_has_its_header(project):
    assert list_problems(project, "Vladimir Putin,President", header="name,office") == [
        "schemas/public_persons.csv:1:1: public-persons-header: the header must be "
        "name,office,why_allowed,source"]


# The cues: each detector runs only on a text with its cue, and that must change no finding.

TRICKY = [
    "+43 1110", "(+43) 1110", "tel +49 1640.", "+98 9601", "00 43 1110", "810 43 1110", "+431110", "٠٠ ٤٣ ١١١٠",
    "０٠ 43 1110", "01 43 1110", "1 00 43 1110",
    "8 (912) 345-67-89", "8-912-345-67-89", "тел. 89123456789", "+7 912 345 67 89 доб. 12", "12345 ext 6789",
    "+380 44 123 4567", "044 123 4567", "Call +7 (912) 345-67-89 or +7 912 345 67 88.", "+7x912x345x67x89",
    "＋７ ９１２ ３４５ ６７ ８９", "+٧ ٩١٢ ٣٤٥ ٦٧ ٨٩", "+7\u00a0912\u2010345\u201067\u201089", "+7 ー912ー345ー67ー89",
    "see https://example.org/+7-912-345-67-89 and www.Example.com/ivan.petrov", "HTTPS://x.ru/89123456789",
    "dob12-05-1990", "DOB: 12.03.1999", "B. 1999-03-12", "г.р. 12.03.1999", "12.03.1999 г.р.", "12.03.1999 (born)",
    "родился 12 марта 1999", "ROĐ 12.03.1999", "født 12. mars 1999", "Born on March 12, 1999",
    "Passport 4506 123456", "ИНН 500100732259", "500100732259", "СНИЛС 112-233-445 95", "112-233-445 95",
    "АК-123456", "военный билет АБ 1234567", "series 45 06, No. 123456", "ID number 45-06-123456",
    "ул. Ленина, д. 5, кв. 12", "ул Ленина 5", "дом 5, квартира 12", "kv. 5", "apt 12", "flat 3",
    "12 Baker Street", "Baker St 12", "ul. Lenina 5", "prospekt Mira 10", "Tverskaya ulitsa 7",
    "olga.petrova@mail.ru", "olga(at)mail(dot)ru", "olga [at] mail.ru", "OLGA@MAIL.RU",
    "I.I. Petrov", "И.И.Петров", "Petrov I. I.", "Mr Smith", "Sergeant Ivanov", "Ivan Petrov", "Ивана Петрова",
    "ivan petrov", "mobilised-deaths-rate-ru-bu-b24963", "deaths-russia-2025-01-08-ukraine-b4091", "2025-10-01",
    "In 2025, 199000 NOK; in 2024-10 about 1 500 000 people", "tab\there", "line\nbreak 8 912 345 67 89",
]


def _bench_cells(folder) -> set[str]:
    """Every cell of a small synthetic project as `make bench` generates them (ids, texts, codes)."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import synthetic_project

    synthetic_project(folder, 3000)
    return _cells(folder)


def _cells(root) -> set[str]:
    cells = set()
    for path in sorted((root / "raw").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            cells |= {cell for row in csv.reader(handle) for cell in row if cell}
    return cells


def test_the_cues_change_no_finding(tmp_path):
    texts = _cells(ROOT) | _bench_cells(tmp_path / "bench") | {row["text"] for row in corpus()} | set(TRICKY)
    differ = [(text, findings(text), findings(text, screen=False)) for text in sorted(texts)
              if findings(text) != findings(text, screen=False)]
    assert differ == []
    found = {f.code for text in TRICKY for f in findings(text)}
    assert found == PERSONAL_CODES  # the tricky cases reach every detector


def test_the_phone_cue_holds_the_shortest_valid_numbers():
    """The digits the phone cue asks for, from phonenumbers' own metadata: the shortest valid number
    with a country code, and the shortest a default region (Russia, Ukraine) reads without a plus:
    its own national numbers, or its international prefix and a number with a country code."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    from pipeline.privacy import PHONE_DIGITS, PHONE_DIGITS_AFTER_00, PHONE_DIGITS_AFTER_PLUS, PHONE_REGIONS

    def shortest(metadata):
        return min(length for length in metadata.general_desc.possible_length if length > 0)

    everyone = [PhoneMetadata.metadata_for_region(region) for region in phonenumbers.SUPPORTED_REGIONS] + [
        PhoneMetadata.metadata_for_nongeo_region(code) for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS]
    international = min(len(str(m.country_code)) + shortest(m) for m in everyone)
    assert PHONE_DIGITS_AFTER_PLUS <= international and PHONE_DIGITS_AFTER_00 <= international
    for region in PHONE_REGIONS:
        metadata = PhoneMetadata.metadata_for_region(region)
        prefix = metadata.international_prefix
        assert prefix.isdigit() and metadata.national_prefix_transform_rule is None
        assert PHONE_DIGITS <= shortest(metadata)
        assert prefix == "00" or PHONE_DIGITS <= len(prefix) + international


def test_the_phone_cue_joins_digits_by_everything_a_number_may_hold():
    """Whatever phonenumbers lets stand between the digits of a number (or before them) joins digits in
    the cue too, so a number's digits are never split."""
    import re
    import sys

    from phonenumbers.phonenumbermatcher import _LEAD_CLASS_CHARS, _REGEX_FLAGS
    from phonenumbers.phonenumberutil import _VALID_PUNCTUATION

    from pipeline.privacy import PHONE_JOINER

    theirs = re.compile(f"[{_VALID_PUNCTUATION}{_LEAD_CLASS_CHARS}]", _REGEX_FLAGS)
    ours = re.compile(PHONE_JOINER)
    everything = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    allowed = set(theirs.findall(everything))
    assert allowed and allowed <= set(ours.findall(everything))
