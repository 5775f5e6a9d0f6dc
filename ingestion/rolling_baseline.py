"""The patient's own rolling baseline: the DuckDB function `rolling_baseline(days, values, window_days)`.

`telemonitoring_daily` gives each day of a patient's metric the median and the MAD (median absolute
deviation from that median) of the metric's values on the `window_days` days before it (day -
window_days to day - 1, today excluded; the dbt variable `baseline_days`, 28), and how many such days
had a value. In SQL that is a moving-frame list or median per row; at 10,000 patients (27 M days)
gathering the frames and taking two medians of each took about 60 of the model's 97 CPU seconds.

Here one call takes whole series (each patient and metric: its days ascending, one value per day) and
computes every day's window at once with numpy: each series is laid out on a dense day axis (missing
days and null values as NaN; a gap longer than the window shortened to window_days + 1) behind
`window_days` NaN of padding, each day's window is a row of a sliding view of it, rows are sorted, and
the median is read off the sorted row the way DuckDB's `median()` interpolates (the mean of the two
middle values of an even count: `lo * 0.5 + hi * 0.5`), so results equal `list_median` over the same
values bit for bit.

Registered on every dbt connection by the dbt-duckdb plugin `ingestion.sql_functions`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view

from ingestion.arrow_buffers import from_numpy, to_numpy

FUNCTION_NAME = "rolling_baseline"
PARAMETERS = ["DATE[]", "DOUBLE[]", "INTEGER"]
RETURN_TYPE = "STRUCT(median DOUBLE, mad DOUBLE, n_days BIGINT)[]"
_RESULT_FIELDS = [("median", pa.float64()), ("mad", pa.float64()), ("n_days", pa.int64())]
# rows of windows sorted at a time: 2^16 x 28 doubles is 15 MB, a block the allocator hands back to
# the next step (glibc keeps freed blocks of up to 32 MB). At 2^18 rows each step's 59 MB came fresh
# from the kernel, and its page faults cost about as much as sorting the windows
_ROWS_PER_STEP = 1 << 16


def _median_of_sorted_rows(
    rows: np.ndarray, row_starts: np.ndarray, counts: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """Median of the first `counts[i]` values of each ascending row into `out` (NaN where the count is 0).

    `rows` are C-contiguous and `row_starts` their first elements' flat indexes: the two middle values
    are read by flat index (a quarter of the time of `np.take_along_axis`, which builds an index per
    row). DuckDB's median of an even count is `lo * 0.5 + hi * 0.5`; of an odd count the two reads
    are the same value, whose two halves add up to it exactly."""
    flat = rows.reshape(-1)
    lower = np.maximum(counts - 1, 0) >> 1
    lower += row_starts
    upper = counts >> 1
    upper += row_starts
    np.multiply(flat[lower], 0.5, out=out)
    out += flat[upper] * 0.5
    out[counts == 0] = np.nan
    return out


def baselines(
    lengths: np.ndarray, days: np.ndarray, values: np.ndarray, window_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, MAD, count of days with a value) of each day's preceding window, per flattened series.

    `lengths` holds each series' number of days; `days` (integers, ascending and distinct within a series)
    and `values` (NaN for none) are the series one after another.
    """
    if window_days < 1:
        raise ValueError(f"rolling_baseline: the window must be at least 1 day, not {window_days}")
    if len(days) == 0:
        return np.empty(0), np.empty(0), np.zeros(0, np.int64)
    series = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    if not np.all((np.diff(days) > 0) | (np.diff(series) > 0)):
        raise ValueError("rolling_baseline: days must be ascending and distinct within each series")
    ends = np.cumsum(lengths)
    starts = ends - lengths
    present = lengths > 0
    # each day's place on its series' dense day axis. A gap longer than the window hides every day
    # before it, whatever its length: it is shortened to window_days + 1, so the axis stays at most
    # (window_days + 1) x the series' days long however far apart its dates are
    gaps = np.zeros(len(days), np.int64)
    gaps[1:] = np.minimum(np.diff(days), window_days + 1)
    gaps[starts[present]] = 0
    offset = np.cumsum(gaps)
    offset -= offset[starts[present]].repeat(lengths[present])
    # the series one after another, each behind window_days of padding, so no window reaches the one before
    span = np.zeros(len(lengths), np.int64)
    span[present] = offset[ends[present] - 1] + 1 + window_days
    dense_start = np.cumsum(span) - span
    position = dense_start[series] + window_days + offset
    dense = np.full(int(span.sum()), np.nan)
    dense[position] = values
    with_value = np.concatenate([[0], np.cumsum(~np.isnan(dense))])
    counts = with_value[position] - with_value[position - window_days]
    windows = sliding_window_view(dense, window_days)
    median = np.empty(len(days))
    mad = np.empty(len(days))
    row_starts = np.arange(min(_ROWS_PER_STEP, len(days)), dtype=np.intp) * window_days
    for step in range(0, len(days), _ROWS_PER_STEP):
        rows = slice(step, step + _ROWS_PER_STEP)
        window = windows[position[rows] - window_days]  # a copy: one row per day
        window.sort(axis=1)  # NaN sort last
        starts_of_rows = row_starts[: len(window)]
        step_median = _median_of_sorted_rows(window, starts_of_rows, counts[rows], median[rows])
        np.abs(np.subtract(window, step_median[:, None], out=window), out=window)
        window.sort(axis=1)
        _median_of_sorted_rows(window, starts_of_rows, counts[rows], mad[rows])
    return median, mad, counts


