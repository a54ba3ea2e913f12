"""Building result tables without pandas' per-call checks, where a query's time is mostly those checks (private).

A stemmed search or a filtered retrieve at study scale answers in about half
a millisecond, and two of pandas' public constructors then took a fifth of
that time checking what the caller already knows:

- ``pd.arrays.StringArray(values)`` checks every value is a string (16 µs per
  thousand rows), though the values are slices of one text;
- ``pd.DataFrame(columns)`` infers, checks and wraps each column (about 100 µs
  for six columns, 200 µs for retrieve's fifteen), though every column is a
  finished array of one length.

:func:`string_array` and :func:`frame` skip those checks through pandas'
private constructors (``StringArray._simple_new`` and
``DataFrame._from_arrays``, which pandas' own readers use). They fall back to
the public constructors when a pandas version lacks them, and
``tests/test__frames.py`` checks that both paths give the same table, so a
pandas upgrade that changes the private constructors fails a test instead of
changing an answer. The timings are in ``benchmarks/README.md``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

_STRING = pd.StringDtype("python")


def string_array(strings: list[str]) -> pd.arrays.StringArray:
    """A ``string`` array of Python strings, none missing, built without checking each value.

    Only for strings the caller made itself (slices of a text, say): a value
    that is not a ``str`` is not caught here.

    Examples
    --------
    >>> string_array(["a", "b"])
    <StringArray>
    ['a', 'b']
    Length: 2, dtype: string
    """
    values = np.fromiter(strings, dtype=object, count=len(strings))
    new = getattr(pd.arrays.StringArray, "_simple_new", None)
    if new is None:
        return public_string_array(values)
    return new(values, _STRING)


def public_string_array(values: np.ndarray) -> pd.arrays.StringArray:
    """The same array through pandas' public constructor, which checks every value."""
    return pd.arrays.StringArray(values)


def frame(columns: dict[str, np.ndarray | pd.api.extensions.ExtensionArray]) -> pd.DataFrame:
    """A DataFrame of finished columns of one length, with a 0…n−1 index, not copied.

    Each array must be new (the frame takes it over). Columns that pandas
    would keep as they are (pandas arrays; 1-D NumPy arrays of numbers or
    booleans) of one length skip pandas' checks; anything else goes through
    ``pd.DataFrame`` as usual. The column names are strings.

    Examples
    --------
    >>> frame({"word": string_array(["tillit", "tid"]), "count": np.array([3, 1])}).dtypes.astype(str).tolist()
    ['string', 'int64']
    """
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    lengths = {len(values) for values in columns.values()}
    if from_arrays is None or len(lengths) != 1 or not all(map(_finished, columns.values())):
        return public_frame(columns)
    try:
        return from_arrays(list(columns.values()), columns=_column_names(tuple(columns)).view(),
                           index=pd.RangeIndex(lengths.pop()), verify_integrity=False)
    except TypeError:               # a pandas whose private constructor takes other arguments
        return public_frame(columns)


def _finished(values: object) -> bool:
    """Whether pandas would keep this column as it is: a pandas array, or a 1-D NumPy array of numbers or booleans.

    (An object array, bare or wrapped in a ``NumpyExtensionArray`` as a
    column of object dtype hands it out, would have its type inferred by the
    public constructor, so it takes that path.)
    """
    if type(values) is pd.arrays.NumpyExtensionArray:   # a wrapped NumPy array (not its subclass StringArray)
        values = values.to_numpy()
    elif isinstance(values, pd.api.extensions.ExtensionArray):
        return True
    return isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "biuf"


@lru_cache(maxsize=64)
def _column_names(names: tuple[str, ...]) -> pd.Index:
    """The column index for these names, made once (building it costs more than the rest of a small frame).

    Each frame gets a view of it: the labels cannot be changed in place, but
    an Index's ``name`` can, and one frame's must not rename another's.
    """
    return pd.Index(list(names))


def public_frame(columns: dict[str, np.ndarray | pd.api.extensions.ExtensionArray]) -> pd.DataFrame:
    """The same frame through pandas' public constructor."""
    return pd.DataFrame(columns, copy=False)
