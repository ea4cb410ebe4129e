"""Explicit periods of ``trends.periods`` (light: the config check imports it at start-up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import ConfigError


@dataclass(frozen=True)
class Period:
    """Years ``first`` … ``last`` (inclusive), named ``label``."""

    first: int
    last: int
    label: str


def period_label(first: int, last: int) -> str:
    """``2021–2025``, or ``2024`` for a one-year period."""
    return str(first) if first == last else f"{first}–{last}"


def explicit_periods(spec: Sequence[Sequence]) -> list[Period]:
    """Periods from the config list ``[[first, last, label], …]`` (label optional), checked.

    Raises
    ------
    ConfigError
        One line naming the entry: a first year after its last, or periods that overlap.
    """
    periods = []
    for index, entry in enumerate(spec):
        if len(entry) not in (2, 3):
            raise ConfigError(
                f"config key 'trends.periods[{index}]' must be [first, last] or [first, last, label]"
            )
        first, last = int(entry[0]), int(entry[1])
        if first > last:
            raise ConfigError(
                f"config key 'trends.periods[{index}]': first year {first} is after last year {last}"
            )
        label = str(entry[2]) if len(entry) == 3 else period_label(first, last)
        periods.append(Period(first, last, label))
    ordered = sorted(periods, key=lambda p: p.first)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.first <= before.last:
            raise ConfigError(
                f"config key 'trends.periods': {before.label} ({before.first}–{before.last}) and "
                f"{after.label} ({after.first}–{after.last}) overlap"
            )
    labels = [p.label for p in periods]
    if len(set(labels)) != len(labels):
        raise ConfigError("config key 'trends.periods': two periods have the same label")
    return ordered
