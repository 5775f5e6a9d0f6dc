"""Cohort outcomes for analysts: pseudonymised, every count of 1-10 people hidden (with the cells
that would give it away), so any filter combination can be shown and downloaded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import access, charts, cohort, data, suppression, ui
from dashboards.suppression import ALL

access.require(*access.AGGREGATE_ROLES)
st.title("Cohort outcomes")
snap = ui.snapshot_or_stop()
options = data.cohort_filter_options(snap.marts_path)
if not options["centre_id"]:
    ui.empty("No patients in the published data yet.")
    st.stop()

LABELS = {"centre_id": "Centre", "cancer_type": "Cancer type", "treatment": "Treatment",
          "tsd_band": "Time since diagnosis"}  # fmt: skip
columns = st.columns(4)
selection = {
    dim: columns[i].selectbox(LABELS[dim], [ALL, *options[dim]], key=f"filter_{dim}",
                              format_func=lambda v: "All" if v == ALL else v)
    for i, dim in enumerate(cohort.FILTER_DIMS)
}  # fmt: skip
st.metric("Patients matching", cohort.patients_matching(snap.marts_path, selection))
st.caption("Counts of 1 to 10 people are shown as <11, together with any cell that would let "
           "them be worked out; their statistics are hidden too.")  # fmt: skip

VIEWS = ["QoL trajectories", "Symptom burden", "Adherence", "Alert burden"]
chosen = st.segmented_control("Outcome", VIEWS, default=VIEWS[0], key="outcome_view") or VIEWS[0]


def offer_csv(frame: pd.DataFrame, name: str) -> None:
    st.download_button("Download these suppressed aggregates (CSV)", frame.to_csv(index=False),
                       file_name=f"{name}.csv", mime="text/csv", icon=":material/download:")  # fmt: skip


def with_filters(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in cohort.FILTER_DIMS if c in frame.columns]).assign(
        **{LABELS[d].lower().replace(" ", "_"): v for d, v in selection.items()}
    )


if chosen == "QoL trajectories":
    with ui.section("Global health status / QoL (EORTC QLQ-C30) by time since diagnosis"):
        compare = "cancer_type" if selection["cancer_type"] == ALL else None
        rows = cohort.view(snap.marts_path, "qol", selection, compare=compare)
        shown = suppression.blank_hidden(rows, ["mean_score"]) if not rows.empty else rows
        if shown.empty or shown["mean_score"].isna().all():
            ui.empty("Too few patients with QLQ-C30 answers for these filters to show.")
        else:
            shown = shown.assign(group=shown[compare] if compare else selection["cancer_type"])
            st.altair_chart(charts.qol_trajectories(shown.dropna(subset=["mean_score"])), width="stretch")
            table = with_filters(shown.drop(columns=["group"]))
            st.dataframe(table, hide_index=True)
            offer_csv(table, "qol_trajectories")

elif chosen in ("Symptom burden", "Alert burden"):
    measure, key = ("burden", "measure") if chosen == "Symptom burden" else ("alerts", "rule_id")
    with ui.section(chosen):
        rows = cohort.view(snap.marts_path, measure, selection | {"outcome": ALL})
        yes = cohort.view(snap.marts_path, measure, selection | {"outcome": "yes"})
        if rows.empty:
            ui.empty("No data for these filters.")
        else:
            merged = rows.merge(yes[[key, "n", "hidden"]], on=key, how="left", suffixes=("", "_yes"))
            merged["n_yes"] = merged["n_yes"].fillna(0)
            merged["hidden_yes"] = merged["hidden_yes"].fillna(False).astype(bool)
            merged["share"] = merged["n_yes"] / merged["n"].where(merged["n"] > 0)
            hidden = merged["hidden"] | merged["hidden_yes"]
            stats = [c for c in ("alerts_per_100_patient_weeks", "mean_hours_to_acknowledge",
                                 "share_acknowledged_in_time") if c in merged]  # fmt: skip
            table = pd.DataFrame({
                key: merged[key],
                "patients": suppression.shown_counts(merged["n"], merged["hidden"]),
                "patients_with_event": suppression.shown_counts(merged["n_yes"], merged["hidden_yes"]),
                "share": merged["share"].where(~hidden),
                **{s: merged[s].where(~merged["hidden"]) for s in stats},
            })  # fmt: skip
            visible = table.dropna(subset=["share"])
            if visible.empty:
                ui.empty("Every cell is too small to show for these filters.")
            else:
                title = "share of patients" if measure == "burden" else "share of patients alerted"
                st.altair_chart(charts.share_bars(visible, y=key, x="share", title=title), width="stretch")
            st.dataframe(table, hide_index=True, column_config={
                "share": st.column_config.NumberColumn(format="percent"),
                "share_acknowledged_in_time": st.column_config.NumberColumn(format="percent")})
            offer_csv(with_filters(table), measure)

else:
    with ui.section("PROM and device adherence"):
        rows = cohort.view(snap.marts_path, "adherence", selection)
        shown = suppression.blank_hidden(rows, ["mean_share"]) if not rows.empty else rows
        if shown.empty or shown["mean_share"].isna().all():
            ui.empty("Too few patients for these filters to show adherence.")
        else:
            st.altair_chart(charts.share_bars(shown.dropna(subset=["mean_share"]), y="measure",
                                              x="mean_share", title="mean adherence"), width="stretch")  # fmt: skip
            table = with_filters(shown)
            st.dataframe(table, hide_index=True)
            offer_csv(table, "adherence")
