"""The one exception a ViewDefinition problem raises, whether found when compiling or when running."""

from __future__ import annotations

from ingestion.errors import IngestionError

# Runtime checks inside the compiled SQL (e.g. a column that must hold one value holding two) call
# DuckDB's error(); run_view recognises this prefix and re-raises the message as ViewDefinitionError.
RUNTIME_ERROR_PREFIX = "ViewDefinition error: "


class ViewDefinitionError(IngestionError):
    """A ViewDefinition is invalid or its FHIRPath cannot be compiled; the message says what to fix."""
