"""FHIR R4 helpers: validation at the edge, indexing for search, Bundles, the CapabilityStatement,
the Questionnaires generated from the instrument catalogue, and the patient summary (IPS)."""
