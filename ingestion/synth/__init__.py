"""Synthetic survivorship cohort: every format the platform ingests, with a labelled ground truth.

`python -m ingestion synth --patients N --days D --out DIR [--seed S] [--end-date YYYY-MM-DD]`
writes this tree (a contract the loaders, DAGs, tests and demo rely on):

    DIR/fhir/bulk/manifest.json            FHIR Bulk Data manifest (relative file urls)
    DIR/fhir/bulk/<ResourceType>.ndjson    Patient, Organization, Condition, Procedure,
                                           MedicationStatement, AllergyIntolerance,
                                           Observation, QuestionnaireResponse
    DIR/fhir/bundles/<patient-id>.json     hospital export: one transaction Bundle per patient
                                           (the same resources, byte-identical, as in bulk)
    DIR/devices/open-mhealth/patient=<id>/<n>.json    JSON arrays of IEEE 1752.1 data points
    DIR/devices/apple-health/patient=<id>/export.zip  apple_health_export/export.xml
    DIR/devices/csv/patient=<id>/<vendor>-<kind>.csv  home blood pressure and scale exports
    DIR/ground_truth/episodes.csv          injected episodes and the alert rules they must fire
    DIR/app/resources.json                 resource library catalogue
    DIR/app/community_posts.json           community groups, posts and replies
    DIR/app/interactions.csv               library views, completions and ratings

Each telemonitoring measurement of a patient arrives through exactly one route (FHIR, Open mHealth,
Apple Health or vendor CSV), so no reading is counted twice downstream. The output is a pure
function of the arguments: the same arguments give a byte-identical tree.
"""
