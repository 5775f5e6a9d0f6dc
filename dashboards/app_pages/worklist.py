"""Clinician worklist: open alerts of the caller's care-team patients, most urgent and oldest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboards import access, data, ui, worklist
from dashboards.backend import ACTIONS, BackendError, NotAvailable
from dashboards.catalogue import SEVERITY_COLOURS, catalogue

account = access.require(access.CLINICIAN)
st.title("Alert worklist")
snap = ui.snapshot_or_stop()
if flash := st.session_state.pop("flash", None):
    st.success(flash, icon=":material/check_circle:")
cat = catalogue()
client = account.client()
session_actions: dict = st.session_state.setdefault("recorded_actions", {})

patients = access.my_patients(account, snap.identity_path)
if patients.empty:
    ui.empty("No patients are linked to your care teams yet: ask an administrator to add you to a team.")
    st.stop()

try:
    realtime = worklist.realtime_frame(client.realtime_alerts())
except NotAvailable:
    realtime = worklist.realtime_frame([])
except BackendError as exc:
    realtime = worklist.realtime_frame([])
    st.warning(f"Real-time alerts could not be loaded: {exc}")
snapshot_alerts = data.unresolved_alerts(snap.marts_path, tuple(patients["patient_key"]))
# The warehouse learns of acknowledgements at its next run; the backend knows them now.
with_alerts = patients[patients["patient_key"].isin(snapshot_alerts["patient_key"])
                       | patients["patient_id"].isin(realtime["patient_id"])]  # fmt: skip
reviews: list[dict] = []
try:
    reviews = client.alert_actions_of(list(with_alerts["patient_id"]))
except BackendError as exc:
    st.warning(f"Recent acknowledgements could not be loaded, so some alerts may already be handled: {exc}")
actions = worklist.latest_actions(reviews)
actions.update(session_actions)

table = worklist.build(snapshot_alerts, realtime, patients, actions,
                       now=datetime.now(UTC), cat=cat)  # fmt: skip

with st.container(horizontal=True):
    st.metric("Alerts needing action", len(table))
    st.metric("Urgent", int((table["severity"] == "urgent").sum()))
    st.metric("Past the escalation deadline", int((table["escalates_in_hours"] < 0).sum()))
    st.metric("Patients in my teams", len(patients))

filters = st.columns(3)
centres = filters[0].multiselect("Centre", sorted(table["centre"].dropna().unique()))
teams = filters[1].multiselect(
    "Care team", sorted({t.strip() for v in patients["teams"] for t in v.split(",") if t.strip()})
)
rules = filters[2].multiselect("Rule", sorted(table["rule_id"].dropna().unique()))
shown = table
if centres:
    shown = shown[shown["centre"].isin(centres)]
if teams:
    shown = shown[shown["teams"].apply(lambda v: any(t in v for t in teams))]
if rules:
    shown = shown[shown["rule_id"].isin(rules)]

if shown.empty:
    ui.empty("No open alerts for these filters. Well done.")
    st.stop()

display = pd.DataFrame({
    "Severity": shown["severity"],
    "Patient": shown["patient"],
    "Alert": shown["rule"],
    "Raised": shown["age_hours"].map(worklist.age_text) + " ago",
    "Escalates": shown["escalates_in_hours"].map(worklist.escalation_text),
    "Status": shown["status"] + shown["assigned_to"].map(lambda a: f" → {a}" if a else ""),
    "Why": shown["evidence"].map(worklist.evidence_text),
    "Centre": shown["centre"],
    "Source": shown["source"],
})  # fmt: skip


def _severity_style(value: str) -> str:
    colour = SEVERITY_COLOURS.get(value)
    return f"background-color: {colour}; color: white; font-weight: 600" if colour else ""


st.dataframe(
    display.style.map(_severity_style, subset=["Severity"]),
    hide_index=True, width="stretch", height=min(38 + 35 * len(display), 460),
    column_config={
        "Severity": st.column_config.TextColumn(width="small"),
        "Alert": st.column_config.TextColumn(width="medium"),
        "Escalates": st.column_config.TextColumn(width="medium", help="Time left before an "
                                                 "unacknowledged urgent or high alert escalates"),
        "Why": st.column_config.TextColumn(width="large"),
    },
)  # fmt: skip

st.subheader("Act on an alert")
labels = {
    row.alert_id: f"{row.severity.upper()} · {row.patient} · {row.rule_id} · {worklist.age_text(row.age_hours)} ago"
    for row in shown.itertuples()
}
chosen = st.selectbox("Alert", list(labels), format_func=labels.get, key="worklist_alert")
row = shown[shown["alert_id"] == chosen].iloc[0]
if st.button("Open patient view", icon=":material/person:"):
    st.session_state["patient_key"] = row["patient_key"]
    st.switch_page("app_pages/patient_view.py")

with st.form("alert_action", clear_on_submit=True):
    action = st.radio("Action", ACTIONS, horizontal=True, format_func=str.capitalize)
    note = st.text_area("Note (kept in the audit trail)", max_chars=2000)
    assignee = st.number_input("Assign to: the colleague's account number (same care team)",
                               min_value=1, step=1, value=None)
    submitted = st.form_submit_button("Record action", type="primary")
if submitted:
    if not note.strip():
        st.error("Add a note saying what you did or why.")
    elif action == "assign" and not assignee:
        st.error("Enter the account number of the colleague to assign this alert to.")
    else:
        try:
            client.record_action(chosen, patient_id=row["patient_id"], action=action,
                                 note=note.strip(),
                                 assignee=int(assignee) if action == "assign" else None)  # fmt: skip
        except BackendError as exc:
            ui.show_error(exc)
        else:
            session_actions[chosen] = {"alert_id": chosen, "action": action,
                                       "assignee": f"account {int(assignee)}" if assignee else None}
            st.session_state["flash"] = f"Recorded: {action} for {row['patient']} ({row['rule_id']})."
            st.rerun()
