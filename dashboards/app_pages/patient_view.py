"""Patient view (clinicians, own care teams only): who, diagnosis and treatment, medications,
alerts and why they fired, PROM trajectories, telemonitoring, messages and the IPS export."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboards import access, clinical, data, patient_charts, ui, worklist
from dashboards.backend import BackendError, NotAvailable
from dashboards.catalogue import catalogue

account = access.require(*access.PATIENT_VIEW_ROLES)


def _day(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


st.title("Patient view")
snap = ui.snapshot_or_stop()
cat = catalogue()

patients = access.my_patients(account, snap.identity_path)
if patients.empty:
    ui.empty("No patients are linked to your care teams yet.")
    st.stop()
keys = list(patients["patient_key"])
requested = st.query_params.get("patient") or st.session_state.get("patient_key")
if requested and requested not in keys:
    # Defence in depth: the list only offers the caller's patients, but a URL can name anyone.
    ui.show_error(access.AccessDenied("This patient is not in your care teams."))
    st.stop()
names = dict(zip(patients["patient_key"], patients["display_name"] + " · " + patients["patient_id"]))
patient_key = st.selectbox("Patient", keys, index=keys.index(requested) if requested else 0,
                           format_func=names.get)  # fmt: skip
st.session_state["patient_key"] = patient_key
who = access.authorise_patient(account, snap.identity_path, patient_key)
profile = data.patient_profile(snap.marts_path, patient_key) or {}

st.header(who["display_name"])
cancer = ", stage ".join(str(v) for v in (profile.get("cancer_type"), profile.get("stage")) if v) or "—"
born = pd.Timestamp(who["birth_date"]).date() if who.get("birth_date") is not None else "—"
facts = [f"Born **{born}**", f"Centre **{who['centre'] or '—'}**",
         f"Cancer **{cancer}**", f"**{profile.get('months_since_diagnosis', '—')}** months since diagnosis",
         f"FHIR id `{who['patient_id']}`"]  # fmt: skip
treatments = profile.get("treatments")
if treatments is not None and len(treatments):
    facts.append("Treatments **" + ", ".join(str(t) for t in treatments) + "**")
if who.get("teams"):
    facts.append(f"Care team **{who['teams']}**")
st.markdown(" · ".join(facts))

alerts = data.patient_alerts(snap.marts_path, patient_key)
with ui.section("Alerts and why they fired"):
    if alerts.empty:
        ui.empty("No alerts for this patient.")
    for row in alerts.head(12).itertuples():
        icon = ":material/priority_high:" if row.status != "resolved" else ":material/check:"
        title = f"{row.severity.upper()} · {cat.title(row.rule_id)} · {pd.Timestamp(row.triggered_at):%d %b %Y %H:%M} · {row.status}"
        with st.expander(title, icon=icon, expanded=row.status == "open"):
            st.write(f"**Reason:** {worklist.evidence_text(row.evidence)}")
            st.caption(f"Rule {row.rule_id} version {row.rule_version}; looked at "
                       f"{_day(row.window_start)} to {_day(row.window_end)}. Evidence base: "
                       f"{cat.rules[row.rule_id].evidence if row.rule_id in cat.rules else '—'}.")  # fmt: skip

left, right = st.columns([3, 2])
with left, ui.section("Diagnosis and treatment"):
    events = data.patient_timeline(snap.marts_path, patient_key)
    spec = patient_charts.timeline(snap.marts_path, patient_key)
    if spec is None:
        ui.empty("No diagnoses, procedures or medicines in the warehouse for this patient.")
    else:
        st.vega_lite_chart(spec=spec, width="stretch")
with right, ui.section("Medications"):
    meds = events[events["kind"] == "medication"] if not events.empty else events
    if meds.empty:
        ui.empty("No medications recorded.")
    else:
        st.dataframe(meds[["label", "start_date", "end_date"]].rename(columns={
            "label": "Medicine", "start_date": "From", "end_date": "Until"}), hide_index=True,
            column_config={"From": st.column_config.DateColumn(format="D MMM YYYY"),
                           "Until": st.column_config.DateColumn(format="D MMM YYYY")})  # fmt: skip

with ui.section("Patient-reported outcomes"):
    proms = data.patient_proms(snap.marts_path, patient_key)
    if proms.empty:
        ui.empty("No questionnaires answered yet.")
    else:
        instruments = sorted(proms["instrument"].unique())
        instrument = st.segmented_control(
            "Questionnaire", instruments, default=instruments[0],
            format_func=lambda i: clinical.INSTRUMENT_LABELS.get(i, i), key="prom_instrument",
        ) or instruments[0]
        chosen = proms[proms["instrument"] == instrument]
        scales = list(dict.fromkeys(chosen["scale"]))
        if instrument == "qlq-c30":
            scales = st.multiselect("Scales", scales, default=[s for s in ("QL", "PF", "EF", "FA") if s in scales])
        grid = st.columns(2)
        specs = patient_charts.prom(snap.marts_path, patient_key, instrument, tuple(scales))
        for i, spec in enumerate(specs):
            grid[i % 2].vega_lite_chart(spec=spec, width="stretch")

with ui.section("Telemonitoring"):
    specs = patient_charts.telemonitoring(snap.marts_path, patient_key)
    if not specs:
        ui.empty("No device data received for this patient.")
    else:
        st.caption("Line: daily value. Shaded: the patient's own baseline (median ± spread of the "
                   "previous 28 days). Triangles: alerts, coloured by severity. Dashed: alert threshold.")  # fmt: skip
        grid = st.columns(2)
        for i, spec in enumerate(specs):
            grid[i % 2].vega_lite_chart(spec=spec, width="stretch")

client = account.client()
with ui.section("Messages"):
    try:
        threads = client.threads(who["patient_id"])
    except NotAvailable:
        ui.empty("Secure messaging is not available on this platform yet.")
        threads = None
    for thread in (threads or [])[:3]:
        waiting = f" · awaiting {thread['awaiting']}" if thread.get("awaiting") else ""
        st.markdown(f"**{thread.get('subject') or 'Conversation'}**{waiting}")
        for message in client.thread_messages(str(thread.get("id")))[-5:]:
            with st.chat_message("user" if message.get("sender_role") == "patient" else "assistant"):
                st.write(message.get("body") or "")
                st.caption(f"{message.get('sender_role', '')} · {_day(message.get('sent_at'))}")
        with st.form(f"reply_{thread.get('id')}", clear_on_submit=True):
            text = st.text_area("Reply", max_chars=5000, key=f"reply_text_{thread.get('id')}")
            if st.form_submit_button("Send reply") and text.strip():
                try:
                    client.reply(str(thread.get("id")), text.strip())
                except BackendError as exc:
                    ui.show_error(exc)
                else:
                    st.rerun()
    if threads is not None and not threads:
        ui.empty("No conversations with this patient yet.")
        with st.form("start_thread", clear_on_submit=True):
            subject = st.text_input("Subject", max_chars=200)
            text = st.text_area("Message", max_chars=5000)
            if st.form_submit_button("Start conversation") and subject.strip() and text.strip():
                try:
                    client.start_thread(who["patient_id"], subject.strip(), text.strip())
                except BackendError as exc:
                    ui.show_error(exc)
                else:
                    st.rerun()

with ui.section("International Patient Summary"):
    st.caption("A FHIR IPS document for care elsewhere in Europe; fetching it is recorded in the audit trail.")
    if st.button("Prepare IPS export", icon=":material/description:"):
        try:
            st.session_state["ips"] = (patient_key, client.patient_summary(who["patient_id"]))
        except BackendError as exc:
            ui.show_error(exc)
    prepared = st.session_state.get("ips")
    if prepared and prepared[0] == patient_key:
        st.download_button("Download IPS (FHIR JSON)", json.dumps(prepared[1], indent=2),
                           file_name=f"ips-{who['patient_id']}.json", mime="application/fhir+json",
                           icon=":material/download:")  # fmt: skip
