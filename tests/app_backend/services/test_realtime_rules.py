"""Real-time rules read every threshold from the catalogue: change the CSV, the rule follows."""

import csv
import shutil

from app_backend.config import REPO_ROOT
from app_backend.services import catalogue, realtime_rules

CATALOGUE = REPO_ROOT / "dbt_project" / "seeds" / "catalogue"


def _temperature(value: float, unit: str = "Cel") -> dict:
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
            "valueQuantity": {"value": value, "code": unit}}


def test_only_rules_marked_for_submission_are_evaluated_here():
    rules = catalogue.rules(CATALOGUE)
    on_submission = {r.rule_id for r in rules.values() if r.evaluated_on_submission}
    assert on_submission == {"FEVER", "SPO2-LOW", "PHQ9-ITEM9"}
    assert set(realtime_rules.EVALUATORS) == on_submission


def test_a_centre_can_tune_thresholds_per_default_and_per_patient(tmp_path):
    tuned = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, tuned)
    params = tuned / "alert_rule_params.csv"
    rows = list(csv.DictReader(params.open()))
    for row in rows:
        if row["rule_id"] == "FEVER":
            row["value"] = "38.5"
    rows.append({"rule_id": "FEVER", "rule_version": "1", "param": "temperature_min", "value": "37.5",
                 "unit": "Cel", "scope": "patient", "scope_id": "fragile-patient"})
    with params.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert realtime_rules.evaluate(tuned, _temperature(38.2), "someone") == []
    assert [f.rule.rule_id for f in realtime_rules.evaluate(tuned, _temperature(38.5), "someone")] == ["FEVER"]
    assert [f.rule.rule_id for f in realtime_rules.evaluate(tuned, _temperature(37.6), "fragile-patient")] == ["FEVER"]


def test_entered_in_error_and_unknown_units_never_alert():
    error = {**_temperature(40), "status": "entered-in-error"}
    assert realtime_rules.evaluate(CATALOGUE, error, "p") == []
    assert realtime_rules.evaluate(CATALOGUE, _temperature(40, "K"), "p") == []
    fahrenheit = realtime_rules.evaluate(CATALOGUE, _temperature(100.4, "[degF]"), "p")
    assert fahrenheit[0].evidence["temperature_cel"] == 38.0


def test_newest_rule_version_wins(tmp_path):
    tuned = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, tuned)
    with (tuned / "alert_rules.csv").open("a") as handle:
        handle.write("FEVER,2,urgent,Temperature >= 37.8 Cel,local policy,true\n")
    with (tuned / "alert_rule_params.csv").open("a") as handle:
        handle.write("FEVER,2,temperature_min,37.8,Cel,default,\n")
    findings = realtime_rules.evaluate(tuned, _temperature(37.9), "p")
    assert [(f.rule.rule_id, f.rule.version) for f in findings] == [("FEVER", 2)]
