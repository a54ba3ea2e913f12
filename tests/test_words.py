"""Tests for ebm_analysis.words: tokens, stop lists, stems, word frequencies, stemmed search.

Answers are checked against a second way of getting them: a regular
expression for words, ``collections.Counter`` for counts, and the Snowball
stemmer called directly.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pandas as pd
import pytest
import snowballstemmer

from conftest import coded
from ebm_analysis import load_project, search_text, word_frequencies
from ebm_analysis.errors import DataError
from ebm_analysis.queries import MISSING, CodedData, descendants
from ebm_analysis.words import stem_of, stop_words, tokenize, top_words, word_totals

WORD = re.compile(r"[^\W\d_]+(?:[-'’‐‑][^\W\d_]+)*")


def regex_words(text: str) -> list[str]:
    return [m.group().casefold() for m in WORD.finditer(text)]


# ---------------------------------------------------------------- tokens

def test_tokenize_agrees_with_a_regular_expression_on_random_text():
    rng = random.Random(7)
    alphabet = "aåäöÅÄÖbcXyz -'’.,!?0123\n\t\"é"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        expected = [(m.start(), m.end(), m.group().casefold()) for m in WORD.finditer(text)]
        assert tokenize(text) == expected, repr(text)


def test_swedish_letters_fold_case_and_stay_letters():
    data = coded({"S1": "Ärende, ärende och ÄRENDE. Far får far."}, [("a", None)], [])
    freq = word_frequencies(data, stopwords=False).set_index("word")["count"]
    assert freq.to_dict() == {"ärende": 3, "far": 2, "och": 1, "får": 1}


def test_stop_lists_are_snowballs():
    sv, en = stop_words("sv"), stop_words("en")
    assert {"och", "att", "det", "som", "på", "är", "vilkas"} <= sv
    assert not {"tillit", "stress", "bra", "mentor"} & sv      # content words stay
    assert {"the", "and", "don't", "ourselves"} <= en
    assert "|" not in "".join(sv) and all(w == w.casefold() for w in sv)
    assert len(sv) == 114


# ---------------------------------------------------------------- word frequencies

def test_word_frequencies_match_a_counter_on_the_ebm_data():
    project = load_project()
    texts = project.segments()["text_sv"].tolist()
    stop = stop_words("sv")
    counter = Counter(w for t in texts for w in regex_words(t) if w not in stop)
    seen_in = Counter(w for t in texts for w in set(regex_words(t)) if w not in stop)
    freq = word_frequencies(project)
    assert dict(zip(freq["word"], freq["count"])) == dict(counter)
    assert dict(zip(freq["word"], freq["segments"])) == dict(seen_in)
    assert freq["count"].is_monotonic_decreasing
    assert freq["percent"].sum() == pytest.approx(100.0)


def test_word_frequencies_by_role_split_the_total():
    project = load_project()
    whole = word_frequencies(project).set_index("word")["count"]
    by = word_frequencies(project, by="speaker_role")
    assert by.columns.tolist() == ["speaker_role", "word", "count", "percent", "segments"]
    assert by.groupby("word")["count"].sum().sort_index().equals(whole.sort_index())
    mentors = word_frequencies(project, role="service_user_mentor").set_index("word")["count"]
    in_by = by[by["speaker_role"] == "service_user_mentor"].set_index("word")["count"]
    assert in_by.sort_index().equals(mentors.sort_index())
    assert by.groupby("speaker_role", sort=False)["percent"].sum().round(6).eq(100).all()


def test_stemmed_frequencies_group_inflections():
    project = load_project()
    stemmer = snowballstemmer.stemmer("swedish")
    stop = stop_words("sv")
    words = [w for t in project.segments()["text_sv"] for w in regex_words(t) if w not in stop]
    by_stem = Counter(stemmer.stemWord(w) for w in words)
    forms = Counter(words)
    freq = word_frequencies(project, stem=True)
    assert dict(zip(freq["stem"], freq["count"])) == dict(by_stem)
    for row in freq.head(20).itertuples():
        listed = row.forms.split(", ")
        assert listed[0] == row.word
        assert sum(forms[f] for f in listed) == row.count
        assert forms[row.word] == max(forms[f] for f in listed)
    brukare = freq[freq["stem"] == "bruk"].iloc[0]
    assert set(brukare["forms"].split(", ")) >= {"brukare", "brukaren", "brukarna"}


def test_english_and_own_stop_list_and_min_count():
    data = coded({"S1": "Trust and the trust.", "S2": "Trusting meetings."}, [("a", None)], [],
                 english={"S1": "The meeting and the meetings.", "S2": "Meeting."})
    en = word_frequencies(data, language="en").set_index("word")["count"].to_dict()
    assert en == {"meeting": 2, "meetings": 1}
    stemmed = word_frequencies(data, language="en", stem=True)
    assert stemmed[["word", "count", "stem"]].values.tolist() == [["meeting", 3, "meet"]]
    own = word_frequencies(data, stopwords=["TRUST"])
    assert "trust" not in set(own["word"]) and "the" in set(own["word"])
    assert word_frequencies(data, stopwords=False, min_count=2)["word"].tolist() == ["trust"]


def test_words_in_coded_passages_only():
    """A word counts when a coded span covers any of its characters; whole-segment codings cover all."""
    text = "Tillit tar tid men tilliten växer."
    data = coded({"S1": text, "S2": "Tid och tillit."},
                 [("a", None), ("a1", "a"), ("b", None)],
                 [("K1", "S1", "a1", 0, 8), ("K2", "S1", "b", 19, 27), ("K3", "S2", "a", None, None)])
    got = word_frequencies(data, code="a", stopwords=False).set_index("word")["count"].to_dict()
    assert got == {"tillit": 2, "tar": 1, "tid": 1, "och": 1}      # "ta" of "tar" is inside [0, 8)
    assert word_frequencies(data, code="b")["word"].tolist() == ["tilliten"]
    with pytest.raises(DataError, match="text_sv"):
        word_frequencies(data, code="a", language="en")


def test_words_in_coded_passages_on_the_ebm_data():
    project = load_project()
    book, cod = project.codebook, project.codings
    texts = dict(zip(project.segments()["segment_id"], project.segments()["text_sv"]))
    rows = cod[cod["code_id"].isin(descendants(book, "soft_values", include_self=True))]
    covered: dict[str, set[int]] = {}
    for r in rows.itertuples():
        s, e = (0, len(texts[r.segment_id])) if pd.isna(r.start) else (int(r.start), int(r.end))
        covered.setdefault(r.segment_id, set()).update(range(s, e))
    expected = Counter(m.group().casefold() for seg, chars in covered.items() for m in WORD.finditer(texts[seg])
                       if chars & set(range(m.start(), m.end())))
    got = word_frequencies(project, code="soft_values", stopwords=False)
    assert dict(zip(got["word"], got["count"])) == dict(expected)


def test_empty_selection_gives_an_empty_table():
    data = coded({"S1": "och att det"}, [("a", None)], [])
    out = word_frequencies(data)
    assert out.empty and out.columns.tolist() == ["word", "count", "percent", "segments"]
    assert word_frequencies(data, code="a").empty


@pytest.mark.parametrize("kwargs, match", [
    ({"language": "de"}, "language"),
    ({"by": "shoe_size"}, "attribute"),
    ({"stopwords": "och"}, "list of words"),
    ({"role": "mentor"}, "role"),
    ({"code": "nope"}, "codebook does not list"),
    ({"min_count": 0}, "min_count"),
])
def test_word_frequencies_reject_bad_arguments(kwargs, match):
    with pytest.raises(DataError, match=match):
        word_frequencies(load_project(), **kwargs)


# ---------------------------------------------------------------- stemmed search

def test_stemmed_search_finds_every_inflection():
    project = load_project()
    texts = dict(zip(project.segments()["segment_id"], project.segments()["text_sv"]))
    target = stem_of("brukare")
    expected = [(seg, m.start(), m.group()) for seg, text in texts.items() for m in WORD.finditer(text)
                if stem_of(m.group()) == target]
    hits = search_text(project, "Brukarens", stem=True, context=10)
    assert list(zip(hits["segment_id"], hits["start"], hits["match"])) == expected
    # the match (taken from the word index) and its context are the text as written, clipped at the text's ends
    cut = [(texts[seg][s:e], texts[seg][max(0, s - 10):s], texts[seg][e:e + 10])
           for seg, s, e in zip(hits["segment_id"], hits["start"], hits["end"])]
    assert list(zip(hits["match"], hits["left"], hits["right"])) == cut
    assert len({m.casefold() for m in hits["match"]}) > 1             # more than one inflection found
    plain = search_text(project, "brukare", whole_word=True)
    assert len(hits) > len(plain)


INFLECTIONS = ["råd", "Råden", "rådet", "mentor", "Mentorer", "mentorernas", "tillit", "tilliten", "och", "gav"]


def reference_stemmed_search(texts: dict[str, str], pattern: str, context: int) -> list[tuple]:
    """Stemmed search the plain way: the words of each text in a row, compared by stem_of."""
    wanted = [stem_of(w) for _, _, w in tokenize(pattern)]
    rows = []
    for seg, text in texts.items():
        words = tokenize(text)
        for i in range(len(words) - len(wanted) + 1):
            run = words[i:i + len(wanted)]
            if [stem_of(w) for _, _, w in run] == wanted:
                s, e = run[0][0], run[-1][1]
                rows.append((seg, s, e, text[s:e], text[max(0, s - context):s], text[e:e + context]))
    return rows


@pytest.mark.parametrize("seed", range(60))
def test_stemmed_search_agrees_with_a_plain_loop_on_random_texts(seed):
    rng = random.Random(seed)
    texts = {f"S{i}": " ".join(rng.choice(INFLECTIONS + [".", ",", "2015"]) for _ in range(rng.randint(0, 12)))
             for i in range(rng.randint(1, 6))}
    data = coded(texts, [("a", None)], [])
    k = rng.choice([1, 2, 3])
    words = [w for _, _, w in tokenize(rng.choice(list(texts.values())))]
    if seed % 2 and len(words) >= k:        # a run that is in a text, said in other inflections
        i = rng.randrange(len(words) - k + 1)
        pattern = " ".join(rng.choice([v for v in INFLECTIONS if stem_of(v) == stem_of(w)]) for w in words[i:i + k])
    else:
        pattern = " ".join(rng.choice(INFLECTIONS) for _ in range(k))
    context = rng.choice([0, 3, 30])
    hits = search_text(data, pattern, stem=True, context=context)
    assert hits.columns.tolist() == ["segment_id", "start", "end", "match", "left", "right"]
    assert hits.dtypes.astype(str).tolist() == ["string", "int64", "int64", "string", "string", "string"]
    assert list(hits.index) == list(range(len(hits)))
    assert [tuple(r) for r in hits.itertuples(index=False)] == reference_stemmed_search(texts, pattern, context)


def test_stemmed_phrase_and_edges():
    data = coded({"S1": "Mentorernas råd. Mentorer gav råden.", "S2": "Råd"}, [("a", None)], [])
    hits = search_text(data, "mentorer råd", stem=True)
    assert hits[["segment_id", "start", "end", "match"]].values.tolist() == [["S1", 0, 15, "Mentorernas råd"]]
    assert search_text(data, "råd", stem=True)["match"].tolist() == ["råd", "råden", "Råd"]
    # context stops at the ends of a text: "råden." ends S1, "Råd" is all of S2
    assert search_text(data, "råd", stem=True, context=5)[["left", "match", "right"]].values.tolist() == [
        ["rnas ", "råd", ". Men"], [" gav ", "råden", "."], ["", "Råd", ""]]
    assert search_text(data, "okänt", stem=True).empty
    with pytest.raises(DataError, match="stem=True"):
        search_text(data, "råd", stem=True, regex=True)
    with pytest.raises(DataError, match="at least one word"):
        search_text(data, "123", stem=True)


def test_plain_search_gives_the_same_hits_with_and_without_the_word_index():
    """Once words are indexed, a plain search looks only in segments holding a matching word; same answers."""
    from ebm_analysis.queries import CodedData

    data = coded({"S1": "Brukarna och BRUKAREN.", "S2": "Ebm-projektet, tid 2015.", "S3": "Straße, STRASSE.",
                  "S4": "Inget här."}, [("a", None)], [])
    patterns = ["brukar", "BRUKAREN", "projekt", "ebm-proj", "tid 2015", "raß", "strasse", "ss", "x", "här."]
    before = {p: search_text(data, p).values.tolist() for p in patterns}
    fresh = CodedData(data.segments, data.codings, data.codebook)
    word_frequencies(fresh)                                    # builds the word index
    assert {p: search_text(fresh, p).values.tolist() for p in patterns} == before
    assert before["brukar"] and before["projekt"] and before["raß"]


def test_plain_search_with_the_word_index_on_the_ebm_data():
    project = load_project()
    words = ["brukare", "tillit", "Å", "mötet", "socialsekreterar", "en", "ö"]
    before = {w: search_text(project, w).values.tolist() for w in words}
    word_frequencies(project)
    assert {w: search_text(project, w).values.tolist() for w in words} == before


# ---------------------------------------------------------------- totals per group, the top of a list

def test_word_totals_by_hand():
    data = coded({"S1": "Tillit och tid.", "S2": "Tilliten växer.", "S3": "och", "S4": "Mer tid nu."},
                 [("a", None)], [], roles={"S1": "observer", "S2": "observer", "S3": "unknown",
                                            "S4": "service_user_mentor"})
    totals = word_totals(data, "speaker_role")
    assert totals.columns.tolist() == ["speaker_role", "segments", "words", "distinct_stems"]
    # natural role order; a group with segments but no words counted is kept, with zeros; "nu" is a stop word
    assert totals.values.tolist() == [["service_user_mentor", 1, 2, 2], ["unknown", 1, 0, 0], ["observer", 2, 4, 3]]
    plain = word_totals(data, "speaker_role", stem=False).set_index("speaker_role")
    assert plain.columns.tolist() == ["segments", "words", "distinct_words"]
    assert plain.loc["observer"].tolist() == [2, 4, 4]          # tillit and tilliten apart without stems


def test_word_totals_on_the_ebm_data_match_a_counter():
    project = load_project()
    segments = project.segments()
    stop = stop_words("sv")
    totals = word_totals(project, "speaker_role", stem=False).set_index("speaker_role")
    for role, group in segments.groupby("speaker_role"):
        words = [w for t in group["text_sv"] for w in regex_words(t) if w not in stop]
        assert totals.loc[role].tolist() == [len(group), len(words), len(set(words))], role
    assert int(totals["segments"].sum()) == len(segments)
    stemmed = word_totals(project, "speaker_role")
    assert stemmed["words"].tolist() == totals["words"].tolist()
    assert (stemmed["distinct_stems"].to_numpy() <= totals["distinct_words"].to_numpy()).all()


def test_word_totals_missing_values_and_bad_attribute():
    data = coded({"S1": "Tid.", "S2": "Tid och tillit."}, [("a", None)], [])
    with_missing = CodedData(data.segments.assign(speaker_role=pd.array(["observer", None], dtype="string")),
                             data.codings, data.codebook)
    assert word_totals(with_missing, "speaker_role").values.tolist() == [["observer", 1, 1, 1], [MISSING, 1, 2, 2]]
    with pytest.raises(DataError):
        word_totals(data, "no_such_attribute")


def test_top_words_keep_the_ties_at_the_cut():
    freq = pd.DataFrame({"word": ["a", "b", "c", "d", "e"], "count": [5, 3, 2, 2, 1]})
    assert top_words(freq, 3)["word"].tolist() == ["a", "b", "c", "d"]
    assert top_words(freq, 2)["word"].tolist() == ["a", "b"]
    assert top_words(freq, 9)["word"].tolist() == ["a", "b", "c", "d", "e"]
    assert top_words(freq, 4).index.tolist() == [0, 1, 2, 3]
    grouped = pd.DataFrame({"g": ["x", "x", "x", "y", "y", "y"], "word": list("abcdef"), "count": [4, 1, 1, 3, 3, 2]})
    assert top_words(grouped, 1, by="g")["word"].tolist() == ["a", "d", "e"]
    assert top_words(grouped.iloc[:0], 3).empty


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": -1}, {"n": 2.5}, {"n": True}, {"n": 2, "by": "nope"}])
def test_top_words_reject_bad_arguments(kwargs):
    with pytest.raises(DataError):
        top_words(pd.DataFrame({"word": ["a"], "count": [1]}), **kwargs)


def test_top_words_of_the_ebm_notes_agree_with_sorting():
    notes = word_frequencies(load_project(), stem=True, source_type="observation_note")
    top = top_words(notes, 12)
    cut = notes["count"].sort_values(ascending=False).iloc[11]
    assert top["word"].tolist() == notes.loc[notes["count"] >= cut, "word"].tolist()
    assert len(top) >= 12
