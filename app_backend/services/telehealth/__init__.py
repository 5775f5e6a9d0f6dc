"""Telehealth: secure messaging with the care team and teleconsultations."""

MODULE = "telehealth"
