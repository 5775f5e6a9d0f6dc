"""Every query the dashboards run, in one place: cached, read-only, against the published snapshot.

Pages call these functions and never write SQL. The first argument is the snapshot file path: a
published file never changes, so (path, arguments) is a complete cache key and a new publication
is picked up at once. Identity (names, birth dates) comes from a separate file and only through
the `identity_*` functions, which only clinician pages call.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import cohort_sql
from dashboards.snapshot import columns, query, tables

TTL = 600


def has(path: str, *needed: str) -> bool:
    return set(needed) <= tables(path)


def _empty(*names: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(names))


# -- identity: clinician views only ---------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def identity_for_fhir_ids(identity_path: str, fhir_ids: tuple[str, ...]) -> pd.DataFrame:
    if not fhir_ids:
        return _empty("patient_key", "patient_id", "display_name", "birth_date", "centre")
    present = columns(identity_path, "identity.patient_identity")
    centre = "centre_id" if "centre_id" in present else "centre"
    return query(
        identity_path,
        f"""select patient_key, patient_id, display_name, birth_date, {centre} as centre
            from identity.patient_identity where patient_id in (select unnest(?::varchar[]))""",
        [list(fhir_ids)],
    )


# -- clinician: worklist and patient view ---------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def unresolved_alerts(path: str, patient_keys: tuple[str, ...]) -> pd.DataFrame:
    """Alerts still needing a clinician (open or acknowledged) for the given patients."""
    columns = ["alert_id", "patient_key", "rule_id", "rule_version", "severity", "triggered_at",
               "window_start", "window_end", "evidence", "status", "centre_id", "cancer_type"]  # fmt: skip
    if not patient_keys or not has(path, "marts.alerts", "marts.patients"):
        return _empty(*columns)
    return query(
        path,
        f"""select {", ".join("a." + c for c in columns[:10])}, p.centre_id, p.cancer_type
            from marts.alerts a join marts.patients p using (patient_key)
            where a.status <> 'resolved' and a.patient_key in (select unnest(?::varchar[]))""",
        [list(patient_keys)],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def patient_profile(path: str, patient_key: str) -> dict | None:
    if not has(path, "marts.patients"):
        return None
    rows = query(path, "select * from marts.patients where patient_key = ?", [patient_key])
    if rows.empty:
        return None
    profile = rows.iloc[0].to_dict()
    # The mart lists treatment kinds (surgery, chemotherapy, ...) apart from the treatments' codes.
    if profile.get("treatment_kinds") is not None:
        profile["treatments"] = profile["treatment_kinds"]
    return profile


@st.cache_data(ttl=TTL, show_spinner=False)
def patient_alerts(path: str, patient_key: str) -> pd.DataFrame:
    if not has(path, "marts.alerts"):
        return _empty("alert_id", "rule_id", "severity", "triggered_at", "evidence", "status")
    return query(
        path,
        """select alert_id, rule_id, rule_version, severity, triggered_at, window_start, window_end,
                  evidence, status
           from marts.alerts where patient_key = ? order by triggered_at desc""",
        [patient_key],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def patient_proms(path: str, patient_key: str) -> pd.DataFrame:
    if not has(path, "marts.prom_scores"):
        return _empty("instrument", "scale", "score", "band", "authored_at")
    return query(
        path,
        """select instrument, scale, score, band, authored_at from marts.prom_scores
           where patient_key = ? and score is not null order by authored_at""",
        [patient_key],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def patient_telemonitoring(path: str, patient_key: str) -> pd.DataFrame:
    """Daily values with the personal baseline band: median ± spread, where the spread is the
    robust standard deviation (1.4826 × MAD) when the mart keeps the MAD."""
    if not has(path, "marts.telemonitoring_daily"):
        return _empty("day", "metric", "value", "unit", "baseline_median", "baseline_spread")
    present = columns(path, "marts.telemonitoring_daily")
    spread = ("1.4826 * baseline_mad" if "baseline_mad" in present
              else "baseline_spread" if "baseline_spread" in present else "null::double")  # fmt: skip
    return query(
        path,
        f"""select day, metric, value, unit, baseline_median, {spread} as baseline_spread,
                   value - baseline_median as deviation
            from marts.telemonitoring_daily where patient_key = ? order by metric, day""",
        [patient_key],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def patient_timeline(path: str, patient_key: str) -> pd.DataFrame:
    """Diagnoses, procedures and medicines, one row per event: from the clinician mart
    patient_timeline, else (older snapshots) from the OMOP tables, which leave out patients who
    withdrew research consent."""
    if has(path, "marts.patient_timeline"):
        return query(path, """select kind, start_date, end_date, event_label as label from marts.patient_timeline
                              where patient_key = ? order by start_date""", [patient_key])
    parts = []
    if has(path, "omop.person", "omop.condition_occurrence"):
        parts.append("""select 'diagnosis' as kind, condition_start_date as start_date,
                               null::date as end_date, condition_source_value as label
                        from omop.condition_occurrence join person using (person_id)""")
    if has(path, "omop.person", "omop.procedure_occurrence"):
        parts.append("""select 'procedure', procedure_date, null::date, procedure_source_value
                        from omop.procedure_occurrence join person using (person_id)""")
    if has(path, "omop.person", "omop.drug_exposure"):
        parts.append("""select 'medication', drug_exposure_start_date, drug_exposure_end_date,
                               drug_source_value
                        from omop.drug_exposure join person using (person_id)""")
    if not parts:
        return _empty("kind", "start_date", "end_date", "label")
    return query(
        path,
        f"""with person as (select person_id from omop.person where person_source_value = ?)
            {" union all ".join(parts)} order by start_date""",
        [patient_key],
    )


# -- analysts: pseudonymised cohort cubes (see cohort_sql.py and suppression.py) ----------------


@st.cache_data(ttl=TTL, show_spinner=False)
def cohort_filter_options(path: str) -> dict[str, list[str]]:
    if not has(path, "marts.patients"):
        return {"centre_id": [], "cancer_type": [], "tsd_band": [], "treatment": []}
    frame = query(path, cohort_sql.filter_options_sql(path))
    return {dim: sorted(frame.loc[frame["dim"] == dim, "value"].dropna()) for dim in
            ("centre_id", "cancer_type", "tsd_band", "treatment")}  # fmt: skip


def cohort_cube(path: str, measure: str) -> pd.DataFrame:
    """The raw (unprotected) cube of one measure; only cohort.protected_cube, which caches the
    protected result, calls this, and only that result is ever shown."""
    needed = cohort_sql.REQUIRED_TABLES[measure]
    if not has(path, *needed):
        return pd.DataFrame()
    return query(path, cohort_sql.cube_sql(measure, path))


# -- data quality ----------------------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def quality_table(path: str, name: str) -> pd.DataFrame:
    """One of the pipeline's quality tables (schema `quality`), or an empty frame when absent."""
    sql = {
        "ge_results": "select * from quality.ge_results order by run_at desc, success",
        "quarantine_by_reason": """select file_kind, reason_code, count(*) as records,
                                          max(quarantined_at) as latest
                                   from quality.quarantine_records group by all
                                   order by records desc""",
        "freshness": """select file_kind as source, max(finished_at) as last_loaded,
                               sum(n_loaded) as records_loaded, count(*) as files,
                               count(*) filter (where status = 'rejected') as files_rejected
                        from quality.load_log group by all order by last_loaded""",
        "pipeline_runs": "select * from quality.pipeline_runs order by started_at desc limit 20",
    }[name]
    source = {"ge_results": "quality.ge_results", "quarantine_by_reason": "quality.quarantine_records",
              "freshness": "quality.load_log", "pipeline_runs": "quality.pipeline_runs"}[name]  # fmt: skip
    if not has(path, source):
        return pd.DataFrame()
    return query(path, sql)
