"""The display layer: every table the notebooks and the report show, formatted for a reader.

One function per kind of table:

- :func:`table` — a data table (one row per thing);
- :func:`matrix` — a cross-tabulation whose row labels (the index) matter;
- :func:`quotes` — quotations and coded passages, Swedish with English beside,
  each with its id and the report section it comes from, never shortened;
- :func:`sentences` — a list of sentences (verdicts, notes) as a bulleted list.

Each returns a :class:`Table` (or :class:`Sentences`), which renders as HTML in
JupyterLab and in nbconvert's HTML and as deterministic plain text (what nbval
compares). The rules, the same everywhere:

- no 0…n index: a meaningful index becomes a labelled first column, row
  numbers are dropped;
- readable column labels in English or Swedish (:data:`COLUMN_LABELS`; a
  column without a label is an error that says how to add one);
- coded values in words (``social_secretary`` → "social secretary"), code ids
  as code names when a codebook is given;
- blank for missing (never ``<NA>``, ``NaN`` or ``None``);
- ✓ / ✗ for booleans;
- sets and ranges in words: "3 or 4", "1, 2 or 3";
- numbers with the decimals asked for, a decimal comma in Swedish, digits
  grouped from five digits on (10 000);
- shares as fractions "1/6" where the denominator is small (:func:`share`);
- text never shortened.

The label language is the run's (``EBM_LANG``, see
:func:`ebm_analysis.labels.current_language`) unless ``lang=`` is given.

Examples
--------
>>> import pandas as pd
>>> t = table(pd.DataFrame({"participant_id": ["SS1", "BM3"], "joined_meeting": [1, 4],
...                         "answered_survey": [True, None]}), lang="en")
>>> print(t)
Participant  Joined at meeting  Answered the survey
SS1          1                  ✓
BM3          4
"""

from __future__ import annotations

import html
import math
import numbers
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.labels import LANGUAGES, current_language

__all__ = ["Table", "Sentences", "table", "matrix", "quotes", "sentences", "share", "format_value",
           "format_number", "format_set", "column_label", "value_label", "COLUMN_LABELS", "VALUE_LABELS",
           "TEXT_WIDTH"]

#: Plain-text cells wrap at this many characters (HTML cells never do by themselves).
TEXT_WIDTH = 60

# ---------------------------------------------------------------- labels

