"""Entry point: `streamlit run dashboards/app.py`. Sign-in, then the pages the account's role allows.

Pages are registered per role, and each page checks the role again itself, so a page that is not
in the menu cannot be reached by its URL either.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this folder, not the repository, on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboards import access, ui

st.set_page_config(page_title="Survivorship platform", page_icon=":material/monitor_heart:",
                   layout="wide")  # fmt: skip
st.set_option("client.showErrorDetails", "none")

PAGES = {
    "sign_in": st.Page("app_pages/sign_in.py", title="Sign in", icon=":material/login:"),
    "worklist": st.Page("app_pages/worklist.py", title="Alert worklist",
                        icon=":material/notifications_active:", url_path="worklist"),
    "patient": st.Page("app_pages/patient_view.py", title="Patient view",
                       icon=":material/person:", url_path="patient"),
    "outcomes": st.Page("app_pages/cohort_outcomes.py", title="Cohort outcomes",
                        icon=":material/monitoring:", url_path="outcomes"),
    "quality": st.Page("app_pages/data_quality.py", title="Data quality",
                       icon=":material/fact_check:", url_path="quality"),
}  # fmt: skip
ROLE_PAGES = {
    access.CLINICIAN: ["worklist", "patient"],
    access.ANALYST: ["outcomes", "quality"],
    access.ADMIN: ["outcomes", "quality"],
}

account = access.current()
if account is None:
    navigation = st.navigation([PAGES["sign_in"]], position="hidden")
else:
    navigation = st.navigation([PAGES[name] for name in ROLE_PAGES[account.role]])
    with st.sidebar:
        st.caption(f"Signed in as **{account.name or account.email}** ({account.role})")
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            access.sign_out()
            st.rerun()

try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - a user never sees a traceback, only one line
    ui.show_error(exc)
