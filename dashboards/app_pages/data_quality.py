"""Data quality: Great Expectations results, quarantined records by reason, freshness per source,
recent pipeline runs. Counts of records, not people: nothing here identifies anyone."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards import access, charts, data, ui

access.require(*access.AGGREGATE_ROLES)
st.title("Data quality")
snap = ui.snapshot_or_stop()

with ui.section("Great Expectations checkpoint"):
    results = data.quality_table(snap.marts_path, "ge_results")
    if results.empty:
        ui.empty("No checkpoint results published yet.")
    else:
        latest = results[results["run_at"] == results["run_at"].max()] if "run_at" in results else results
        passed = int(latest["success"].sum()) if "success" in latest else 0
        st.metric("Latest run: expectations met", f"{passed} of {len(latest)}")
        st.dataframe(latest, hide_index=True, width="stretch")

left, right = st.columns(2)
with left, ui.section("Quarantined records by reason"):
    quarantine = data.quality_table(snap.marts_path, "quarantine_by_reason")
    if quarantine.empty:
        ui.empty("Nothing quarantined: every record passed validation.")
    else:
        chart = alt.Chart(quarantine).mark_bar().encode(
            y=alt.Y("reason_code:N", title=None, sort="-x"), x=alt.X("sum(records):Q", title="records"),
            color=alt.Color("file_kind:N", scale=alt.Scale(range=charts.PALETTE), title="source"),
            tooltip=["reason_code:N", "file_kind:N", "records:Q"],
        )  # fmt: skip
        st.altair_chart(chart, width="stretch")
with right, ui.section("Freshness per source"):
    freshness = data.quality_table(snap.marts_path, "freshness")
    if freshness.empty:
        ui.empty("No load history published yet.")
    else:
        st.dataframe(freshness, hide_index=True, width="stretch")

with ui.section("Recent pipeline runs"):
    runs = data.quality_table(snap.marts_path, "pipeline_runs")
    if runs.empty:
        ui.empty("No pipeline runs recorded yet.")
    else:
        st.dataframe(runs, hide_index=True, width="stretch")