#: Column name → (English, Swedish) label. Columns ending in ``_sv`` / ``_en``
#: take the label of their stem with "(Swedish)" / "(English)" added.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # people and meetings
    "participant_id": ("Participant", "Deltagare"),
    "role": ("Role", "Roll"),
    "role_sv": ("Role (Swedish)", "Roll (svenska)"),
    "joined_meeting": ("Joined at meeting", "Med från träff"),
    "left_project": ("Left the project", "Lämnade projektet"),
    "answered_survey": ("Answered the survey", "Besvarade enkäten"),
    "present": ("Present", "Närvarande"),
    "absent": ("Absent", "Frånvarande"),
    "unknown": ("Unknown", "Okänt"),
    "not_yet_member": ("Not yet a member", "Ännu inte med"),
    # REFI-QDA interchange (notebook 05)
    "check": ("What a receiving tool needs", "Vad ett mottagande program behöver"),
    "found": ("Found", "Funna"),
    "of": ("Of", "Av"),
    "ok": ("All there", "Alla finns"),
    "part": ("Part of the project", "Del av projektet"),
    "exported_as": ("Exported as (REFI-QDA)", "Exporteras som (REFI-QDA)"),
    "QualCoder": ("QualCoder", "QualCoder"),
    "NVivo": ("NVivo", "NVivo"),
    "ATLAS.ti": ("ATLAS.ti", "ATLAS.ti"),
    "MAXQDA": ("MAXQDA", "MAXQDA"),
    "no_longer_member": ("No longer a member", "Inte längre med"),
    "meeting": ("Meeting", "Träff"),
    "month": ("Month", "Månad"),
    "theme": ("Theme", "Tema"),
    "observed": ("Observed by the evaluator", "Observerad av utvärderaren"),
    "segments": ("Segments", "Segment"),
    "excerpts": ("Quotations", "Citat"),
    "advice": ("Mentors' advice", "Mentorernas råd"),
    "attribute": ("Attribute", "Egenskap"),
    "value": ("Value", "Värde"),
    "count": ("How many", "Antal"),
    "basis": ("Basis", "Grund"),
    "statement": ("Statement", "Påstående"),
    "status": ("Status", "Status"),
    "facts": ("Person × meeting facts", "Fakta person × träff"),
    "reasoning": ("Reasoning", "Resonemang"),
    "section": ("Report section", "Avsnitt i rapporten"),
    "note": ("Note", "Anmärkning"),
    "table": ("Table", "Tabell"),
    "file": ("File", "Fil"),
    "rows": ("Rows", "Rader"),
    "total": ("Total", "Totalt"),
    # sources and segments
    "source_type": ("Source", "Källa"),
    "speaker_role": ("Speaker", "Talare"),
    "segment_id": ("Segment", "Segment"),
    "excerpt_id": ("Quotation", "Citat"),
    "note_id": ("Meeting-note segment", "Segment av mötesanteckningar"),
    "coding_id": ("Coding", "Kodning"),
    "text": ("Text", "Text"),
    "text_sv": ("Swedish (verbatim)", "Svenska (ordagrant)"),
    "text_en": ("English (our translation)", "Engelska (vår översättning)"),
    "coded_sv": ("Coded passage (Swedish, verbatim)", "Kodat avsnitt (svenska, ordagrant)"),
    "segment_en": ("The whole segment (English, our translation)", "Hela segmentet (engelska, vår översättning)"),
    "memo": ("Coder's memo", "Kodarens memo"),
    "coder_memo": ("Coder's memo", "Kodarens memo"),
    # codes
    "code_id": ("Code", "Kod"),
    "parent_id": ("Parent code", "Överordnad kod"),
    "name": ("Name", "Namn"),
    "definition": ("Definition", "Definition"),
    "include": ("Use when", "Används när"),
    "exclude": ("Do not use when", "Används inte när"),
    "example": ("Example", "Exempel"),
    "codings": ("Codings", "Kodningar"),
    "same_segment": ("Segments coded with both", "Segment kodade med båda"),
    "overlapping_text": ("… with overlapping coded text", "… med överlappande kodad text"),
    # coding queries, words and text search (notebook 08)
    "expression": ("Query", "Sökfråga"),
    "matching": ("Matching segments", "Matchande segment"),
    "stretches": ("Matching stretches of text", "Matchande textavsnitt"),
    "characters": ("Characters (Swedish text)", "Tecken (svensk text)"),
    "words": ("Words counted", "Räknade ord"),
    "distinct_stems": ("Different stems", "Olika ordstammar"),
    "distinct_words": ("Different words", "Olika ord"),
    "word": ("Word", "Ord"),
    "forms": ("Forms", "Former"),
    "form": ("Form", "Form"),
    "occurrences": ("Occurrences", "Förekomster"),
    "search": ("Search", "Sökning"),
    "hits": ("Occurrences found", "Funna förekomster"),
    "interview": ("Interview", "Intervju"),
    "survey_comment": ("Survey comment", "Enkätkommentar"),
    "observation_note": ("Meeting notes", "Mötesanteckningar"),
    "expert": ("Expert social secretary", "Sakkunnig socialsekreterare"),
    "expert_basis": ("Basis (expert)", "Grund (sakkunnig)"),
    "practice_linked": ("Segments linked to practice", "Segment knutna till yrkespraktiken"),
    "practice_share": ("Share linked to practice", "Andel knuten till yrkespraktiken"),
    # contradictions
    "contradiction_id": ("Contradiction", "Motsägelse"),
    "topic": ("Topic", "Fråga"),
    "reading_a": ("Reading A", "Läsning A"),
    "reading_b": ("Reading B", "Läsning B"),
    "how_kept": ("How the data keeps both", "Hur data behåller båda"),
    # survey
    "item": ("Statement", "Påstående"),
    "group": ("Group", "Grupp"),
    "social_secretaries": ("Social secretaries: mean as printed", "Socialsekreterare: medelvärde som tryckt"),
    "all_respondents": ("All respondents: mean as printed", "Alla svarande: medelvärde som tryckt"),
    "n_social_secretaries": ("n social secretaries (inferred)", "n socialsekreterare (härlett)"),
    "n_all_respondents": ("n all respondents (inferred)", "n alla svarande (härlett)"),
    "contract_goal": ("Contract goal", "Mål i kontraktet"),
    "link_basis": ("Link to the goal", "Koppling till målet"),
    "mean_printed": ("Mean as printed", "Medelvärde som tryckt"),
    "n_min": ("n at least", "n minst"),
    "n_likely": ("n likeliest", "n troligast"),
    "n_max": ("n at most", "n högst"),
    "n_basis": ("Basis of n", "Grund för n"),
    "n": ("n", "n"),
    "grim_half_up": ("GRIM, rounded half up", "GRIM, avrundat uppåt vid 5"),
    "grim_half_even": ("GRIM, rounded half to even", "GRIM, avrundat till jämnt"),
    "grim_truncate": ("GRIM, truncated", "GRIM, avkortat"),
    "grim_any": ("GRIM, any rule", "GRIM, någon regel"),
    "n_ok_any": ("n in the range that pass", "n i intervallet som klarar testet"),
    "sum": ("Sum of answers", "Summa av svaren"),
    "exact_mean": ("Exact mean", "Exakt medelvärde"),
    "half_up": ("Printed, rounded half up", "Tryckt, avrundat uppåt vid 5"),
    "half_even": ("Printed, rounded half to even", "Tryckt, avrundat till jämnt"),
    "truncate": ("Printed, truncated", "Tryckt, avkortat"),
    "matches": ("Matches the printed mean", "Stämmer med det tryckta"),
    # per-respondent answers (survey.distribution_table, survey.means_check)
    "n_answers": ("Answers", "Svar"),
    "mean": ("Mean", "Medelvärde"),
    "mean_recomputed": ("Mean of the answers", "Svarens medelvärde"),
    "printed_half_up": ("Would print, rounded half up", "Skulle tryckas, avrundat uppåt vid 5"),
    "printed_half_even": ("Would print, rounded half to even", "Skulle tryckas, avrundat till jämnt"),
    "printed_truncate": ("Would print, truncated", "Skulle tryckas, avkortat"),
    "matching_rules": ("Rules that give the printed mean", "Regler som ger det tryckta"),
    "consistent": ("Answers fit the printed mean", "Svaren stämmer med det tryckta"),
    "sub_printed": ("Social secretaries, as printed", "Socialsekreterare, som tryckt"),
    "total_printed": ("All respondents, as printed", "Alla svarande, som tryckt"),
    "combos_half_up": ("Combinations, half up", "Kombinationer, uppåt vid 5"),
    "combos_half_even": ("Combinations, half to even", "Kombinationer, till jämnt"),
    "combos_truncate": ("Combinations, truncated", "Kombinationer, avkortat"),
    "combos_any": ("Combinations, any rule", "Kombinationer, någon regel"),
    "rest_mean": ("Mean of the other four", "Medelvärde för de fyra övriga"),
    "rest_mean_min": ("Mean of the other four, at least", "Medelvärde för de fyra övriga, minst"),
    "rest_mean_max": ("Mean of the other four, at most", "Medelvärde för de fyra övriga, högst"),
    "agreed": ("Agreed (answered 3 or 4), of 7", "Instämde (svarade 3 eller 4), av 7"),
    "agreed_min": ("Agreed (3 or 4), at least", "Instämde (3 eller 4), minst"),
    "agreed_max": ("Agreed (3 or 4), at most", "Instämde (3 eller 4), högst"),
    "reading": ("Reading", "Läsning"),
    "feasible_combinations": ("Feasible combinations (any rule)", "Möjliga kombinationer (någon regel)"),
    "printed": ("Printed mean", "Tryckt medelvärde"),
    "answer_sets": ("Possible answers of the three", "Möjliga svar från de tre"),
    # attendance
    "present_min": ("Present, at least", "Närvarande, minst"),
    "present_max": ("Present, at most", "Närvarande, högst"),
    "present_range": ("Present", "Närvarande"),
    "roster": ("Had joined", "Hade börjat"),
    "known_present": ("Known present", "Känt närvarande"),
    "known_absent": ("Known absent", "Känt frånvarande"),
    "reported_count": ("Count given by the report", "Antal som rapporten anger"),
    "min_from": ("Lower bound from", "Nedre gräns från"),
    "max_from": ("Upper bound from", "Övre gräns från"),
    "membership": ("In the group", "Med i gruppen"),
    "membership_if_added": ("In the group if a third mentor was added",
                            "Med i gruppen om en tredje mentor tillkom"),
    "membership_if_replaced": ("In the group if a mentor was replaced", "Med i gruppen om en mentor ersattes"),
    # agreement
    "coder_a": ("Coder A", "Kodare A"),
    "coder_b": ("Coder B", "Kodare B"),
    "segments_a": ("Segments, coder1", "Segment, coder1"),
    "segments_b": ("Segments, dictionary", "Segment, ordlistan"),
    "segments_both": ("Segments, both", "Segment, båda"),
    "pct_agree_segment": ("Agreement, segments", "Överensstämmelse, segment"),
    "kappa_segment": ("κ, segments", "κ, segment"),
    "kappa_segment_interval": ("κ, segments: 95 % interval", "κ, segment: 95 %-intervall"),
    "pct_agree_char": ("Agreement, characters", "Överensstämmelse, tecken"),
    "kappa_char": ("κ, characters (pooled)", "κ, tecken (sammanslaget)"),
    "kappa_char_nvivo_weighted": ("κ, characters (NVivo's weighted mean)", "κ, tecken (NVivos viktade medel)"),
    "alpha_segment": ("Krippendorff's α, segments", "Krippendorffs α, segment"),
    "few_positives": ("Fewer than 5 segments coded", "Färre än 5 kodade segment"),
    "coded_by": ("Coded by", "Kodat av"),
    "codes": ("Codes", "Koder"),
    "keywords": ("Keywords that fired", "Nyckelord som slog till"),
    "other_codes": ("What the other side coded instead", "Vad den andra sidan kodade i stället"),
    "agreement": ("Agreement", "Överensstämmelse"),
    "reading_a_section": ("Section of reading A", "Avsnitt för läsning A"),
    "reading_b_section": ("Section of reading B", "Avsnitt för läsning B"),
    "share": ("Share", "Andel"),
    "fact_id": ("Fact", "Faktum"),
    "kind": ("Kind", "Slag"),
    "bytes": ("Bytes", "Byte"),
    "element": ("REFI element", "REFI-element"),
    "what": ("What", "Vad"),
    "meaning": ("Meaning", "Betydelse"),
    "rows_original": ("Rows, original", "Rader, original"),
    "rows_other": ("Rows, after the round trip", "Rader, efter rundresan"),
    "identical": ("Identical", "Identiska"),
    "difference": ("Difference", "Skillnad"),
    "problems": ("Schema problems", "Schemaproblem"),
    "valid": ("Valid against the schema", "Giltig mot schemat"),
    "decimals": ("Decimals printed", "Tryckta decimaler"),
    "mean_value": ("Mean", "Medelvärde"),
    # a second coder and adjudication (ebm_analysis.coders)
    "coder": ("Coder", "Kodare"),
    "change": ("Change", "Ändring"),
    "disagreements": ("Disagreements", "Oenigheter"),
    "disagreement_id": ("Disagreement", "Oenighet"),
    "decision": ("Decision", "Beslut"),
    "kept": ("Coding kept", "Kodning som behålls"),
    "reason": ("Reason", "Skäl"),
    "spans_a": ("Spans of coder A", "Kodare A:s spann"),
    "spans_b": ("Spans of coder B", "Kodare B:s spann"),
    "text_a_only": ("Only coder A coded", "Bara kodare A kodade"),
    "text_b_only": ("Only coder B coded", "Bara kodare B kodade"),
}

