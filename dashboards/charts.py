"""Altair charts. Colour-blind-safe palette (Okabe-Ito), thresholds drawn, tooltips on every mark."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboards.catalogue import SEVERITY_COLOURS

LINE = "#0072B2"
BAND = "#56B4E9"
THRESHOLD = "#D55E00"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
KIND_COLOURS = {"diagnosis": "#D55E00", "procedure": "#009E73", "medication": "#0072B2"}


def _threshold_layer(value: float, label: str) -> alt.LayerChart:
    frame = pd.DataFrame({"y": [value], "label": [label]})
    rule = alt.Chart(frame).mark_rule(color=THRESHOLD, strokeDash=[6, 4], size=1.5).encode(
        y="y:Q", tooltip=["label:N", "y:Q"]
    )
    text = alt.Chart(frame).mark_text(align="left", dx=4, dy=-6, color=THRESHOLD, fontSize=11).encode(
        y="y:Q", text="label:N", x=alt.value(0)
    )
    return rule + text


def prom_trajectory(frame: pd.DataFrame, title: str, threshold: tuple[float, str] | None,
                    y_domain: tuple[float, float] | None = None) -> alt.LayerChart:  # fmt: skip
    scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False)
    line = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=45), color=LINE).encode(
        x=alt.X("authored_at:T", title=None),
        y=alt.Y("score:Q", title="score", scale=scale),
        tooltip=[alt.Tooltip("authored_at:T", title="answered", format="%d %b %Y"),
                 alt.Tooltip("score:Q", format=".1f"), "band:N"],
    )  # fmt: skip
    layers = [line] + ([_threshold_layer(*threshold)] if threshold else [])
    return alt.layer(*layers).properties(title=title, height=200)


def telemonitoring(frame: pd.DataFrame, title: str, alerts: pd.DataFrame,
                   threshold: tuple[float, str] | None) -> alt.LayerChart:  # fmt: skip
    """Daily values over the patient's own baseline band (median ± spread), alert days marked."""
    data = frame.assign(low=frame["baseline_median"] - frame["baseline_spread"],
                        high=frame["baseline_median"] + frame["baseline_spread"])  # fmt: skip
    base = alt.Chart(data).encode(x=alt.X("day:T", title=None))
    band = base.mark_area(color=BAND, opacity=0.25).encode(
        y=alt.Y("low:Q", title=None, scale=alt.Scale(zero=False)), y2="high:Q",
        tooltip=[alt.Tooltip("baseline_median:Q", title="personal baseline", format=".1f")],
    )
    line = base.mark_line(color=LINE, point=alt.OverlayMarkDef(size=18)).encode(
        y="value:Q",
        tooltip=[alt.Tooltip("day:T", format="%d %b %Y"), alt.Tooltip("value:Q", format=".1f"),
                 alt.Tooltip("deviation:Q", title="vs baseline", format="+.1f")],
    )  # fmt: skip
    layers = [band, line]
    if threshold:
        layers.append(_threshold_layer(*threshold))
    if not alerts.empty:
        marks = alerts.assign(day=pd.to_datetime(alerts["triggered_at"], utc=True).dt.tz_localize(None).dt.normalize())
        marks = marks.merge(data[["day", "value"]].assign(day=pd.to_datetime(data["day"])), on="day", how="left")
        marks["value"] = marks["value"].fillna(data["value"].max())
        layers.append(alt.Chart(marks).mark_point(shape="triangle-down", size=140, filled=True).encode(
            x="day:T", y="value:Q",
            color=alt.Color("severity:N", scale=_severity_scale(), legend=None),
            tooltip=["rule_id:N", "severity:N", alt.Tooltip("triggered_at:T", format="%d %b %Y %H:%M")],
        ))  # fmt: skip
    return alt.layer(*layers).properties(title=title, height=180)


def _severity_scale() -> alt.Scale:
    return alt.Scale(domain=list(SEVERITY_COLOURS), range=list(SEVERITY_COLOURS.values()))


def timeline(events: pd.DataFrame) -> alt.LayerChart:
    """One row per kind of event: medicines as bars over their course, the rest as points."""
    data = events.assign(start_date=pd.to_datetime(events["start_date"]),
                         end_date=pd.to_datetime(events["end_date"]))  # fmt: skip
    kinds = alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values()))
    y = alt.Y("kind:N", title=None, sort=list(KIND_COLOURS), axis=alt.Axis(labelFontSize=12))
    tooltip = ["kind:N", "label:N", alt.Tooltip("start_date:T", title="from", format="%d %b %Y"),
               alt.Tooltip("end_date:T", title="to", format="%d %b %Y")]  # fmt: skip
    base = alt.Chart(data).encode(y=y, color=alt.Color("kind:N", scale=kinds, legend=None),
                                  tooltip=tooltip)  # fmt: skip
    courses = base.transform_filter("isValid(datum.end_date)").mark_bar(size=12, cornerRadius=3).encode(
        x=alt.X("start_date:T", title=None), x2="end_date:T")
    points = base.mark_point(filled=True, size=110, opacity=1).encode(x="start_date:T")
    labels = base.mark_text(align="left", dx=8, dy=-12, fontSize=11, color="#333333").encode(
        x="start_date:T", text="label:N")
    return alt.layer(courses, points, labels).properties(height=60 + 45 * data["kind"].nunique())


def qol_trajectories(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("months_bucket:Q", title="months since diagnosis (6-month bins; 60 = 60+)"),
        y=alt.Y("mean_score:Q", title="mean global health / QoL (0-100)", scale=alt.Scale(zero=False)),
        color=alt.Color("group:N", scale=alt.Scale(range=PALETTE), title=None),
        tooltip=["group:N", "months_bucket:Q", alt.Tooltip("mean_score:Q", format=".1f"), "n:N"],
    ).properties(height=320)  # fmt: skip


def share_bars(frame: pd.DataFrame, *, y: str, x: str, title: str, fmt: str = ".0%") -> alt.Chart:
    return alt.Chart(frame).mark_bar(color=LINE).encode(
        y=alt.Y(f"{y}:N", title=None, sort="-x"),
        x=alt.X(f"{x}:Q", title=title, axis=alt.Axis(format=fmt)),
        tooltip=[f"{y}:N", alt.Tooltip(f"{x}:Q", format=fmt)],
    ).properties(height=max(120, 28 * len(frame)))  # fmt: skip
