"""The clinician worklist: snapshot alerts and the backend's real-time alerts, with the backend's
latest actions applied, ranked by severity, unacknowledged first, then age, with the time left
before escalation."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from dashboards.catalogue import SEVERITY_RANK, Catalogue

COLUMNS = ["alert_id", "patient_key", "patient_id", "patient", "centre", "teams", "rule_id",
           "rule", "severity", "triggered_at", "status", "assigned_to", "source", "age_hours",
           "escalates_in_hours", "evidence"]  # fmt: skip


def _first(record: dict, *keys: str):
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def realtime_frame(alerts: list[dict]) -> pd.DataFrame:
    """Alerts the backend raised on submission (FEVER, SPO2-LOW, PHQ9-ITEM9), in mart shape."""
    rows = [{
        "alert_id": str(_first(a, "alert_id", "id")),
        "patient_id": _first(a, "patient_id", "patient"),
        "rule_id": _first(a, "rule_id", "rule"),
        "severity": str(_first(a, "severity") or "high").lower(),
        "triggered_at": _first(a, "triggered_at", "raised_at", "created_at"),
        "status": str(_first(a, "status") or "open").lower(),
        "evidence": a.get("evidence"),
        "source": "app (real time)",
    } for a in alerts if _first(a, "alert_id", "id")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["alert_id", "patient_id", "rule_id", "severity",
                                        "triggered_at", "status", "evidence", "source"])  # fmt: skip
    frame["triggered_at"] = pd.to_datetime(frame["triggered_at"], utc=True, errors="coerce")
    return frame


# The backend keeps one FHIR Task per alert; its status says where the review stands.
TASK_STATUS_ACTION = {"accepted": "acknowledge", "completed": "resolve", "received": "assign",
                      "in-progress": "acknowledge"}  # fmt: skip


def action_from_task(task: dict) -> dict | None:
    alert_id = ((task.get("focus") or {}).get("identifier") or {}).get("value")
    action = TASK_STATUS_ACTION.get(str(task.get("status")))
    if not alert_id or not action:
        return None
    owner = (task.get("owner") or {}).get("display")
    return {"alert_id": alert_id, "action": action, "assignee": owner,
            "at": task.get("lastModified")}  # fmt: skip


def latest_actions(actions: list[dict]) -> dict[str, dict]:
    """alert_id -> its latest review state, from the backend's Tasks (or plain action records)."""
    latest: dict[str, dict] = {}
    normalised = [action_from_task(a) if a.get("resourceType") == "Task" else a for a in actions]
    for action in sorted((a for a in normalised if a), key=lambda a: str(_first(a, "at", "created_at") or "")):
        if _first(action, "alert_id"):
            latest[str(action["alert_id"])] = action
    return latest


def build(
    snapshot_alerts: pd.DataFrame,
    realtime: pd.DataFrame,
    patients: pd.DataFrame,
    actions: dict[str, dict],
    *,
    now: datetime,
    cat: Catalogue,
) -> pd.DataFrame:
    """One row per unresolved alert of the given patients (identity rows with `teams`)."""
    from_snapshot = snapshot_alerts.assign(source="warehouse")
    from_snapshot["triggered_at"] = pd.to_datetime(from_snapshot["triggered_at"], utc=True)
    keyed = patients[["patient_key", "patient_id", "display_name", "centre", "teams"]]
    from_snapshot = from_snapshot.merge(keyed, on="patient_key", how="inner")
    live = realtime.merge(keyed, on="patient_id", how="inner")
    live = live[~live["alert_id"].isin(from_snapshot["alert_id"])]
    merged = pd.concat([from_snapshot, live], ignore_index=True)
    if merged.empty:
        return pd.DataFrame(columns=COLUMNS)
    merged = merged.rename(columns={"display_name": "patient"})
    merged["assigned_to"] = None
    for index, alert_id in merged["alert_id"].items():
        action = actions.get(str(alert_id))
        if not action:
            continue
        kind = str(action.get("action", "")).lower()
        if kind == "resolve":
            merged.at[index, "status"] = "resolved"
        elif kind == "acknowledge":
            merged.at[index, "status"] = "acknowledged"
        elif kind == "assign":
            merged.at[index, "assigned_to"] = action.get("assignee")
    merged = merged[merged["status"] != "resolved"].copy()
    stamp = pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now, tz="UTC")
    merged["age_hours"] = (stamp - merged["triggered_at"]).dt.total_seconds() / 3600
    escalating = merged["severity"].isin(cat.escalating_severities) & (merged["status"] == "open")
    merged["escalates_in_hours"] = (cat.escalation_hours - merged["age_hours"]).where(escalating)
    merged["rule"] = merged["rule_id"].map(cat.title)
    merged["rank"] = merged["severity"].map(SEVERITY_RANK).fillna(len(SEVERITY_RANK))
    # Within a severity, alerts nobody has acknowledged yet come first, then the oldest.
    merged["waiting"] = merged["status"] != "open"
    merged = merged.sort_values(["rank", "waiting", "triggered_at"], ascending=[True, True, True])
    return merged[COLUMNS].reset_index(drop=True)


def escalation_text(hours: float | None) -> str:
    if hours is None or pd.isna(hours):
        return "—"
    minutes = int(abs(hours) * 60)
    span = f"{minutes // 1440} d" if minutes >= 2880 else f"{minutes // 60} h {minutes % 60:02d} min"
    return f"overdue by {span}" if hours < 0 else f"in {span}"


def age_text(hours: float) -> str:
    if pd.isna(hours):
        return "—"
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} d"


def evidence_text(evidence) -> str:
    """Why an alert fired, in one readable line, from its evidence JSON."""
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            return evidence
    if not isinstance(evidence, dict) or not evidence:
        return "no evidence recorded"
    if evidence.get("escalated_rule_id"):
        hours = evidence.get("ack_hours")
        within = f" within {hours:g} h" if isinstance(hours, (int, float)) else ""
        return f"{evidence['escalated_rule_id']} alert not acknowledged{within}"
    parts = []
    for key, value in evidence.items():
        if key.endswith(("_id", "_ids")):
            continue  # internal identifiers say nothing to a clinician
        parts.append(f"{key.replace('_', ' ')}: {_readable(value)}")
    return "; ".join(parts)


def _readable(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return " ".join(f"{k.replace('_', ' ')} {_readable(v)}" for k, v in value.items()
                        if not k.endswith("_id"))  # fmt: skip
    if isinstance(value, list):
        return ", ".join(_readable(v) for v in value)
    return str(value)
