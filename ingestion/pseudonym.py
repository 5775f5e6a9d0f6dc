"""Pseudonymous patient keys (ARCHITECTURE.md decision 7).

The warehouse keys every patient by HMAC-SHA256(secret key, source + identifier), so analytical marts
never carry a direct identifier and the key cannot be recomputed without the secret. The same function
runs inside DuckDB as the SQL function `pseudonym_key(source, identifier)`, registered on every dbt
connection by the dbt-duckdb plugin `ingestion.sql_functions`.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_ENV = "PSEUDONYM_KEY"
# Only for laptops, demos and tests: anyone can recompute keys made with it, hence the name.
DEVELOPMENT_ONLY_KEY = "development-only-insecure-pseudonym-key"
# Keeps ("ab", "c") and ("a", "bc") apart: the separator cannot occur in a FHIR id or system URI.
_SEPARATOR = "\x1f"


class PseudonymKeyMissing(RuntimeError):
    """Production without PSEUDONYM_KEY: refuse rather than silently use a guessable key."""


def secret_key() -> bytes:
    """The HMAC key: PSEUDONYM_KEY, else the development key outside production."""
    key = os.environ.get(KEY_ENV, "")
    if key:
        return key.encode("utf-8")
    if os.environ.get("PLATFORM_ENV", "").strip().lower() == "production":
        raise PseudonymKeyMissing(
            f"{KEY_ENV} is not set: set it to the centre's secret pseudonymisation key (PLATFORM_ENV=production)"
        )
    return DEVELOPMENT_ONLY_KEY.encode("utf-8")


def pseudonym_key(source: str | None, identifier: str | None, key: bytes | None = None) -> str | None:
    """Hex HMAC-SHA256 of source + identifier; None when the identifier is missing."""
    if identifier is None or identifier == "":
        return None
    message = f"{source or ''}{_SEPARATOR}{identifier}".encode()
    return hmac.new(key or secret_key(), message, hashlib.sha256).hexdigest()


def register(connection, key: bytes | None = None) -> None:
    """Register `pseudonym_key(source, identifier)` on a DuckDB connection."""
    bound_key = key or secret_key()

    def _udf(source: str | None, identifier: str | None) -> str | None:
        return pseudonym_key(source, identifier, bound_key)

    connection.create_function(
        "pseudonym_key",
        _udf,
        ["VARCHAR", "VARCHAR"],
        "VARCHAR",
        null_handling="special",
        side_effects=False,
    )

