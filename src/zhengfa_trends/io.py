"""Reading and writing the workflow's tables: tab-separated, UTF-8, ``\\n`` line ends, no index."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd


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
    return table.to_csv(sep="\t", index=False, lineterminator="\n", float_format="%.6g")


def write_tsv(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` as TSV with a fixed float format, so identical data give identical bytes."""
    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, sep="\t", index=False, lineterminator="\n", float_format="%.6g")


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
        with open(path, "w", encoding="utf-8", newline="") as out:
            header = True
            for table in tables:
                table.to_csv(
                    out, sep="\t", index=False, header=header, lineterminator="\n", float_format="%.6g"
                )
                header = False
            if header:
                pd.DataFrame(columns=list(columns)).to_csv(out, sep="\t", index=False, lineterminator="\n")


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


def write_npy(array, path: str | Path) -> None:
    """Write ``array`` as a float64 ``.npy`` file (no pickle)."""
    import numpy as np

    with _naming(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            np.save(handle, np.asarray(array, dtype=np.float64), allow_pickle=False)


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