def _list_lengths(lists: pa.Array) -> np.ndarray:
    """The length of each list (0 for a null list), read as int64: lists and large lists alike."""
    lengths, null = to_numpy(pc.list_value_length(lists).cast(pa.int64()), np.int64)
    return np.where(null, 0, lengths)


def rolling_baseline(days: pa.Array, values: pa.Array, window_days: pa.Array) -> pa.Array:
    """Arrow form of `baselines` for DuckDB: lists of days and values in, a list of structs out per series."""
    if isinstance(days, pa.ChunkedArray):
        days = days.combine_chunks()
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    lengths = _list_lengths(days)
    if not np.array_equal(lengths, _list_lengths(values)):
        raise ValueError("rolling_baseline: each series needs as many values as days")
    offsets = from_numpy(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32), pa.int32())
    if len(days) == 0:
        return pa.ListArray.from_arrays(offsets, pa.array([], pa.struct(_RESULT_FIELDS)))
    day_numbers, null_days = to_numpy(days.flatten().cast(pa.int32()), np.int32)
    if null_days.any():
        raise ValueError("rolling_baseline: a series' days cannot be null")
    numbers, null_numbers = to_numpy(values.flatten().cast(pa.float64()), np.float64)
    if null_numbers.any():
        numbers = np.where(null_numbers, np.nan, numbers)
    windows = pc.unique(window_days)
    if len(windows) != 1 or not windows[0].is_valid:
        raise ValueError("rolling_baseline: window_days must be one non-null value for every series")
    median, mad, counts = baselines(lengths, day_numbers.astype(np.int64), numbers, int(windows[0].as_py()))
    result = pa.StructArray.from_arrays(
        [
            from_numpy(median, pa.float64(), null=np.isnan(median)),
            from_numpy(mad, pa.float64(), null=np.isnan(mad)),
            from_numpy(counts.astype(np.int64, copy=False), pa.int64()),
        ],
        fields=[pa.field(name, kind) for name, kind in _RESULT_FIELDS],
    )
    return pa.ListArray.from_arrays(offsets, result)


def register(connection) -> None:
    """Register `rolling_baseline(days, values, window_days)` on a DuckDB connection."""
    connection.create_function(
        FUNCTION_NAME, rolling_baseline, PARAMETERS, RETURN_TYPE, type="arrow", side_effects=False
    )
