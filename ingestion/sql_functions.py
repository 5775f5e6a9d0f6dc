"""The SQL functions dbt's models call, registered on every connection dbt opens.

A dbt-duckdb plugin (profiles.yml: `plugins: [{module: ingestion.sql_functions}]`):
- `pseudonym_key(source, identifier)`: the pseudonymous key (`ingestion.pseudonym`);
- `rolling_baseline(days, values, window_days)`: the patient's own rolling median and MAD
  (`ingestion.rolling_baseline`).
"""

from __future__ import annotations

from ingestion import pseudonym, rolling_baseline


def register(connection) -> None:
    """Register every function the models call on a DuckDB connection."""
    pseudonym.register(connection)
    rolling_baseline.register(connection)


def __getattr__(name: str):
    # dbt-duckdb looks up `Plugin` on this module; building the class lazily keeps dbt out of the
    # import path of everything else (the backend and loaders only need pseudonym_key).
    if name == "Plugin":
        from dbt.adapters.duckdb.plugins import BasePlugin

        class Plugin(BasePlugin):
            """dbt-duckdb plugin: registers the models' SQL functions on every connection dbt opens."""

            def configure_connection(self, conn) -> None:
                register(conn)

        globals()["Plugin"] = Plugin
        return Plugin
    raise AttributeError(name)
