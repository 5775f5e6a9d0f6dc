"""Arrow arrays to and from numpy through their buffers, for the SQL functions dbt's models call.

Not `pa.array` or `to_numpy`: those import pandas, which costs about a second of every dbt run that
calls a function using them (`ingestion.rolling_baseline`, `ingestion.pseudonym`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def to_numpy(array: pa.Array, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """The values of a primitive Arrow array (read-only, over its buffer) and a mask of its nulls."""
    start, length = array.offset, len(array)
    validity, data = array.buffers()[:2]
    if not length:
        return np.empty(0, dtype), np.zeros(0, bool)
    numbers = np.frombuffer(data, dtype=dtype, count=start + length)[start:]
    if array.null_count == 0:
        return numbers, np.zeros(length, bool)
    valid = np.unpackbits(np.frombuffer(validity, np.uint8), count=start + length, bitorder="little")[start:]
    return numbers, valid == 0


def _validity(null: np.ndarray | None) -> pa.Buffer | None:
    """Arrow's validity bitmap of a mask of nulls (none where nothing is null)."""
    if null is None or not null.any():
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def from_numpy(numbers: np.ndarray, kind: pa.DataType, null: np.ndarray | None = None) -> pa.Array:
    """A numpy array as an Arrow array of `kind` over the same memory, null where `null` is true."""
    data = pa.py_buffer(np.ascontiguousarray(numbers))
    return pa.Array.from_buffers(kind, len(numbers), [_validity(null), data])


def fixed_width_strings(texts: list[str], width: int, null: np.ndarray) -> pa.Array:
    """An Arrow string array of `len(null)` rows: `texts`, each `width` ASCII characters, in order on
    the rows where `null` is false, and null on the others."""
    offsets = np.zeros(len(null) + 1, np.int32)
    np.cumsum(~null * width, out=offsets[1:])
    data = pa.py_buffer("".join(texts).encode("ascii"))
    return pa.Array.from_buffers(pa.string(), len(null), [_validity(null), pa.py_buffer(offsets), data])
