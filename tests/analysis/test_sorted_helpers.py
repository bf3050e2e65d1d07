"""The sorted-array helpers the per-pupil analysis uses instead of ``np.unique``/``np.isin``
(issue 11's speed) give exactly what those give, on arrays in order as a timeline's are."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from attendance_cli.analysis.calendar import in_sorted, sorted_unique

ordered = st.lists(st.integers(min_value=0, max_value=60), max_size=40).map(
    lambda values: np.array(sorted(values), dtype=np.int64)
)


@given(ordered)
def test_sorted_unique_is_np_unique(values: np.ndarray) -> None:
    assert sorted_unique(values).tolist() == np.unique(values).tolist()


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=40), ordered)
def test_in_sorted_is_np_isin(values: list[int], sorted_set: np.ndarray) -> None:
    array = np.array(values, dtype=np.int64)
    found = in_sorted(array, np.unique(sorted_set))
    assert found.tolist() == np.isin(array, sorted_set).tolist()
