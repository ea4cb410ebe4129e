"""Theme keywords: how they are normalised and how tokens are matched to them.

jieba keeps many compounds as one token (全面依法治国, 法治建设), so a keyword such as 依法治国 or
法治 is often inside a longer token rather than a token of its own.  In ``contains`` mode (the
default) a token counts for the longest keyword it contains; in ``token`` mode only a token equal
to a keyword counts.  Either way a token counts at most once: 全面依法治国 is one occurrence of
依法治国, not also one of 法治.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .config import ConfigError

MATCH_MODES = ("contains", "token")


class KeywordError(ConfigError):
    """A theme keyword is unusable (empty once normalised)."""


def normalise_keyword(word: str) -> str:
    """A keyword as the tokens are written: NFKC (full-width → half-width) with every space removed.

    The cleaned text is NFKC-normalised and tokens never contain spaces, so a keyword typed with a
    full-width letter or a space (``数字 政法``) would otherwise never match.
    """
    return "".join(unicodedata.normalize("NFKC", str(word)).split())


def normalise_themes(themes: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Every theme's keywords normalised (:func:`normalise_keyword`), each once, in config order.

    Raises
    ------
    KeywordError
        If a keyword is empty once normalised (one line naming the theme).
    """
    result = {}
    for theme, words in themes.items():
        normalised = []
        for word in words:
            clean = normalise_keyword(word)
            if not clean:
                raise KeywordError(f"config key 'themes.{theme}' has a keyword that is empty: {word!r}")
            normalised.append(clean)
        result[str(theme)] = list(dict.fromkeys(normalised))
    return result


def theme_keywords(themes: Mapping[str, Sequence[str]]) -> tuple[list[str], dict[str, np.ndarray]]:
    """All keywords (each once, in config order) and, per theme, the numbers of its keywords."""
    keywords = list(dict.fromkeys(word for words in themes.values() for word in words))
    number_of = {word: i for i, word in enumerate(keywords)}
    numbers = {
        theme: np.array([number_of[w] for w in dict.fromkeys(words)], dtype=np.int64)
        for theme, words in themes.items()
    }
    return keywords, numbers


class KeywordMatcher:
    """Maps a token to the number of the keyword it counts for, or -1.

    Parameters
    ----------
    keywords : sequence of str
        Normalised keywords, each once.
    mode : {"contains", "token"}
        ``contains``: the longest keyword the token contains (equal lengths: the one listed first);
        ``token``: the keyword equal to the token.

    Each distinct token is looked up once (the answer is remembered), so the cost grows with the
    vocabulary, not with the corpus.
    """

    def __init__(self, keywords: Sequence[str], mode: str = "contains"):
        if mode not in MATCH_MODES:
            raise ValueError(f"keyword match mode must be one of {', '.join(MATCH_MODES)}, not {mode!r}")
        self.keywords = list(keywords)
        self.mode = mode
        self._number = {word: i for i, word in enumerate(self.keywords)}
        self._lengths = sorted({len(word) for word in self.keywords}, reverse=True)
        self._memo: dict[str, int] = {}

    def match(self, token: str) -> int:
        """Number of the keyword ``token`` counts for (-1 for none)."""
        found = self._memo.get(token)
        if found is None:
            found = self._lookup(token)
            self._memo[token] = found
        return found

    def _lookup(self, token: str) -> int:
        exact = self._number.get(token)
        if exact is not None or self.mode == "token":
            return -1 if exact is None else exact
        # Longest first: the first length with a hit gives the longest keyword; among keywords of
        # that length the one listed first wins, whatever its position in the token.
        for length in self._lengths:
            if length > len(token):
                continue
            hits = [
                self._number[token[i : i + length]]
                for i in range(len(token) - length + 1)
                if token[i : i + length] in self._number
            ]
            if hits:
                return min(hits)
        return -1

    def occurrences(self, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Every token of space-joined token strings that counts for a keyword.

        One passage's tokens at a time: splitting the whole column at once would hold every token
        of a large corpus as a Python string (gigabytes at 20,000 documents).

        Returns
        -------
        (rows, keyword_numbers, words)
            Per occurrence the passage row and the keyword number; ``words`` are the matched
            tokens themselves (the LDA vocabulary knows tokens, not keywords).
        """
        rows: list[int] = []
        numbers: list[int] = []
        words: list[str] = []
        match = self.match
        for row, joined in enumerate(tokens):
            for token in joined.split():
                number = match(token)
                if number >= 0:
                    rows.append(row)
                    numbers.append(number)
                    words.append(token)
        return np.array(rows, dtype=np.int64), np.array(numbers, dtype=np.int64), words

    def counts_for_any(self, token: str) -> bool:
        """Whether ``token`` already counts for some keyword."""
        return self.match(token) >= 0
