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
], ids=["empty", "object column", "view"])
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