#: Coded values → (English, Swedish) words, by the columns they appear in.
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "role": {
        "social_secretary": ("social secretary", "socialsekreterare"),
        "lvm_case_officer": ("LVM case officer", "LVM-handläggare"),
        "service_user_mentor": ("service-user mentor", "brukarmentor"),
        "expert_social_secretary": ("expert social secretary", "sakkunnig socialsekreterare"),
        "observer": ("evaluator (meeting notes)", "utvärderaren (mötesanteckningar)"),
        "unknown": ("unknown", "okänd"),
        "not_a_participant": ("not a participant (someone else's words)", "inte deltagare (någon annans ord)"),
    },
    "source_type": {
        "interview": ("interview", "intervju"),
        "survey_comment": ("survey comment", "enkätkommentar"),
        "meeting": ("said at a meeting", "sagt vid en träff"),
        "observation_note": ("meeting notes", "mötesanteckningar"),
        "document": ("document", "dokument"),
    },
    "meeting": {
        "not placed at a meeting": ("not placed at a meeting", "inte knuten till en träff"),
    },
    "search": {
        "whole_word": ("the whole word only", "bara hela ordet"),
        "substring": ("the string anywhere in a word", "strängen var som helst i ett ord"),
        "stemmed": ("every inflection (stemmed)", "alla böjningsformer (ordstam)"),
    },
    "basis": {
        "reported": ("reported", "rapporterat"),
        "inferred": ("inferred", "härlett"),
        "bounded": ("bounded", "begränsat"),
        "unknown": ("unknown", "okänt"),
        "observed": ("observed", "observerat"),
        "retold": ("retold", "återberättat"),
        "unclear": ("unclear", "oklart"),
    },
    "status": {
        "present": ("present", "närvarande"),
        "absent": ("absent", "frånvarande"),
        "unknown": ("unknown", "okänt"),
        "not_yet_member": ("not yet a member", "ännu inte med"),
        "no_longer_member": ("no longer a member", "inte längre med"),
        "active": ("active", "används"),
        "unused": ("unused", "används inte"),
        "retired": ("retired", "avvecklad"),
    },
    "yes_no": {
        "yes": ("yes", "ja"),
        "no": ("no", "nej"),
        "unclear": ("unclear", "oklart"),
        "unknown": ("unknown", "okänt"),
    },
    "membership": {
        "member": ("member", "med"),
        "not_joined": ("not yet joined", "ännu inte med"),
        "unknown": ("member or already left", "med eller redan slutat"),
        "left": ("left", "slutat"),
    },
    "group": {
        "social_secretaries": ("social secretaries", "socialsekreterare"),
        "all_respondents": ("all respondents", "alla svarande"),
        "others": ("others", "övriga"),
        "expert_social_secretary": ("expert social secretary", "sakkunnig socialsekreterare"),
        "service_user_mentors": ("service-user mentors", "brukarmentorer"),
    },
    "reading": {
        "both": ("either reading", "båda läsningarna"),
        "mentor_replaced": ("a mentor was replaced", "en mentor ersattes"),
        "third_mentor_added": ("a third mentor was added", "en tredje mentor tillkom"),
    },
    "code": {
        "theme total": ("theme total (with its sub-codes)", "temat totalt (med underkoder)"),
    },
    "bound": {
        "none": ("nothing: 0", "inget: 0"),
        "attendance": ("people recorded present", "personer antecknade som närvarande"),
        "count": ("the report's count", "rapportens antal"),
        "roster": ("how many had joined", "hur många som hade börjat"),
        "roster_minus_absent": ("joined, less those recorded absent", "hade börjat, minus antecknat frånvarande"),
    },
    "coded_by": {
        "dictionary only": ("dictionary only", "bara ordlistan"),
        "coder1 only": ("coder1 only", "bara coder1"),
    },
    "tenure": {
        "under_3_months": ("under 3 months", "under 3 månader"),
        "6_months_to_2_years": ("6 months to 2 years", "6 månader till 2 år"),
        "not_applicable": ("not applicable", "ej tillämpligt"),
        "unknown": ("unknown", "okänt"),
    },
    "attribute": {
        "under_3_months": ("under 3 months", "under 3 månader"),
        "6_months_to_2_years": ("6 months to 2 years", "6 månader till 2 år"),
        "tenure_at_start": ("time employed at the start", "anställningstid vid start"),
        "introduction_track": ("introduction", "introduktion"),
        "left_project": ("left the project", "lämnade projektet"),
        "answered_survey": ("answered the survey", "besvarade enkäten"),
        "count": ("number in the project", "antal i projektet"),
        "parallel_with_ordinary_introduction": ("alongside the ordinary introduction",
                                                "parallellt med den ordinarie introduktionen"),
        "complement_to_earlier_introduction": ("as a complement to an earlier introduction",
                                               "som komplement till en tidigare introduktion"),
        "mentors_in_project": ("mentors in the project", "mentorer i projektet"),
        "yes": ("yes", "ja"),
        "no": ("no", "nej"),
    },
}

