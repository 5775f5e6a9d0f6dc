"""What a load tells its caller: one FileReport per file, and the quarantine reason codes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Reason codes stored in quarantine.records.reason_code, with the sentence stored beside them.
REASONS = {
    "invalid-json": "not valid JSON (truncated or malformed record)",
    "not-an-object": "the record is JSON but not a JSON object",
    "wrong-resource-type": "resourceType missing, unknown, or not the type this file declares",
    "missing-id": "the resource has no valid id",
    "missing-subject": "the resource does not say which patient it belongs to",
    "impossible-date": "a date is unparseable, before 1900 or in the future",
    "unknown-unit": "the unit cannot be converted to the unit in CLINICAL_SPEC.md",
    "impossible-value": "the value is physiologically impossible or not a number",
    "unknown-measure": "the record names a measure the platform does not know",
    "missing-value": "the record has no value",
    "malformed-record": "the record lacks fields its format requires",
}


class Rejected(Exception):
    """The file cannot be read at all: it is rejected whole and nothing of it is kept."""


@dataclass
class FileReport:
    path: str
    kind: str | None = None
    load_id: str | None = None
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    rejected: bool = False
    message: str = ""
    duration_s: float = 0.0
    reasons: Counter = field(default_factory=Counter)  # quarantine reason code -> count
    skipped: int = 0  # records of kinds the platform does not model (e.g. Apple active energy)

    def summary(self) -> str:
        name = Path(self.path).name
        if self.rejected:
            return f"{name}: REJECTED ({self.kind or 'unknown kind'}): {self.message}"
        text = (f"{name} [{self.kind}]: {self.loaded} loaded, {self.duplicates} duplicate, "
                f"{self.quarantined} quarantined")
        if self.reasons:
            text += " (" + ", ".join(f"{code}: {n}" for code, n in sorted(self.reasons.items())) + ")"
        if self.skipped:
            text += f", {self.skipped} not modelled"
        if self.message:
            text += f"; {self.message}"
        return text + f" in {self.duration_s:.2f}s"
