"""Reading and writing the workflow's tables: tab-separated, UTF-8, ``\\n`` line ends, no index."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

FLOAT_FORMAT = "%.6g"
# The widest "%.6g" text of a multiple of 1e-6 in [0, 1] ("0.000123", "0.999999").
_SHARE_WIDTH = 8
# Below this many share cells pandas is fast enough, and the text table (0.5 s to build) not worth it.
_SHARE_CELLS_MIN = 200_000


@contextlib.contextmanager
def _naming(path: str | Path):
    """An OSError of a write without a file name (a full disk reports none) gets ``path`` as its name,
    so the step's one-line message says where (:func:`zhengfa_trends.log.storage_message`)."""
    try:
        yield
    except OSError as error:
        if error.filename is None and error.errno is not None:
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise


def tsv_text(table: pd.DataFrame) -> str:
    """The text :func:`write_tsv` writes."""
    return tsv_bytes(table).decode("utf-8")


#: rows of a table written at once: pandas' text of a million-row table is a memory peak of its own
WRITE_ROWS = 100_000


def write_tsv(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` as TSV with a fixed float format, so identical data give identical bytes
    (:data:`WRITE_ROWS` rows at a time, the same bytes as the whole at once)."""
    write_tsv_chunks(
        (table.iloc[start : start + WRITE_ROWS] for start in range(0, len(table), WRITE_ROWS)),
        path,
        list(table.columns),
    )


def _pandas_tsv(table: pd.DataFrame, header: bool = True) -> bytes:
    text = table.to_csv(sep="\t", index=False, header=header, lineterminator="\n", float_format=FLOAT_FORMAT)
    return text.encode("utf-8")


@functools.cache
def _share_texts() -> np.ndarray:
    """``FLOAT_FORMAT`` of i / 1e6 for i = 0 … 1,000,000, as fixed-width bytes (NUL-padded)."""
    return np.array(
        [(FLOAT_FORMAT % (i / 1e6)).encode("ascii") for i in range(1_000_001)], dtype=f"S{_SHARE_WIDTH}"
    )


def _share_codes(values: np.ndarray) -> np.ndarray | None:
    """``values * 1e6`` as integers if every value is a multiple of 1e-6 in [0, 1] (a share rounded
    to 6 decimals, whose text :func:`_share_texts` holds), else None."""
    if values.dtype != np.float64 or not values.size:
        return None
    with np.errstate(invalid="ignore"):
        # False for NaN too; -0.0 prints as "-0", so it is left to pandas.
        if not (np.all(values >= 0.0) and np.all(values <= 1.0)) or np.signbit(values).any():
            return None
    codes = np.rint(values * 1e6)
    # np.round(x, 6) is rint(x * 1e6) / 1e6, the very double i / 1e6 whose text the table holds.
    if not np.array_equal(codes / 1e6, values):
        return None
    return codes.astype(np.int64)


def tsv_bytes(table: pd.DataFrame, header: bool = True) -> bytes:
    """The bytes of ``table.to_csv(sep="\\t", float_format=FLOAT_FORMAT, …)`` in UTF-8, made faster
    for tables that end in columns of shares rounded to 6 decimals (topic shares of every passage).

    pandas formats each float with ``%`` in Python: 4.6 s for 50,000 passages × 40 topics, most of a
    large run's LDA step.  Trailing float columns whose values are all multiples of 1e-6 in [0, 1]
    are instead looked up in a table of their texts and laid out with numpy; the other columns are
    written by pandas as before.  Any other table, or a leading part that would not split into one
    line per row, is written by pandas alone, so the bytes are always those of ``to_csv``; so is a
    small table (fewer than ``_SHARE_CELLS_MIN`` cells), where the lookup table is not worth its cost.
    """
    columns = list(table.columns)
    if len(table) * (len(columns) - 1) < _SHARE_CELLS_MIN:
        return _pandas_tsv(table, header)
    codes = []
    for column in reversed(columns):
        found = _share_codes(table[column].to_numpy())
        if found is None:
            break
        codes.append(found)
    n_share = len(codes)
    if n_share == 0 or n_share == len(columns):
        return _pandas_tsv(table, header)
    codes = np.stack(codes[::-1], axis=1)
    lead = _pandas_tsv(table.iloc[:, : len(columns) - n_share], header=False)
    lines = lead.split(b"\n")
    # A quoted field with a line break (or a NUL, the padding byte below) takes the plain way.
    if len(lines) != len(table) + 1 or lines[-1] != b"" or b"\x00" in lead:
        return _pandas_tsv(table, header)
    lead_cells = np.array(lines[:-1], dtype=bytes)
    width = lead_cells.dtype.itemsize
    n_rows = len(table)
    cell = _SHARE_WIDTH + 1
    out = np.zeros((n_rows, width + n_share * cell + 1), dtype=np.uint8)
    out[:, :width] = lead_cells.view(np.uint8).reshape(n_rows, width)
    shares = out[:, width : width + n_share * cell].reshape(n_rows, n_share, cell)
    shares[:, :, 0] = ord("\t")
    shares[:, :, 1:] = _share_texts()[codes].view(np.uint8).reshape(n_rows, n_share, _SHARE_WIDTH)
    out[:, -1] = ord("\n")
    flat = out.ravel()
    body = flat[flat != 0].tobytes()  # drops the padding of the fixed-width cells
    head = _pandas_tsv(table.iloc[:0], header=True) if header else b""
    return head + body


def write_tsv_chunks(tables: Iterable[pd.DataFrame], path: str | Path, columns: Sequence[str]) -> None:
    """Write consecutive parts of one table as :func:`write_tsv` writes the whole: one header, and
    the same bytes as long as every part has the whole table's column types.

    Parameters
    ----------
    tables : iterable of DataFrame
        The parts, in order; each is written as it comes, so the whole table is never held.
    path : path
    columns : sequence of str
        The columns, for the header of a table without parts.
    """
    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            header = True
            for table in tables:
                out.write(tsv_bytes(table, header=header))
                header = False
            if header:
                out.write(_pandas_tsv(pd.DataFrame(columns=list(columns))))


def read_tsv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a TSV written by :func:`write_tsv` (strings stay strings: no NA guessing)."""
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""], **kwargs)


def write_json(data, path: str | Path) -> None:
    """Write JSON with sorted keys and a trailing newline."""
    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )


def write_npy(array, path: str | Path, keep_dtype: bool = False) -> None:
    """Write ``array`` as a float64 ``.npy`` file (no pickle); ``keep_dtype``: in its own type
    (integer arrays, e.g. a count matrix's indices)."""
    import numpy as np

    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            values = np.asarray(array) if keep_dtype else np.asarray(array, dtype=np.float64)
            np.save(handle, values, allow_pickle=False)


def read_npy(path: str | Path):
    """Read an array written by :func:`write_npy`."""
    import numpy as np

    return np.load(path, allow_pickle=False)


def write_lines(lines, path: str | Path) -> None:
    """Write one string per line (UTF-8, ``\\n`` after every line), e.g. a model's vocabulary."""
    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def read_lines(path: str | Path) -> list[str]:
    """The lines written by :func:`write_lines`."""
    return Path(path).read_text(encoding="utf-8").splitlines()


def read_tokens(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read tokens.tsv (empty token strings stay empty strings); ``columns``: only these (with ``tokens``)."""
    usecols = None if columns is None else list(dict.fromkeys([*columns, "tokens"]))
    tokens = read_tsv(path, dtype={"doc_id": str, "tokens": str}, usecols=usecols)
    tokens["tokens"] = tokens["tokens"].fillna("")
    return tokens


def read_token_chunks(path: str | Path, chunk_rows: int, columns: list[str] | None = None):
    """tokens.tsv as :func:`read_tokens` reads it, ``chunk_rows`` passages at a time (an iterator of
    DataFrames), for steps that need the token strings once and never whole."""
    usecols = None if columns is None else list(dict.fromkeys([*columns, "tokens"]))
    for chunk in read_tsv(path, dtype={"doc_id": str, "tokens": str}, usecols=usecols, chunksize=chunk_rows):
        chunk["tokens"] = chunk["tokens"].fillna("")
        yield chunk