#: Which value vocabulary each column uses.
COLUMN_VALUES: dict[str, str] = {
    "role": "role", "speaker_role": "role",
    "source_type": "source_type",
    "basis": "basis", "expert_basis": "basis", "n_basis": "basis", "link_basis": "basis",
    "month_basis": "basis", "joined_basis": "basis", "left_basis": "basis", "observation_basis": "basis",
    "status": "status", "expert": "status",
    "observed": "yes_no", "left_project": "yes_no", "answered_survey": "yes_no",
    "membership": "membership", "membership_if_added": "membership", "membership_if_replaced": "membership",
    "group": "group", "reading": "reading",
    "tenure_at_start": "tenure", "value": "attribute", "attribute": "attribute",
    "code_id": "code", "min_from": "bound", "max_from": "bound", "coded_by": "coded_by",
    "meeting": "meeting", "search": "search",
}

_OR = {"en": "or", "sv": "eller"}
_AND = {"en": "and", "sv": "och"}
_LANG_NAMES = {"en": ("English", "engelska"), "sv": ("Swedish", "svenska")}
_MINUS = "\N{MINUS SIGN}"


def _check_lang(lang: str | None) -> str:
    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    return lang


Label = str | Mapping[str, str]


def _pick(text: Label, lang: str) -> str:
    """A label given as text, or as ``{"en": …, "sv": …}``."""
    if isinstance(text, Mapping):
        return str(text.get(lang) or text.get("en") or next(iter(text.values())))
    return str(text)


def column_label(column: object, lang: str | None = None, labels: Mapping[str, Label] | None = None) -> str:
    """The reader's label for a column.

    Parameters
    ----------
    column : str
        The column name, e.g. ``"joined_meeting"``.
    lang : {"en", "sv"}, optional
    labels : mapping, optional
        Labels that take precedence (column → label, or column →
        ``{"en": …, "sv": …}``).

    Raises
    ------
    DataError
        If the column has no label; the message says how to add one.

    Examples
    --------
    >>> column_label("joined_meeting", "sv")
    'Med från träff'
    >>> column_label("theme_sv", "en")
    'Theme (Swedish)'
    >>> column_label("present", "sv", {"present": {"en": "Meetings present", "sv": "Träffar närvarande"}})
    'Träffar närvarande'
    """
    lang = _check_lang(lang)
    if labels and column in labels:
        return _pick(labels[column], lang)
    if not isinstance(column, str):
        return _plain_scalar(column, lang)
    i = LANGUAGES.index(lang)
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column][i]
    stem, _, suffix = column.rpartition("_")
    if suffix in _LANG_NAMES and stem in COLUMN_LABELS:
        return f"{COLUMN_LABELS[stem][i]} ({_LANG_NAMES[suffix][i]})"
    raise DataError(Problem("(display)", None, str(column), "a column without a reader's label",
                            "expected a label: add the column to ebm_analysis.display.COLUMN_LABELS "
                            f"(English and Swedish), or pass labels={{{column!r}: '…'}}"))


def value_label(value: str, column: str | None, lang: str | None = None) -> str:
    """A coded value in words, if the column's vocabulary knows it (else the value itself).

    Examples
    --------
    >>> value_label("service_user_mentor", "speaker_role", "sv")
    'brukarmentor'
    >>> value_label("S1", "item", "en")
    'S1'
    """
    lang = _check_lang(lang)
    vocabulary = VALUE_LABELS.get(COLUMN_VALUES.get(column or "", ""), {})
    if value in vocabulary:
        return vocabulary[value][LANGUAGES.index(lang)]
    return value


# ---------------------------------------------------------------- values

def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, np.floating) and bool(np.isnan(value))


def format_number(value: numbers.Number, decimals: int | None = None, lang: str | None = None) -> str:
    """A number as a reader expects it: decimal comma in Swedish, a true minus sign, digits grouped from 10 000.

    Parameters
    ----------
    value : number
    decimals : int, optional
        Decimals to show; default: none for whole numbers, else two.
    lang : {"en", "sv"}, optional

    Examples
    --------
    >>> format_number(0.8506, 2, "sv"), format_number(3, lang="en"), format_number(1250, lang="en")
    ('0,85', '3', '1250')
    >>> format_number(12500, lang="sv") == "12\N{NO-BREAK SPACE}500", format_number(12500, lang="en")
    (True, '12,500')
    >>> format_number(-0.05, 1, "en")
    '−0.1'
    """
    lang = _check_lang(lang)
    if isinstance(value, Fraction) and decimals is None:
        return _fraction_text(value)
    number = float(value)
    if decimals is None:
        decimals = 0 if number.is_integer() else 2
    text = f"{abs(number):,.{decimals}f}"
    whole, _, frac = text.partition(".")
    digits = whole.replace(",", "")
    if len(digits) < 5:
        whole = digits
    elif lang == "sv":
        whole = whole.replace(",", "\N{NO-BREAK SPACE}")
    if frac:
        whole += ("," if lang == "sv" else ".") + frac
    negative = number < 0 and any(c not in "0.,\N{NO-BREAK SPACE}" for c in whole)
    return (_MINUS if negative else "") + whole


