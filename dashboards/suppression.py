"""Small-cell suppression for every analyst-facing aggregate (ARCHITECTURE.md decision 7).

Aggregates are computed as a *cube*: every combination of the filter values, each filter also at
its total `ALL`, so that whatever a user selects is a slice of one protected table. Suppression
works on the whole cube at once, never on the slice on screen, because an attacker combines slices.

- Primary: a count of 1 to 10 people is hidden (0 is shown: it discloses nobody).
- Complementary: cells are tied by additive relations. For a partition dimension (each person in
  exactly one value: centre, cancer type, time since diagnosis, outcome yes/no) the `ALL` cell is the
  sum of the others. For a subset dimension (a person may have several values: treatments) the
  `ALL` cell is the sum of `T` and its complement `not:T`, which the cube carries but never shows,
  since anyone could subtract it. A relation with exactly one hidden cell would give that cell away,
  so the smallest non-zero visible member is hidden too, repeated until no relation has exactly one.
- Every statistic of a hidden cell (means, rates, medians) is hidden with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALL = "ALL"
NOT = "not:"
MIN_SHOWN = 11  # counts 1..MIN_SHOWN-1 are hidden
HIDDEN_LABEL = "<11"


def _group_ids(codes: list[np.ndarray]) -> np.ndarray:
    """One integer per distinct combination of the given code columns (mixed-radix key, then a
    hash factorisation: much faster than sorting rows)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for column in codes:
        key = key * (int(column.max(initial=0)) + 2) + column + 1
    return pd.factorize(key)[0]


def _relations(df: pd.DataFrame, partition_dims, subset_dims, key_dims):
    """Every additive relation as a flat membership table: (row, relation id, is_total)."""
    dims = [*partition_dims, *subset_dims, *key_dims]
    codes = {d: pd.factorize(df[d].astype(str))[0] for d in dims}
    values = {d: df[d].astype(str).to_numpy() for d in dims}
    rows, groups, totals = [], [], []
    offset = 0

    def add(member_rows: np.ndarray, dim: str) -> None:
        nonlocal offset
        others = [codes[d][member_rows] for d in dims if d != dim]
        ids = _group_ids(others) if others else np.zeros(len(member_rows), dtype=np.int64)
        rows.append(member_rows)
        groups.append(ids + offset)
        totals.append(values[dim][member_rows] == ALL)
        offset += int(ids.max()) + 1 if len(ids) else 0

    everything = np.arange(len(df))
    for dim in partition_dims:
        add(everything, dim)
    for dim in subset_dims:
        column = values[dim]
        for value in sorted({v for v in column if v != ALL and not v.startswith(NOT)}):
            add(np.flatnonzero(np.isin(column, [ALL, value, NOT + value])), dim)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool), 0
    return np.concatenate(rows), np.concatenate(groups), np.concatenate(totals), offset


def protect(
    cube: pd.DataFrame,
    *,
    partition_dims: list[str],
    subset_dims: list[str] = (),
    key_dims: list[str] = (),
    count: str = "n",
    min_shown: int = MIN_SHOWN,
) -> pd.DataFrame:
    """Return the cube with a boolean `hidden` column after primary and complementary suppression.

    `key_dims` separate independent tables (e.g. one per symptom); they carry no relation.
    The cube must hold every non-zero cell, including every `ALL` combination and, for each subset
    dimension value T, the complement rows `not:T`.
    """
    # A fixed row order makes the pattern a function of the data alone: two servers (or two runs)
    # must never hide different cells of the same snapshot, or comparing them would reveal both.
    dims = [*partition_dims, *subset_dims, *key_dims]
    df = cube.sort_values(dims, key=lambda c: c.astype(str)).reset_index(drop=True)
    n = df[count].fillna(0).astype("int64").to_numpy()
    hidden = (n >= 1) & (n < min_shown)
    row, group, is_total, n_groups = _relations(df, list(partition_dims), list(subset_dims), list(key_dims))
    member_n = n[row]
    while n_groups:
        member_hidden = hidden[row]
        exposed = np.bincount(group, weights=member_hidden, minlength=n_groups) == 1
        in_exposed = exposed[group]
        if not in_exposed.any():
            break
        # In each exposed relation, hide its smallest visible non-zero member (ties: first row).
        candidate = in_exposed & ~member_hidden & (member_n > 0) & ~is_total
        idx = np.flatnonzero(candidate)
        order = idx[np.lexsort((row[idx], member_n[idx], group[idx]))]
        _, first = np.unique(group[order], return_index=True)
        chosen = order[first]
        hidden[row[chosen]] = True
        # A relation whose only other non-zero cell is its total: hide the total.
        resolved = np.zeros(n_groups, dtype=bool)
        resolved[group[chosen]] = True
        lone = in_exposed & ~resolved[group] & is_total & ~member_hidden & (member_n > 0)
        hidden[row[lone]] = True
        if not len(chosen) and not lone.any():
            break  # exposed relations with nothing left to hide: nothing more can be done
    df["hidden"] = hidden
    return df


def blank_hidden(view: pd.DataFrame, statistics: list[str], count: str = "n") -> pd.DataFrame:
    """For display and CSV: hidden counts read `<11` and their statistics are emptied."""
    shown = view.copy()
    shown[count] = shown_counts(shown[count], shown["hidden"])
    for column in statistics:
        shown[column] = shown[column].astype("float64")
        shown.loc[shown["hidden"], column] = float("nan")
    return shown.drop(columns="hidden")


def shown_counts(counts: pd.Series, hidden: pd.Series) -> pd.Series:
    """Counts as text (one column type for tables and CSV), hidden ones as `<11`."""
    return pd.Series(
        [HIDDEN_LABEL if h else f"{int(c)}" for c, h in zip(counts.fillna(0), hidden)],
        index=counts.index, dtype="object",
    )


def slice_cube(cube: pd.DataFrame, selection: dict[str, str]) -> pd.DataFrame:
    """The cells a user sees for a selection ({dim: value or ALL}); complements are never shown."""
    mask = pd.Series(True, index=cube.index)
    for dim, value in selection.items():
        mask &= cube[dim].astype(str) == str(value)
    for dim in cube.columns:
        if cube[dim].dtype == object:
            mask &= ~cube[dim].astype(str).str.startswith(NOT)
    return cube[mask]
