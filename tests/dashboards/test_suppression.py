"""Small-cell suppression: primary and complementary, attacked the way an analyst could attack it:
by collecting every cell any filter combination shows and solving the additive relations."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards import cohort_sql, suppression
from dashboards.snapshot import current_snapshot
from dashboards.suppression import ALL, NOT, protect

TREATMENTS = ["surgery", "chemotherapy", "radiotherapy"]


def cube_from_patients(patients: pd.DataFrame, dims=("centre", "cancer")) -> pd.DataFrame:
    """The cube the SQL builds, built independently in pandas: every dim also at ALL, and per
    treatment T the rows T and not:T."""
    rows = []
    for _, p in patients.iterrows():
        selectors = [ALL] + [t if t in p["treatments"] else NOT + t for t in TREATMENTS]
        for combo in itertools.product(*[[p[d], ALL] for d in dims]):
            for sel in selectors:
                rows.append((*combo, sel))
    frame = pd.DataFrame(rows, columns=[*dims, "treatment"])
    return frame.groupby(list(frame.columns)).size().rename("n").reset_index()


def attack(cube: pd.DataFrame, partition_dims, subset_dims, key_dims=()) -> dict:
    """Everything derivable from the shown cells: start from the visible (and complement rows
    derived from visible T and ALL), then solve every relation with one unknown, repeatedly.
    Returns {cell: value} for hidden cells the attacker recovers."""
    dims = [*partition_dims, *subset_dims, *key_dims]
    cells = list(zip(*(cube[d].astype(str) for d in dims)))
    true = dict(zip(cells, cube["n"].astype(int)))
    known = {c: v for c, v, h in zip(cells, cube["n"].astype(int), cube["hidden"]) if not h}
    relations = []  # (total cell, member cells)
    for dim_i, dim in enumerate(dims):
        if dim in key_dims:
            continue
        groups: dict = {}
        for cell in true:
            if cell[dim_i] == ALL:
                continue
            base = cell[:dim_i] + (ALL,) + cell[dim_i + 1:]
            if dim in subset_dims:
                value = cell[dim_i].removeprefix(NOT)
                groups.setdefault((base, value), []).append(cell)
            else:
                groups.setdefault((base, None), []).append(cell)
        for (base, value), members in groups.items():
            if dim in subset_dims:
                members = [base[:dim_i] + (value,) + base[dim_i + 1:],
                           base[:dim_i] + (NOT + value,) + base[dim_i + 1:]]  # fmt: skip
            relations.append((base, members))
    recovered = {}
    progress = True
    while progress:
        progress = False
        for total, members in relations:
            cells = [total, *members]
            # A cell absent from the cube is an empty group, which every view shows as nothing:
            # the attacker knows it is zero (known.get(..., 0) below).
            unknown = [c for c in cells if c in true and c not in known]
            if len(unknown) != 1:
                continue
            target = unknown[0]
            total_v = known.get(total, 0)
            members_v = sum(known.get(m, 0) for m in members if m != target)
            value = members_v if target == total else total_v - members_v
            known[target] = recovered[target] = value
            progress = True
    return recovered


def assert_protected(cube, partition_dims, subset_dims, key_dims=()):
    visible = cube[~cube["hidden"]]
    assert not visible["n"].between(1, suppression.MIN_SHOWN - 1).any(), "a small count is shown"
    recovered = attack(cube, partition_dims, subset_dims, key_dims)
    small = {k: v for k, v in recovered.items() if 1 <= v < suppression.MIN_SHOWN}
    assert not small, f"small cells recovered by subtraction: {small}"


def test_a_small_cell_and_its_smallest_sibling_are_hidden():
    cube = pd.DataFrame({"centre": ["A", "B", "C", ALL], "n": [5, 30, 40, 75]})
    shown = protect(cube, partition_dims=["centre"]).set_index("centre")["hidden"]
    assert shown.to_dict() == {"A": True, "B": True, "C": False, ALL: False}


def test_zero_is_shown_and_large_cells_stay_visible():
    cube = pd.DataFrame({"centre": ["A", "B", ALL], "n": [0, 30, 30]})
    assert not protect(cube, partition_dims=["centre"])["hidden"].any()


def test_a_treatment_whose_complement_is_small_is_hidden():
    cube = pd.DataFrame({"treatment": [ALL, "surgery", "not:surgery"], "n": [50, 45, 5]})
    hidden = protect(cube, partition_dims=[], subset_dims=["treatment"]).set_index("treatment")["hidden"]
    assert hidden["not:surgery"] and hidden["surgery"] and not hidden[ALL]


def test_statistics_of_hidden_cells_are_blanked():
    cube = protect(pd.DataFrame({"centre": ["A", "B", "C", ALL], "n": [5, 30, 40, 75],
                                 "mean_score": [50.0, 60.0, 70.0, 65.0]}), partition_dims=["centre"])
    shown = suppression.blank_hidden(cube, ["mean_score"]).set_index("centre")
    assert shown.loc["A", "n"] == "<11" and pd.isna(shown.loc["A", "mean_score"])
    assert shown.loc["C", "n"] == "40" and shown.loc["C", "mean_score"] == 70.0


patients_strategy = st.lists(
    st.tuples(st.sampled_from(["BE", "DE", "FR"]), st.sampled_from(["breast", "lung", "melanoma"]),
              st.sets(st.sampled_from(TREATMENTS))),
    min_size=1, max_size=120,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients_strategy)
def test_no_filter_combination_reveals_a_small_cell(rows):
    patients = pd.DataFrame(rows, columns=["centre", "cancer", "treatments"])
    cube = protect(cube_from_patients(patients), partition_dims=["centre", "cancer"],
                   subset_dims=["treatment"])  # fmt: skip
    assert_protected(cube, ["centre", "cancer"], ["treatment"])


def test_the_same_data_always_gives_the_same_pattern():
    patients = pd.DataFrame([("BE", "lung", {"surgery"})] * 12 + [("DE", "lung", set())] * 3
                            + [("FR", "breast", {"chemotherapy"})] * 30, columns=["centre", "cancer", "treatments"])
    cube = cube_from_patients(patients)
    first = protect(cube, partition_dims=["centre", "cancer"], subset_dims=["treatment"])
    shuffled = protect(cube.sample(frac=1, random_state=3), partition_dims=["centre", "cancer"],
                       subset_dims=["treatment"])  # fmt: skip
    key = ["centre", "cancer", "treatment"]
    assert first.sort_values(key)["hidden"].tolist() == shuffled.sort_values(key)["hidden"].tolist()


@pytest.mark.parametrize("measure", ["patients", "adherence"])
def test_snapshot_cubes_withstand_the_subtraction_attack(measure, snapshot_dir):
    """The real cube SQL on the fixture snapshot (600 patients, many small cells)."""
    from dashboards import cohort

    snap = current_snapshot(snapshot_dir)
    cube = cohort.protected_cube(snap.marts_path, measure)
    keys, has_outcome, _ = cohort_sql.MEASURES[measure]
    partition = cohort_sql.PARTITION_DIMS + (["outcome"] if has_outcome else [])
    if keys:  # one independent table per key: attack the first key's table (same code path)
        cube = cube[cube[keys[0]] == cube[keys[0]].iloc[0]]
    assert cube["hidden"].any() and (~cube["hidden"]).any()
    assert_protected(cube.reset_index(drop=True), partition, cohort_sql.SUBSET_DIMS, keys)


def test_the_attack_finds_what_primary_suppression_alone_leaves_open():
    """The attacker in these tests is real: without complementary suppression it wins."""
    cube = pd.DataFrame({"centre": ["A", "B", "C", ALL], "n": [5, 30, 40, 75],
                         "hidden": [True, False, False, False]})  # fmt: skip
    assert attack(cube, ["centre"], []) == {("A",): 5}