def _fraction_text(value: Fraction) -> str:
    sign = _MINUS if value < 0 else ""
    value = abs(value)
    return f"{sign}{value.numerator}" if value.denominator == 1 else f"{sign}{value.numerator}/{value.denominator}"


def format_set(values: Iterable, lang: str | None = None) -> str:
    """Alternatives in words: ``(3, 4)`` → "3 or 4"; nested answers → "2, 4, 4 or 3, 3, 4".

    Examples
    --------
    >>> format_set([3, 4]), format_set([1, 2, 3], "sv"), format_set([], "en")
    ('3 or 4', '1, 2 eller 3', '')
    >>> format_set([(2, 4, 4), (3, 3, 4)])
    '2, 4, 4 or 3, 3, 4'
    """
    lang = _check_lang(lang)
    parts = [", ".join(_plain_scalar(v, lang) for v in item) if _is_sequence(item) else _plain_scalar(item, lang)
             for item in values]
    return _join_alternatives(parts, lang)


def _join_alternatives(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    if any("," in p for p in parts):
        return f" {_OR[lang]} ".join(parts)
    return ", ".join(parts[:-1]) + f" {_OR[lang]} " + parts[-1]


def _is_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series))


def _plain_scalar(value: object, lang: str, decimals: int | None = None) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else "✗"
    if isinstance(value, (numbers.Number, Fraction)) and not isinstance(value, complex):
        return format_number(value, decimals, lang)
    return str(value)


def format_value(value: object, column: str | None = None, lang: str | None = None,
                 decimals: int | None = None) -> str:
    """One cell as plain text, by the rules of the module docstring.

    Examples
    --------
    >>> [format_value(v, lang="en") for v in (None, float("nan"), pd.NA, True, False)]
    ['', '', '', '✓', '✗']
    >>> format_value({3, 4}, lang="sv"), format_value("observation_note", "source_type", "en")
    ('3 eller 4', 'meeting notes')
    >>> format_value({"a": 1}, lang="en")
    'a: 1'
    """
    lang = _check_lang(lang)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {format_value(v, None, lang, decimals)}" for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return format_set(sorted(value), lang)
    if _is_sequence(value):
        return format_set(list(value), lang)
    if isinstance(value, str):
        return value_label(value, column, lang)
    return _plain_scalar(value, lang, decimals)


def share(part: int, whole: int, lang: str | None = None, small: int = 20) -> str:
    """A share as a reader can check it: "1/6" where the whole is small, "12/40 (30 %)" otherwise.

    Parameters
    ----------
    part, whole : int
    small : int, default 20
        Below this denominator no percentage is shown: with n = 6, "17 %" is
        over-precise and hides the count.

    Examples
    --------
    >>> share(1, 6), share(0, 5), share(0, 0)
    ('1/6', '0/5', '')
    >>> share(12, 40, "sv") == "12/40 (30\N{NO-BREAK SPACE}%)"
    True
    """
    lang = _check_lang(lang)
    if _is_missing(part) or _is_missing(whole) or int(whole) == 0:
        return ""
    text = f"{int(part)}/{int(whole)}"
    if int(whole) >= small:
        text += f" ({format_number(100 * int(part) / int(whole), 0, lang)}\N{NO-BREAK SPACE}%)"
    return text


# ---------------------------------------------------------------- the rendered object

@dataclass
class Cell:
    """One rendered cell: plain text, HTML, and how to align it."""

    text: str
    html: str
    numeric: bool = False
    lang: str | None = None


