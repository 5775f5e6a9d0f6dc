"""Defences against hostile archives and XML: checked before anything is read or loaded."""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from ingestion.load.report import Rejected

MAX_UNCOMPRESSED_BYTES = 64 << 30  # an Apple Health export of several GB is normal; 64 GiB is not
MAX_COMPRESSION_RATIO = 200  # export.xml deflates ~10-30x; bombs reach 1000x and more
MAX_ENTRIES = 100_000


def _unsafe_name(name: str) -> bool:
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    return (posix.is_absolute() or windows.is_absolute() or bool(windows.drive)
            or ".." in posix.parts or ".." in windows.parts)


def check_zip(archive: zipfile.ZipFile) -> None:
    """Reject the whole archive on path traversal, bombs or absurd sizes (nothing is extracted
    to disk anyway: entries are streamed)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Rejected(f"zip archive with {len(infos)} entries (more than {MAX_ENTRIES})")
    total = 0
    for info in infos:
        if _unsafe_name(info.filename):
            raise Rejected(f"zip entry {info.filename!r} has an absolute or '../' path")
        total += info.file_size
        if info.file_size > (1 << 20) and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise Rejected(f"zip entry {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}x "
                           f"(a zip bomb?); the limit is {MAX_COMPRESSION_RATIO}x")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise Rejected(f"zip archive expands to {total >> 30} GiB (more than {MAX_UNCOMPRESSED_BYTES >> 30} GiB)")


class BoundedReader:
    """Wraps a stream; refuses to yield more than `limit` bytes (a zip entry lying about its size
    or a decompressor fed a crafted stream cannot run away)."""

    def __init__(self, stream, limit: int):
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(1 << 20 if size is None or size < 0 else size)
        self.left -= len(data)
        if self.left < 0:
            raise Rejected("zip entry is larger than it declares (a zip bomb?)")
        return data
