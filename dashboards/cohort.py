"""Protected cohort views: the suppressed cube per measure (cached per snapshot) and its slices."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import data, suppression
from dashboards.cohort_sql import MEASURES, PARTITION_DIMS, SUBSET_DIMS
from dashboards.suppression import ALL

FILTER_DIMS = ["centre_id", "cancer_type", "treatment", "tsd_band"]


# A shared, read-only object (cache_resource): cache_data would copy 100k rows on every read.
@st.cache_resource(ttl=data.TTL, show_spinner="Preparing suppressed aggregates…", max_entries=16)
def protected_cube(path: str, measure: str) -> pd.DataFrame:
    cube = data.cohort_cube(path, measure)
    if cube.empty:
        return cube
    keys, has_outcome, _ = MEASURES[measure]
    return suppression.protect(
        cube,
        partition_dims=PARTITION_DIMS + (["outcome"] if has_outcome else []),
        subset_dims=SUBSET_DIMS,
        key_dims=keys,
    )


def view(path: str, measure: str, selection: dict[str, str], *, compare: str | None = None) -> pd.DataFrame:
    """Cells for the selection ({dim: value or ALL}); with `compare`, one row per value of that
    dimension instead of its total. Hidden cells keep `hidden=True`; callers blank them."""
    cube = protected_cube(path, measure)
    if cube.empty:
        return cube
    chosen = {d: v for d, v in selection.items() if d != compare}
    rows = suppression.slice_cube(cube, chosen)
    if compare:
        rows = rows[rows[compare] != ALL]
    return rows.reset_index(drop=True)


def patients_matching(path: str, selection: dict[str, str]) -> str:
    rows = view(path, "patients", selection)
    if rows.empty:
        return "0"
    row = rows.iloc[0]
    return suppression.HIDDEN_LABEL if row["hidden"] else f"{int(row['n']):,}"
