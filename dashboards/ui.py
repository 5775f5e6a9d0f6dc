"""Shared page helpers: one-line errors instead of tracebacks, empty states, the snapshot banner."""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from dashboards.access import AccessDenied
from dashboards.backend import BackendError
from dashboards.snapshot import Snapshot, SnapshotUnavailable, current_snapshot

log = logging.getLogger("dashboards")
EXPECTED = (SnapshotUnavailable, BackendError, AccessDenied)


def one_line(exc: BaseException) -> str:
    """What a user reads when something fails: our own messages as they are, anything else as a
    short reference to the server log (which has the traceback)."""
    if isinstance(exc, EXPECTED):
        return str(exc).splitlines()[0] if str(exc) else "The request could not be completed."
    reference = uuid.uuid4().hex[:8]
    log.exception("dashboard error (reference %s)", reference)
    return (
        "Something went wrong showing this part of the page: reload it, and if it persists "
        f"tell your administrator (reference {reference})."
    )


def show_error(exc: BaseException) -> None:
    st.error(one_line(exc), icon=":material/error:")


def snapshot_or_stop() -> Snapshot:
    try:
        snap = current_snapshot()
    except SnapshotUnavailable as exc:
        st.info(str(exc), icon=":material/hourglass_empty:")
        st.stop()
    st.caption(f"Read-only view of the warehouse, {snap.label}.")
    return snap


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


class section:
    """`with section("Title"):` renders a subheader; a failure inside shows one line and the rest
    of the page still renders."""

    def __init__(self, title: str | None = None) -> None:
        self.title = title

    def __enter__(self):
        if self.title:
            st.subheader(self.title)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or not isinstance(exc, Exception):
            return False  # st.stop / st.rerun (BaseException) pass through
        show_error(exc)
        return True
