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


_SHA256_BLOCK = 64
_HEX_DIGEST = 64
# the models pass a few constant sources; a source per row would not fill memory
_SOURCES_KEPT = 256


def _keyed_states(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """HMAC-SHA256's inner and outer hash states after the padded key (RFC 2104), to copy per message:
    `hmac.new` derives them again for every message, more than half of its time."""
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def register(connection, key: bytes | None = None) -> None:
    """Register `pseudonym_key(source, identifier)` on a DuckDB connection.

    A vectorised (Arrow) function: a chunk of rows a call, not a Python call per row, and the HMAC
    states of the key and of each source prepared once (at 10,000 patients the 1.1 M response keys
    took 4.9 CPU s, now 1.6)."""
    # the backend, which only needs pseudonym_key(), does without numpy and pyarrow
    import numpy as np

    from ingestion.arrow_buffers import fixed_width_strings

    inner, outer = _keyed_states(key or secret_key())
    prefixed: dict[str | None, hashlib._Hash] = {}

    def _udf(sources, identifiers):  # Arrow arrays in, an Arrow array out
        digests = []
        nulls = bytearray()
        for source, identifier in zip(sources.to_pylist(), identifiers.to_pylist(), strict=True):
            if identifier is None or identifier == "":
                nulls.append(1)
                continue
            state = prefixed.get(source)
            if state is None:
                state = inner.copy()
                state.update(f"{source or ''}{_SEPARATOR}".encode())
                if len(prefixed) < _SOURCES_KEPT:
                    prefixed[source] = state
            message = state.copy()
            message.update(identifier.encode())
            digest = outer.copy()
            digest.update(message.digest())
            digests.append(digest.hexdigest())
            nulls.append(0)
        return fixed_width_strings(digests, _HEX_DIGEST, np.frombuffer(bytes(nulls), bool))

    connection.create_function(
        "pseudonym_key",
        _udf,
        ["VARCHAR", "VARCHAR"],
        "VARCHAR",
        type="arrow",
        null_handling="special",
        side_effects=False,
    )

