"""The documents-per-year caption parameter, read by Snakemake's own process without pandas."""

from __future__ import annotations

import pandas as pd

from zhengfa_trends.captions import documents_per_year, documents_per_year_in
from zhengfa_trends.io import write_tsv


def test_documents_per_year_from_the_file_equals_the_table_version(tmp_path):
    ledger = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e"],
            # titles that need quoting in a TSV: a tab, a quote, a line break
            "title": ["关于\t政法", '"平安"建设', "第一行\n第二行", "", "x"],
            "year": [2023, 1958, 2023, None, 2024],
            "included": ["yes", "yes", "yes", "no", "no"],
        }
    )
    path = tmp_path / "documents.tsv"
    write_tsv(ledger, path)
    assert documents_per_year_in(path) == "1958: 1, 2023: 2"
    assert documents_per_year_in(path) == documents_per_year(pd.read_csv(path, sep="\t"))
