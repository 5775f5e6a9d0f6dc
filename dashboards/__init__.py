"""Streamlit dashboards: clinician telemonitoring and analyst outcomes, read from the published snapshot."""
