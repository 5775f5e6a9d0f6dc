"""The survivor app's backend: accounts, care teams, consent and audit (the core), plus the app's
modules (health record first), speaking FHIR R4 under /fhir."""
