"""rolling_baseline(days, values, window_days): each day's median, MAD and count over the days before it."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from ingestion import rolling_baseline


@pytest.fixture
def con():
    connection = duckdb.connect()
    rolling_baseline.register(connection)
    yield connection
    connection.close()


def baseline(con, days: list[int], values: list[float | None], window: int = 28) -> list[tuple]:
    """(median, mad, n_days) per day of one series; days as day numbers from 2026-01-01 (day 1)."""
    result = con.execute(
        "select rolling_baseline([date '2025-12-31' + d for d in ?::integer[]], ?::double[], ?)",
        [days, values, window],
    ).fetchone()[0]
    return [(row["median"], row["mad"], row["n_days"]) for row in result]


def test_median_and_mad_of_the_days_before_each_day(con):
    # hand-computed: day 3 sees 10, 20 (median 15, deviations 5 5); day 4 sees 10 20 30 (median 20,
    # deviations 10 0 10 -> 10); day 5 sees 10..40 (median 25, deviations 15 5 5 15 -> 10)
    assert baseline(con, [1, 2, 3, 4, 5], [10, 20, 30, 40, 50]) == [
        (None, None, 0),
        (10.0, 0.0, 1),
        (15.0, 5.0, 2),
        (20.0, 10.0, 3),
        (25.0, 10.0, 4),
    ]


def test_window_reaches_back_exactly_window_days_and_skips_gaps(con):
    # window 3: day 4 sees days 1..3 (values of days 1 and 2); day 8 sees days 5..7, none recorded
    assert baseline(con, [1, 2, 4, 8], [1, 5, 2, 7], window=3) == [
        (None, None, 0),
        (1.0, 0.0, 1),
        (3.0, 2.0, 2),
        (None, None, 0),
    ]
    # day 5 with window 3 no longer sees day 1
    assert baseline(con, [1, 5], [1, 2], window=3)[1] == (None, None, 0)
    assert baseline(con, [1, 4], [1, 2], window=3)[1] == (1.0, 0.0, 1)


def test_null_values_are_not_counted(con):
    assert baseline(con, [1, 2, 3], [4, None, 8]) == [(None, None, 0), (4.0, 0.0, 1), (4.0, 0.0, 1)]


def test_series_do_not_see_each_other(con):
    rows = con.execute(
        """
        select rolling_baseline(days, series_values, 28) from (values
            (1, [date '2026-01-01', date '2026-01-02'], [100.0, 200.0]),
            (2, [date '2026-01-03'], [7.0]),
            (3, [], [])
        ) as series(id, days, series_values) order by id
        """
    ).fetchall()
    assert [row[0] for row in rows] == [
        [{"median": None, "mad": None, "n_days": 0}, {"median": 100.0, "mad": 0.0, "n_days": 1}],
        [{"median": None, "mad": None, "n_days": 0}],
        [],
    ]


def test_equals_duckdb_list_median_over_a_moving_frame(con):
    """Bit for bit the SQL it replaces, on random series with gaps, nulls and ties."""
    con.execute("select setseed(0.42)")
    con.execute(
        """
        create table daily as
        select series, date '2025-01-01' + day::integer as day,
            case when random() < 0.05 then null else round(random() * 40, (series % 3)::integer) end as value
        from range(300) as s(series), range(120) as d(day)
        where random() < 0.85
        """
    )
    expected = con.execute(
        """
        select series, day, list_median(frame) as median,
            list_median(list_transform(frame, lambda x: abs(x - list_median(frame)))) as mad,
            coalesce(len(frame), 0) as n_days
        from (
            select *, list(value) filter (where value is not null) over (
                partition by series order by day
                range between interval 28 days preceding and interval 1 day preceding
            ) as frame
            from daily
        )
        order by series, day
        """
    ).fetchall()
    actual = con.execute(
        """
        select series, day, baseline.median, baseline.mad, baseline.n_days
        from (
            select series, unnest(days) as day, unnest(rolling_baseline(days, series_values, 28)) as baseline
            from (
                select series, list(day order by day) as days, list(value order by day) as series_values
                from daily group by series
            )
        )
        order by series, day
        """
    ).fetchall()
    assert len(actual) == len(expected) > 30000
    assert actual == expected


def test_days_out_of_order_or_repeated_are_refused():
    with pytest.raises(ValueError, match="ascending and distinct"):
        rolling_baseline.baselines(np.array([2]), np.array([5, 5]), np.array([1.0, 2.0]), 28)
    with pytest.raises(ValueError, match="ascending and distinct"):
        rolling_baseline.baselines(np.array([2]), np.array([5, 4]), np.array([1.0, 2.0]), 28)
    with pytest.raises(ValueError, match="at least 1 day"):
        rolling_baseline.baselines(np.array([1]), np.array([5]), np.array([1.0]), 0)


def test_a_series_needs_as_many_values_as_days(con):
    with pytest.raises(duckdb.Error, match="as many values as days"):
        con.execute("select rolling_baseline([date '2026-01-01'], [1.0, 2.0], 28)").fetchall()
    with pytest.raises(duckdb.Error, match="days cannot be null"):
        con.execute("select rolling_baseline([date '2026-01-01', null], [1.0, 2.0], 28)").fetchall()


def test_null_and_empty_series(con):
    rows = con.execute(
        """
        select id, rolling_baseline(days, series_values, 28) from (values
            (1, [date '2026-01-01', date '2026-01-03'], [2.0, 4.0]), (2, null, null), (3, [], [])
        ) as series(id, days, series_values) order by id
        """
    ).fetchall()
    assert rows == [
        (1, [{"median": None, "mad": None, "n_days": 0}, {"median": 2.0, "mad": 0.0, "n_days": 1}]),
        (2, None),
        (3, []),
    ]
    assert con.execute("select rolling_baseline([], [], 28)").fetchone()[0] == []


def test_far_apart_dates_cost_no_more_than_near_ones(con):
    # a gap longer than the window sees nothing before it, however long: day 31 and a date
    # millions of days on both count nothing before them (window 28), and day 29 still sees day 1
    far = 3_000_000
    assert baseline(con, [1, 29, 31, far, far + 1], [5, 6, 7, 8, 9]) == [
        (None, None, 0),
        (5.0, 0.0, 1),
        (6.0, 0.0, 1),
        (None, None, 0),
        (8.0, 0.0, 1),
    ]
    median, _, counts = rolling_baseline.baselines(
        np.array([3, 2]), np.array([0, 10**9, 2 * 10**9, 5, 6]), np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 28
    )
    assert counts.tolist() == [0, 0, 0, 0, 1]
    assert median[4] == 4.0


def test_windows_sorted_a_step_at_a_time_give_the_same_baselines(monkeypatch):
    """Series longer than a step, and steps ending inside a series, give what one step gives."""
    rng = np.random.default_rng(7)
    lengths = np.array([700, 1, 0, 1300, 450])
    days = np.concatenate([np.sort(rng.choice(2000, size=n, replace=False)) for n in lengths])
    values = np.round(rng.normal(70, 8, size=len(days)), 1)
    values[rng.random(len(days)) < 0.05] = np.nan
    whole = rolling_baseline.baselines(lengths, days, values, 28)
    monkeypatch.setattr(rolling_baseline, "_ROWS_PER_STEP", 333)
    stepped = rolling_baseline.baselines(lengths, days, values, 28)
    for one, other in zip(whole, stepped, strict=True):
        assert np.array_equal(one, other, equal_nan=True)
    assert np.isnan(whole[0][0]) and whole[2][0] == 0 and (whole[2] > 0).sum() > 2000



def test_large_lists_give_the_same_baselines():
    """Arrow's large lists (64-bit offsets) read as lists do."""
    import datetime

    import pyarrow as pa

    day = datetime.date
    days = [[day(2026, 1, 1), day(2026, 1, 2), day(2026, 1, 4)], None, [day(2026, 2, 1)]]
    values = [[3.0, None, 5.0], None, [7.0]]
    results = [
        rolling_baseline.rolling_baseline(
            pa.array(days, list_type(pa.date32())),
            pa.array(values, list_type(pa.float64())),
            pa.array([28, 28, 28]),
        ).to_pylist()
        for list_type in (pa.list_, pa.large_list)
    ]
    assert results[0] == results[1] == [
        [
            {"median": None, "mad": None, "n_days": 0},
            {"median": 3.0, "mad": 0.0, "n_days": 1},
            {"median": 3.0, "mad": 0.0, "n_days": 1},
        ],
        [],
        [{"median": None, "mad": None, "n_days": 0}],
    ]
