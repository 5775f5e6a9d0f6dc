"""Sign in with a platform account (the backend's; clinicians and analysts are created by admins)."""

from __future__ import annotations

import streamlit as st

from dashboards import access, ui

st.title("Survivorship platform")
st.write("Telemonitoring worklists for care teams; pseudonymised outcomes for analysts.")

with st.form("sign_in", border=True):
    email = st.text_input("Email", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    if not email or not password:
        st.error("Enter your email and password.")
    else:
        try:
            access.sign_in(email, password)
        except (access.BackendError, access.AccessDenied) as exc:
            ui.show_error(exc)
        else:
            st.rerun()
