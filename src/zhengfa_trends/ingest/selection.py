"""Selection: which documents belong to the corpus (``corpus.include`` / ``corpus.exclude``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..files import CorpusError

# Ledger columns a selection may test besides the facets.
SELECTABLE = ("title", "source")


@dataclass(frozen=True)
class Selection:
    """Regular expressions on ledger columns: a document is kept if every ``include`` pattern is found
    in its column and no ``exclude`` pattern is (``re.search``; an empty value matches no pattern)."""

    include: tuple[tuple[str, re.Pattern[str]], ...] = ()
    exclude: tuple[tuple[str, re.Pattern[str]], ...] = ()

    @classmethod
    def from_config(
        cls, include: Mapping | None, exclude: Mapping | None, facets: tuple[str, ...] = ()
    ) -> Selection | None:
        """The selection of the config, or None if it selects nothing.

        Raises
        ------
        CorpusError
            One line naming the key if a column is not ``title``, ``source`` or a facet, or a
            pattern is not a valid regular expression.
        """
        allowed = (*SELECTABLE, *facets)
        parts = []
        for key, mapping in (("include", include), ("exclude", exclude)):
            compiled = []
            for column, pattern in (mapping or {}).items():
                if column not in allowed:
                    raise CorpusError(
                        f"config key 'corpus.{key}.{column}': {column!r} is not a column a selection can "
                        f"test (allowed: {', '.join(allowed)}; add it to corpus.columns.facets first)"
                    )
                try:
                    compiled.append((str(column), re.compile(str(pattern))))
                except re.error as error:
                    raise CorpusError(
                        f"config key 'corpus.{key}.{column}': {pattern!r} is not a regular expression ({error})"
                    ) from error
            parts.append(tuple(compiled))
        return cls(*parts) if any(parts) else None

    def keeps(self, row: Mapping) -> bool:
        """True if the ledger row ``row`` passes the selection."""
        for column, pattern in self.include:
            if not pattern.search(str(row.get(column) or "")):
                return False
        return not any(pattern.search(str(row.get(column) or "")) for column, pattern in self.exclude)
