"""The patient view's charts, built once per (snapshot, patient) and kept as Vega-Lite specs.

Building an Altair chart validates it against the Vega-Lite schema, which costs far more than the
queries behind it; a published snapshot never changes, so the finished spec is cached instead.
"""

from __future__ import annotations

import streamlit as st

from dashboards import charts, clinical, data
from dashboards.catalogue import catalogue

TTL = data.TTL


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def timeline(path: str, patient_key: str) -> dict | None:
    events = data.patient_timeline(path, patient_key)
    return None if events.empty else charts.timeline(events).to_dict()


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def telemonitoring(path: str, patient_key: str) -> list[dict]:
    """One spec per metric, in the order the mart lists them."""
    cat = catalogue()
    readings = data.patient_telemonitoring(path, patient_key)
    alerts = data.patient_alerts(path, patient_key)
    specs = []
    for metric in readings["metric"].unique():
        series = readings[readings["metric"] == metric]
        marks = alerts[alerts["rule_id"].isin(clinical.rules_for_metric(metric))]
        chart = charts.telemonitoring(series, clinical.metric_label(metric), marks,
                                      clinical.metric_threshold(cat, metric))  # fmt: skip
        specs.append(chart.to_dict())
    return specs


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)
def prom(path: str, patient_key: str, instrument: str, scales: tuple[str, ...]) -> list[dict]:
    cat = catalogue()
    proms = data.patient_proms(path, patient_key)
    chosen = proms[proms["instrument"] == instrument]
    specs = []
    for scale in scales:
        series = chosen[chosen["scale"] == scale]
        if series.empty:
            continue
        threshold = clinical.prom_threshold(cat, instrument, scale, series["score"].iloc[0])
        title = f"{clinical.INSTRUMENT_LABELS.get(instrument, instrument)} · {scale}"
        specs.append(charts.prom_trajectory(series, title, threshold,
                                            clinical.SCORE_RANGES.get(instrument)).to_dict())  # fmt: skip
    return specs
