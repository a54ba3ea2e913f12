"""Tests for ebm_analysis._frames: the unchecked constructors give exactly what pandas' public ones give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ebm_analysis._frames import frame, public_frame, public_string_array, string_array

texts = st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=40)


def assert_same_frame(ours: pd.DataFrame, public: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, public, check_exact=True, check_index_type=True, check_column_type=True)
    assert ours.columns.dtype == public.columns.dtype
    assert type(ours.index) is type(public.index)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_string_array_equals_the_checked_one(strings):
    ours = string_array(strings)
    public = public_string_array(np.array(strings, dtype=object) if strings else np.empty(0, dtype=object))
    assert ours.dtype == public.dtype
    pd.testing.assert_extension_array_equal(ours, public)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30).flatmap(lambda n: st.tuples(
    st.lists(st.text(max_size=8), min_size=n, max_size=n),
    st.lists(st.integers(-2**40, 2**40), min_size=n, max_size=n),
    st.lists(st.floats(allow_nan=True), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n))))
def test_frame_equals_the_public_one(columns):
    words, ints, floats, flags = columns

    def made():     # each frame takes its arrays over, so each gets its own
        return {"segment_id": string_array(words), "start": np.array(ints, dtype=np.int64),
                "share": np.array(floats, dtype=float), "whole": np.array(flags, dtype=bool),
                "match": string_array(words)}
    assert_same_frame(frame(made()), public_frame(made()))


def test_frame_works_like_any_other_frame():
    result = frame({"word": string_array(["tid", "tillit", "tid"]), "count": np.array([3, 1, 2])})
    assert result.sort_values("count")["word"].tolist() == ["tillit", "tid", "tid"]
    result.loc[1, "count"] = 7
    result["rank"] = result["count"].rank()
    assert result.groupby("word")["count"].sum().to_dict() == {"tid": 5, "tillit": 7}
    assert pd.concat([result, result]).shape == (6, 3)


def test_a_changed_frame_leaves_the_next_one_alone():
    first = frame({"word": string_array(["a"]), "count": np.array([1])})
    first.columns.name = "changed"          # changes the Index object in place
    first.index.name = "row"
    second = frame({"word": string_array(["b"]), "count": np.array([2])})
    assert second.columns.tolist() == ["word", "count"] and second.columns.name is None
    assert second.index.name is None
    first.columns = ["ord", "antal"]
    assert frame({"word": string_array(["c"]), "count": np.array([3])}).columns.tolist() == ["word", "count"]


@pytest.mark.parametrize("columns", [
    {},                                                                      # no columns
    {"word": np.array(["tid", "tillit"], dtype=object), "n": np.array([1, 2])},  # pandas infers the object column
    {"grid": np.zeros((2, 2)).ravel()[:2], "n": np.array([1, 2])},
    {"word": pd.Series(["tid", None], dtype=object).array, "n": np.array([1, 2])},  # an object column's array
], ids=["empty", "object column", "view", "wrapped object column"])
def test_other_columns_take_the_public_path(columns):
    assert_same_frame(frame(dict(columns)), public_frame(dict(columns)))


def test_columns_of_different_lengths_are_refused_as_pandas_refuses_them():
    with pytest.raises(ValueError, match="same length"):
        frame({"a": np.array([1, 2]), "b": np.array([1])})


def test_a_private_constructor_with_other_arguments_is_not_trusted(monkeypatch):
    def changed(arrays, *, names):      # a pandas whose private constructor changed its arguments
        raise AssertionError("not to be called with the old arguments")

    monkeypatch.setattr(pd.DataFrame, "_from_arrays", lambda *args, **kwargs: changed(*args, **kwargs))
    made = frame({"word": string_array(["tid"]), "n": np.array([1])})
    assert_same_frame(made, public_frame({"word": string_array(["tid"]), "n": np.array([1])}))


def test_without_the_private_constructors_the_public_ones_are_used(monkeypatch):
    monkeypatch.setattr(pd.DataFrame, "_from_arrays", None)
    monkeypatch.setattr(pd.arrays.StringArray, "_simple_new", None)
    made = frame({"word": string_array(["tid", "tillit"]), "n": np.array([1, 2])})
    assert_same_frame(made, public_frame({"word": public_string_array(np.array(["tid", "tillit"], dtype=object)),
                                          "n": np.array([1, 2])}))


@pytest.mark.parametrize("object_columns", [True, False], ids=["object columns", "string columns"])
def test_query_results_are_the_tables_the_public_constructors_give(monkeypatch, object_columns):
    """retrieve and search_text through both paths, on tables as a user may build them (object dtype) and as loaded."""
    from ebm_analysis.queries import CodedData, retrieve, search_text

    kind = object if object_columns else "string"
    seg = pd.DataFrame({"segment_id": ["E1", "E2"], "kind": "excerpt", "source_type": "interview",
                        "speaker_role": "social_secretary", "speaker_id": ["SS1", "SS2"], "meeting": [2, 3],
                        "text_sv": ["Vi talade om tillit.", "Tilliten växer."],
                        "text_en": ["We talked about trust.", "Trust grows."]}).astype({"segment_id": kind})
    book = pd.DataFrame({"code_id": ["trust", "trust_staff"], "parent_id": [None, "trust"]}, dtype=kind)
    cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E2"], "code_id": ["trust_staff", "trust"],
                        "coder": ["R1", "R1"], "start": pd.array([13, None], dtype="Int64"),
                        "end": pd.array([19, None], dtype="Int64"), "memo": [None, "helt"]}).astype(
        {"coding_id": kind, "coder": kind, "memo": kind})

    def answers():
        data = CodedData(seg, cod, book)            # a fresh index, so nothing cached is reused
        return [retrieve(data, code="trust", context=5), retrieve(data, meeting=2),
                search_text(data, "tillit"), search_text(data, "tillit", stem=True)]
    ours = answers()
    monkeypatch.setattr(pd.DataFrame, "_from_arrays", None)
    monkeypatch.setattr(pd.arrays.StringArray, "_simple_new", None)
    for mine, public in zip(ours, answers()):
        assert_same_frame(mine, public)
        assert mine.dtypes.tolist() == public.dtypes.tolist()


def test_finished_columns_skip_the_public_constructor(monkeypatch):
    """String, masked and NumPy number columns take the unchecked path (the reason this module exists)."""
    import ebm_analysis._frames as frames

    def refuse(columns):
        raise AssertionError("took the public path")
    monkeypatch.setattr(frames, "public_frame", refuse)
    made = frame({"word": string_array(["tid"]), "meeting": pd.array([2], dtype="Int64"),
                  "start": np.array([0]), "share": np.array([0.5]), "whole": np.array([True])})
    assert made.dtypes.astype(str).tolist() == ["string", "Int64", "int64", "float64", "bool"]