@dataclass
class Table:
    """A formatted table: HTML for JupyterLab and nbconvert, plain text for nbval and terminals.

    Build it with :func:`table`, :func:`matrix` or :func:`quotes`. ``header``
    is one or two rows of ``(label, colspan)``; ``rows`` holds :class:`Cell`
    objects. ``str(t)`` is the plain text, ``t.to_html()`` the HTML.
    """

    header: list[list[tuple[str, int]]]
    rows: list[list[Cell]]
    lang: str
    kind: str = "table"
    caption: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The column labels (last header row, spans expanded)."""
        return [label for label, span in self.header[-1] for _ in range(span)]

    def frame(self) -> pd.DataFrame:
        """The displayed text as a DataFrame of strings (for tests and export)."""
        return pd.DataFrame([[c.text for c in row] for row in self.rows], columns=self.columns)

    def to_html(self) -> str:
        """The table as an HTML fragment (no scripts, no styles)."""
        out = [f'<table class="ebm-table ebm-{self.kind}" lang="{self.lang}">']
        if self.caption:
            out.append(f"<caption>{html.escape(self.caption)}</caption>")
        out.append("<thead>")
        for row in self.header:
            cells = "".join(f'<th scope="col"{_span(span)}>{html.escape(label)}</th>' for label, span in row)
            out.append(f"<tr>{cells}</tr>")
        out.append("</thead><tbody>")
        for row in self.rows:
            out.append("<tr>" + "".join(_td(c) for c in row) + "</tr>")
        out.append("</tbody></table>")
        out.extend(f'<p class="ebm-table-note">{html.escape(n)}</p>' for n in self.notes)
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return _text_table([[label for label, span in self.header[-1] for _ in range(span)]],
                           [[c.text for c in row] for row in self.rows], self.caption, self.notes)

    def __repr__(self) -> str:
        return str(self)


def _span(span: int) -> str:
    return f' colspan="{span}"' if span > 1 else ""


def _td(cell: Cell) -> str:
    attrs = ' class="num"' if cell.numeric else ""
    if cell.lang:
        attrs += f' lang="{cell.lang}"'
    return f"<td{attrs}>{cell.html}</td>"


def _text_table(header: list[list[str]], rows: list[list[str]], caption: str | None, notes: list[str]) -> str:
    wrapped = [[_wrap(c) for c in row] for row in header + rows]
    ncols = max((len(r) for r in wrapped), default=0)
    widths = [max((max((len(x) for x in row[j]), default=0) for row in wrapped if j < len(row)), default=0)
              for j in range(ncols)]
    lines = [caption] if caption else []
    for row in wrapped:
        height = max((len(c) for c in row), default=1)
        for k in range(height):
            parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(row, widths)]
            lines.append("  ".join(parts).rstrip())
    lines.extend(notes)
    return "\n".join(lines)


def _wrap(text: str) -> list[str]:
    out = []
    for para in str(text).split("\n"):
        out.extend(textwrap.wrap(para, TEXT_WIDTH, break_long_words=False, break_on_hyphens=False) or [""])
    return out


# ---------------------------------------------------------------- building tables

Formatter = Callable[[object], str]


#: Columns whose text is English whatever the page's language (the data's own notes and definitions).
ENGLISH_COLUMNS = frozenset({"definition", "include", "exclude", "reasoning", "note", "memo", "coder_memo", "meaning",
                             "difference", "problems", "verdict", "how_kept", "reading", "what"})


def _lang_of(column: object) -> str | None:
    if isinstance(column, str):
        if column.endswith("_sv") or column in ("section", "reading_a_section", "reading_b_section"):
            return "sv"
        if column.endswith("_en") or column in ENGLISH_COLUMNS:
            return "en"
    return None


def _code_names(codebook: pd.DataFrame | None, lang: str) -> dict[str, str]:
    if codebook is None:
        return {}
    column = f"name_{lang}"
    return {str(c): str(n) for c, n in zip(codebook["code_id"], codebook[column])}


def _cell(value: object, column: object, lang: str, *, decimals: Mapping[str, int], percent: set,
          names: Mapping[str, str], code_columns: set, formats: Mapping[str, Formatter]) -> Cell:
    col = column if isinstance(column, str) else None
    if col in formats:
        text = formats[col](value)
        return Cell(text, html.escape(text), _looks_numeric(value))
    if col in code_columns and isinstance(value, str) and value in names:
        return Cell(f"{names[value]} ({value})",
                    f'{html.escape(names[value])} <code class="ebm-id">{html.escape(value)}</code>')
    if isinstance(value, str) and col in code_columns and ";" in value and names:
        parts = [p.strip() for p in value.split(";") if p.strip()]
        text = "; ".join(names.get(p, p) for p in parts)
        return Cell(text, html.escape(text))
    text = format_value(value, col, lang, decimals.get(col) if col else None)
    if col in percent and text:
        text += "\N{NO-BREAK SPACE}%"
    numeric = _looks_numeric(value)
    body = html.escape(text)
    if isinstance(value, (bool, np.bool_)) and not _is_missing(value):
        word = {("en", True): "yes", ("en", False): "no", ("sv", True): "ja", ("sv", False): "nej"}[(lang, bool(value))]
        body = f'<span class="ebm-bool" title="{word}">{body}</span>'
    if _is_sequence(value) and any(_is_sequence(v) for v in value):
        body = f"<br>{_OR[lang]} ".join(html.escape(", ".join(_plain_scalar(x, lang) for x in v)) for v in value)
    return Cell(text, body.replace("\n", "<br>"), numeric, _lang_of(column))


def _looks_numeric(value: object) -> bool:
    return (isinstance(value, (numbers.Number, Fraction)) and not isinstance(value, (bool, np.bool_))
            and not _is_missing(value))


def _column_decimals(values: pd.Series) -> int | None:
    """One number of decimals for a column of floats: 2 if any is fractional (so 1 shows as 1.00 beside 0.85)."""
    floats = [v for v in values if isinstance(v, (float, np.floating)) and not _is_missing(v)]
    return 2 if any(not float(v).is_integer() for v in floats) else None


def _frame_rows(frame: pd.DataFrame, lang: str, **options) -> list[list[Cell]]:
    columns = list(frame.columns)
    decimals = dict(options.pop("decimals"))
    for j, column in enumerate(columns):
        if isinstance(column, str) and column not in decimals:
            found = _column_decimals(frame.iloc[:, j])
            if found is not None:
                decimals[column] = found
    return [[_cell(v, c, lang, decimals=decimals, **options) for v, c in zip(row, columns)]
            for row in frame.itertuples(index=False, name=None)]


def _options(decimals, percent, codebook, code_columns, formats, lang) -> dict:
    return {"decimals": dict(decimals or {}), "percent": set(percent or ()),
            "names": _code_names(codebook, lang),
            "code_columns": set(code_columns if code_columns is not None else ("code_id", "parent_id", "codes",
                                                                                  "other_codes", "theme")),
            "formats": dict(formats or {})}


def _meaningful_index(frame: pd.DataFrame) -> bool:
    """True if the index carries information (named, or not plain row numbers)."""
    if isinstance(frame.index, pd.MultiIndex):
        return True
    if any(n is not None for n in frame.index.names):
        return True
    return not pd.api.types.is_integer_dtype(frame.index.dtype)


def table(frame: pd.DataFrame, columns: Sequence[str] | None = None, *, labels: Mapping[str, Label] | None = None,
          decimals: Mapping[str, int] | None = None, percent: Iterable[str] = (),
          codebook: pd.DataFrame | None = None, code_columns: Iterable[str] | None = None,
          formats: Mapping[str, Formatter] | None = None, fractions: Mapping[str, tuple[str, str]] | None = None,
          ranges: Mapping[str, tuple[str, str]] | None = None, index: bool | None = None, caption: str | None = None, notes: Sequence[str] = (),
          lang: str | None = None) -> Table:
    """A data table, one row per thing, for a reader.

    Parameters
    ----------
    frame : DataFrame
    columns : list of str, optional
        The columns to show, in order (default: all).
    labels : mapping, optional
        Column labels that override :data:`COLUMN_LABELS`.
    decimals : mapping, optional
        Decimals per numeric column (default: none for whole numbers, else 2).
    percent : iterable of str
        Columns holding percentages (0–100): shown with a "%" sign.
    codebook : DataFrame, optional
        With ``code_id`` and ``name_en``/``name_sv``: code ids in
        ``code_columns`` are shown as "name (id)".
    code_columns : iterable of str, optional
        Default ``code_id``, ``parent_id``, ``codes``, ``other_codes``, ``theme``.
    formats : mapping, optional
        Column → function(value) → text, for a column that needs its own rule.
    fractions : mapping, optional
        Column → (part column, whole column): the column is shown as the
        share "part/whole" (:func:`share`), e.g. ``{"share": ("linked", "segments")}``
        shows 1/6 rather than 0.17.
    ranges : mapping, optional
        New column → (low column, high column), shown as "low–high", or one
        value where they are equal (blank where both are missing); name the
        new column in ``columns``.
    index : bool, optional
        Show the index as the first column. Default: only when it carries
        information (a named index, or labels rather than row numbers).
    caption : str, optional
    notes : list of str
        Lines shown under the table.
    lang : {"en", "sv"}, optional

    Returns
    -------
    Table

    Raises
    ------
    DataError
        A column without a label, or a column asked for that the frame lacks.

    Examples
    --------
    >>> df = pd.DataFrame({"meeting": [1, 2], "share": [1 / 6, 0.5], "observed": ["no", "unclear"]})
    >>> print(table(df, labels={"share": "Share"}, decimals={"share": 1}, lang="sv"))
    Träff  Share  Observerad av utvärderaren
    1      0,2    nej
    2      0,5    oklart
    >>> "<th" in table(df, ["meeting"], lang="en").to_html() and ">0<" not in table(df, ["meeting"]).to_html()
    True
    >>> t = pd.DataFrame({"linked": [1, 3], "segments": [6, 5], "share": [1 / 6, 0.6]})
    >>> table(t, fractions={"share": ("linked", "segments")}, labels={"linked": "Linked"}, lang="en").frame()["Share"].tolist()
    ['1/6', '3/5']
    """
    lang = _check_lang(lang)
    shares = {column: [share(a, b, lang) for a, b in zip(frame[part], frame[whole])]
              for column, (part, whole) in (fractions or {}).items()}
    spans = {column: [_range_text(a, b, lang, (decimals or {}).get(low)) for a, b in zip(frame[low], frame[high])]
             for column, (low, high) in (ranges or {}).items()}
    if spans:
        frame = frame.assign(**spans)
    frame = _select(frame, columns)
    if shares:
        frame = frame.assign(**{c: v for c, v in shares.items() if c in frame.columns})
    if index if index is not None else _meaningful_index(frame):
        frame = frame.reset_index()
    header = [[(column_label(c, lang, labels), 1) for c in frame.columns]]
    rows = _frame_rows(frame, lang, **_options(decimals, percent, codebook, code_columns, formats, lang))
    return Table(header, rows, lang, "table", caption, list(notes))


def _range_text(low: object, high: object, lang: str, decimals: int | None = None) -> str:
    """ "2–3", or "3" when both ends are equal, blank when both are missing.

    Examples
    --------
    >>> _range_text(Fraction(5, 2), Fraction(11, 4), "en"), _range_text(4, 4, "en"), _range_text(None, None, "en")
    ('5/2–11/4', '4', '')
    """
    a, b = _plain_scalar(low, lang, decimals), _plain_scalar(high, lang, decimals)
    if a == b or not b:
        return a
    return f"{a}–{b}" if a else b


def _select(frame: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(Problem("(display)", None, ", ".join(map(str, missing)), "no such column",
                                f"expected some of: {', '.join(map(str, frame.columns))}"))
    return frame[list(columns)]


def matrix(frame: pd.DataFrame, *, row_labels: Mapping[str, Label] | None = None, column_title: Label | None = None,
           columns_are: str | None = None, values: str | None = None, labels: Mapping[object, Label] | None = None,
           decimals: Mapping[str, int] | None = None, codebook: pd.DataFrame | None = None,
           caption: str | None = None, notes: Sequence[str] = (), lang: str | None = None) -> Table:
    """A cross-tabulation: the index as labelled row headers, the columns under one title.

    Parameters
    ----------
    frame : DataFrame
        Index: what the rows are (one or more levels, each needs a name with a
        label, or a label in ``row_labels``). Columns: the values of one
        variable (e.g. meetings 1–8), whose name (``frame.columns.name``) or
        ``column_title`` is shown above them.
    row_labels : mapping, optional
        Labels for the index levels.
    column_title : str or mapping, optional
        The title over the columns (default: the label of ``frame.columns.name``
        or of ``columns_are``).
    columns_are : str, optional
        What the columns are when ``frame.columns`` has no name (e.g.
        ``"speaker_role"``): their coded values are then shown in words.
    values : str, optional
        The vocabulary of the cells (e.g. ``"status"``: ``unknown`` → "unknown",
        ``present`` → "present"; ``"membership"``).
    labels, decimals, codebook, caption, notes, lang
        As in :func:`table`; ``labels`` maps column values to their labels.

    Returns
    -------
    Table
        Repeated values of an outer index level are shown once.

    Examples
    --------
    >>> m = pd.DataFrame([[0, 2], [1, 0]], index=pd.Index(["a", "b"], name="code_id"),
    ...                  columns=pd.Index([1, 2], name="meeting"))
    >>> print(matrix(m, lang="en"))
    Code  1  2
    a     0  2
    b     1  0
    >>> matrix(m, lang="sv").header[0]
    [('', 1), ('Träff', 2)]
    """
    lang = _check_lang(lang)
    options = _options(decimals, (), codebook, None, None, lang)
    names = list(frame.index.names)
    row_header = [(column_label(n if n is not None else "", lang, row_labels), 1) for n in names]
    variable = frame.columns.name or columns_are
    if column_title is None:
        column_title = column_label(variable, lang) if variable else ""
    column_title = _pick(column_title, lang)
    value_labels = [_matrix_column_label(c, variable, lang, labels) for c in frame.columns]
    header = [[("", len(names)), (column_title, len(frame.columns))],
              [*row_header, *[(v, 1) for v in value_labels]]] if column_title else [[*row_header, *[(v, 1) for v in value_labels]]]
    rows, previous = [], [None] * len(names)
    values_are = values
    for key, row_values in zip(frame.index, frame.itertuples(index=False, name=None)):
        key = key if isinstance(key, tuple) else (key,)
        heads = []
        for level, (name, part) in enumerate(zip(names, key)):
            shown = level < len(names) - 1 and part == previous[level] and all(
                key[k] == previous[k] for k in range(level))
            heads.append(Cell("", "") if shown else _cell(part, name, lang, **options))
        previous = list(key)
        cells = [_cell(v, values_are, lang, decimals=options["decimals"], percent=set(), names={},
                       code_columns=set(), formats={}) for v in row_values]
        rows.append(heads + cells)
    return Table(header, rows, lang, "matrix", caption, list(notes))


def _matrix_column_label(value: object, variable: object, lang: str, labels: Mapping[object, Label] | None) -> str:
    if labels and value in labels:
        return _pick(labels[value], lang)
    if isinstance(value, str):
        word = value_label(value, variable if isinstance(variable, str) else None, lang)
        if word != value:
            return word[:1].upper() + word[1:]
        if value in COLUMN_LABELS:
            return column_label(value, lang)
    return _plain_scalar(value, lang)


def quotes(frame: pd.DataFrame, columns: Sequence[str] | None = None, *, project=None,
           labels: Mapping[str, Label] | None = None, codebook: pd.DataFrame | None = None,
           caption: str | None = None, notes: Sequence[str] = (), lang: str | None = None) -> Table:
    """Quotations or coded passages: never shortened, each with its id and report section.

    Parameters
    ----------
    frame : DataFrame
        Must hold an id column (``segment_id``, ``excerpt_id`` or ``note_id``)
        and the Swedish text (a column ending in ``_sv``, e.g. ``text_sv`` or
        ``coded_sv``), and a ``section`` column — or give ``project`` and the
        section is looked up by segment id.
    columns : list of str, optional
        Columns to show. The first column holds the id in bold, the report
        section, and the other plain facts (source, speaker, meeting) on a
        line; code columns follow, then the texts (columns ending ``_sv`` and
        ``_en``), Swedish with English beside it.
    project : Project, optional
        To look up each segment's report section.
    labels, codebook, caption, notes, lang
        As in :func:`table`. A ``memo`` column is shown under the Swedish
        text, marked "Memo".

    Raises
    ------
    DataError
        Without an id column, without Swedish text, or when a section cannot be found.

    Examples
    --------
    >>> q = pd.DataFrame({"segment_id": ["E013"], "text_sv": ["Man kan fråga vem som helst men alla är så upptagna."],
    ...                   "text_en": ["You can ask anyone, but everyone is so busy."], "section": ["Under projektet"]})
    >>> print(quotes(q, lang="en"))  # doctest: +NORMALIZE_WHITESPACE
    Segment          Swedish (verbatim)                                    English (our translation)
    E013             Man kan fråga vem som helst men alla är så upptagna.  You can ask anyone, but everyone is so busy.
    Under projektet
    """
    lang = _check_lang(lang)
    id_column = next((c for c in ("segment_id", "excerpt_id", "note_id") if c in frame.columns), None)
    if id_column is None:
        raise DataError(Problem("(display)", None, "segment_id", "no id column",
                                "expected segment_id, excerpt_id or note_id: every quotation shows its id"))
    if not any(isinstance(c, str) and c.endswith("_sv") for c in frame.columns):
        raise DataError(Problem("(display)", None, "text_sv", "no Swedish text column",
                                "expected the verbatim Swedish text (a column ending in _sv)"))
    frame = _with_sections(frame, id_column, project)
    shown = list(columns) if columns is not None else [c for c in frame.columns if c != "memo"]
    memo_column = next((c for c in ("memo", "coder_memo") if c in frame.columns), None)
    shown = [c for c in shown if c not in (id_column, "section", "memo", "coder_memo")]
    texts = [c for c in shown if isinstance(c, str) and (c.endswith("_sv") or c.endswith("_en"))]
    options = _options(None, (), codebook, None, None, lang)
    codes = [c for c in shown if c in options["code_columns"] and c not in texts]
    meta = [c for c in shown if c not in texts and c not in codes]
    header = [[(column_label(id_column, lang, labels), 1), *[(column_label(c, lang, labels), 1) for c in codes],
               *[(column_label(c, lang, labels), 1) for c in texts]]]
    memo = frame[memo_column] if memo_column else None
    sv = next(k for k, c in enumerate(texts) if c.endswith("_sv")) if any(c.endswith("_sv") for c in texts) else None
    rows = []
    for i, (_, row) in enumerate(frame.iterrows()):
        head = _passage_cell(row, id_column, meta, lang, options)
        text_cells = [_cell(row[c], c, lang, **options) for c in texts]
        note = memo.iloc[i] if memo is not None else None
        if sv is not None and not _is_missing(note) and str(note).strip():
            cell = text_cells[sv]
            text_cells[sv] = Cell(f"{cell.text}\nMemo: {note}",
                                  f'{cell.html}<div class="ebm-memo" lang="en">Memo: {html.escape(str(note))}</div>',
                                  False, cell.lang)
        rows.append([head, *[_cell(row[c], c, lang, **options) for c in codes], *text_cells])
    return Table(header, rows, lang, "quotes", caption, list(notes))


def _passage_cell(row: pd.Series, id_column: str, meta: list[str], lang: str, options: dict) -> Cell:
    """The id in bold, the report section, then the other facts (source, speaker, meeting) on one line."""
    facts = []
    for column in meta:
        text = _cell(row[column], column, lang, **options).text
        if text:
            facts.append(f"{column_label(column, lang)} {text}" if column == "meeting" else text)
    section = format_value(row["section"], "section", lang)
    text = "\n".join(p for p in (str(row[id_column]), section, " · ".join(facts)) if p)
    body = (f"<b>{html.escape(str(row[id_column]))}</b><br><small lang=\"sv\">{html.escape(section)}</small>"
            + (f"<br><small>{html.escape(' · '.join(facts))}</small>" if facts else ""))
    return Cell(text, body)


def _with_sections(frame: pd.DataFrame, id_column: str, project) -> pd.DataFrame:
    if "section" in frame.columns and not frame["section"].isna().any():
        return frame
    if project is None:
        raise DataError(Problem("(display)", None, "section", "quotations without their report section",
                                "expected a 'section' column, or project= to look the sections up"))
    sections = dict(zip(project.excerpts["excerpt_id"], project.excerpts["section"]))
    sections.update(zip(project.observations["note_id"], project.observations["section"]))
    found = frame[id_column].map(sections)
    if found.isna().any():
        missing = frame.loc[found.isna(), id_column].tolist()
        raise DataError(Problem("(display)", None, id_column, ", ".join(map(str, missing[:5])),
                                "expected segment ids of excerpts.csv or observations.csv (their section is shown)"))
    out = frame.copy()
    out["section"] = found
    return out


# ---------------------------------------------------------------- sentences

@dataclass
class Sentences:
    """A list of sentences (verdicts, notes): a bulleted list in HTML, one paragraph a line in text."""

    items: list[str]
    lang: str

    def to_html(self) -> str:
        body = "".join(f"<li>{html.escape(s)}</li>" for s in self.items)
        return f'<ul class="ebm-sentences" lang="{self.lang}">{body}</ul>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return "\n\n".join(self.items)

    def __repr__(self) -> str:
        return str(self)


def sentences(items: Iterable[str], lang: str = "en") -> Sentences:
    """Sentences shown as a list (e.g. the survey verdicts), missing ones left out.

    ``lang`` is the language of the sentences themselves (the library writes
    its verdicts and notes in English), not of the page.

    Examples
    --------
    >>> print(sentences(["S1: fits.", None, "S5: cannot be right."], lang="en"))
    S1: fits.
    <BLANKLINE>
    S5: cannot be right.
    """
    if lang not in LANGUAGES:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    return Sentences([str(s) for s in items if not _is_missing(s) and str(s).strip()], lang)
