"""The configuration: its schema (the one home of every default) and checks that end in one line.

``workflow/schemas/config.schema.yaml`` holds every key's type, description and default; the
workflow validates the config against it, which fills in the defaults.  Code that needs a default
outside the workflow (tests, notebooks, the option dataclasses) reads it from the schema with
:func:`defaults` or :func:`default`, so no default is written twice.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

# The schema of the source tree this package is imported from (the package is installed editable).
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
_MISSING = object()
# Ledger columns a facet may not be called (documents.tsv has them already).
RESERVED_COLUMNS = frozenset(
    "doc_id file encoding date year date_source title source chars_raw chars_clean passages included "
    "reason sha256 text".split()
)


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or inconsistent."""


def _key_path(parts) -> str:
    return ".".join(str(p) for p in parts) or "<top level>"


def config_errors(config: Mapping, schema_path: str | Path) -> list[str]:
    """Check ``config`` against the JSON schema and the cross-key rules; one line per problem.

    Parameters
    ----------
    config : mapping
        The resolved Snakemake config.
    schema_path : path
        ``workflow/schemas/config.schema.yaml``.

    Returns
    -------
    list of str
        Empty if the configuration is valid.  Each line names the key, e.g.
        ``config key 'lda.kk' is not allowed (allowed here: alpha, chosen_k, k, …)``.
    """
    import jsonschema

    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        where = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(allowed)):
                lines.append(
                    f"config key '{_key_path([*where, key])}' is not allowed "
                    f"(allowed here: {', '.join(allowed)})"
                )
        elif error.validator == "required":
            lines.append(f"config key '{_key_path(where)}' is missing a required entry: {error.message}")
        else:
            lines.append(f"config key '{_key_path(where)}': {error.message}")
    if not lines:
        corpus = config.get("corpus", {})
        if corpus.get("table") and not (corpus.get("columns") or {}).get("text"):
            lines.append(
                "config key 'corpus.columns.text' is missing: with corpus.table, name the column that "
                "holds the article text, e.g. corpus: {columns: {text: content}}"
            )
        facets = (corpus.get("columns") or {}).get("facets") or []
        for facet in facets:
            if facet in RESERVED_COLUMNS:
                lines.append(
                    f"config key 'corpus.columns.facets': {facet!r} is a ledger column already; map it "
                    f"with corpus.columns.{facet} if it is one, or leave it out of the facets"
                )
        allowed = ("title", "source", *facets)
        for key in ("include", "exclude"):
            for column in corpus.get(key) or {}:
                if column not in allowed:
                    lines.append(
                        f"config key 'corpus.{key}.{column}': {column!r} is not a column a selection can "
                        f"test (allowed: {', '.join(allowed)}; add it to corpus.columns.facets first)"
                    )
        lda = config.get("lda", {})
        lines += k_errors(lda.get("k"))
        chosen = lda.get("chosen_k")
        if chosen is not None and lda.get("k") != "auto" and chosen not in lda.get("k", []):
            lines.append(f"config key 'lda.chosen_k' is {chosen}, which is not one of lda.k {lda.get('k')}")
        periods = config.get("trends", {}).get("periods")
        if isinstance(periods, list):
            from .periods import explicit_periods  # here: periods imports this module

            try:
                explicit_periods(periods)
            except ConfigError as error:
                lines.append(str(error))
        for key in lda.get("labels") or {}:
            if not str(key).isdigit():
                lines.append(
                    f"config key 'lda.labels.{key}' is not a topic id (a whole number, see topic_ids.tsv)"
                )
        from .keywords import KeywordError, normalise_themes

        try:
            normalise_themes(config.get("themes", {}))
        except KeywordError as error:
            lines.append(str(error))
    return lines


# At most this many topics: beyond it a model is neither fitted in sensible time on these machines
# nor read by anyone, and one figure panel per topic would not fit any page.
MAX_K = 200


def k_errors(ks) -> list[str]:
    """Problems of ``lda.k`` as a list of numbers of topics (each once, at most :data:`MAX_K`).

    ``auto`` (or anything that is not a list) is checked where it is resolved to numbers.
    """
    if not isinstance(ks, list):
        return []
    repeated = sorted({k for k in ks if ks.count(k) > 1})
    if repeated:
        return [f"config key 'lda.k' lists {', '.join(map(str, repeated))} more than once: give each K once"]
    large = [k for k in ks if isinstance(k, int) and k > MAX_K]
    if large:
        return [f"config key 'lda.k' has {', '.join(map(str, large))}: at most {MAX_K} topics"]
    return []


def check_k_for_passages(k: int, n_passages: int, per_topic: int) -> None:
    """Raise :class:`ConfigError` (one line naming ``lda.k``) if ``k`` topics are too many for the corpus.

    The bound is ``per_topic`` passages per topic (``lda.min_passages_per_topic``) and :data:`MAX_K`
    topics in all.
    """
    problems = k_errors([k])
    if problems:
        raise ConfigError(problems[0])
    if k * per_topic > n_passages:
        raise ConfigError(
            f"config key 'lda.k' has {k}, too many topics for {n_passages} passages (at most "
            f"{n_passages // per_topic}: lda.min_passages_per_topic is {per_topic}); choose smaller K"
        )


def check_config(config: Mapping, schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` with the first problem (one line) if ``config`` is invalid."""
    errors = config_errors(config, schema_path)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(errors[0] + more)


@functools.cache
def _schema() -> dict:
    if not SCHEMA_PATH.is_file():
        raise ConfigError(
            f"the config schema {SCHEMA_PATH} is missing; install the package from its source tree "
            "(pip install -e .)"
        )
    return yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))


def _defaults_of(schema: Mapping):
    if "properties" in schema:
        found = {}
        for key, sub in schema["properties"].items():
            value = _defaults_of(sub)
            if value is not _MISSING:
                found[key] = value
        return found
    return schema.get("default", _MISSING)


@functools.cache
def _all_defaults() -> dict:
    return _defaults_of(_schema())


def defaults() -> dict:
    """Every default of the config schema, nested as in config.yaml (a fresh copy, safe to change).

    Keys without a default (``corpus.dir``, ``lda.seeds``, ``themes``) are absent.

    Examples
    --------
    >>> defaults()["lda"]["passes"]
    10
    """
    return copy.deepcopy(_all_defaults())


def default(key: str):
    """The schema default of one dotted config key, e.g. ``default("passages.max_chars")``.

    Raises
    ------
    KeyError
        If the schema gives that key no default.
    """
    value = _all_defaults()
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"config key {key!r} has no default in {SCHEMA_PATH.name}")
        value = value[part]
    return copy.deepcopy(value)


def schema_field(key: str, convert: Callable | None = None):
    """A dataclass field whose default is the schema default of config key ``key`` (read when an
    instance is made), optionally passed through ``convert``: the option dataclasses repeat no
    default, so they cannot disagree with the workflow.
    """

    def factory():
        value = default(key)
        return convert(value) if convert is not None else value

    return dataclasses.field(default_factory=factory)


def ingest_options(config: Mapping) -> dict:
    """The options of rule ``ingest_corpus`` (:func:`zhengfa_trends.steps.ingest_step`) from the
    validated config; ``ingest_options(defaults())`` gives the defaults' (tests).
    """
    return {
        "opencc": config["clean"]["opencc"],
        "max_chars": config["passages"]["max_chars"],
        "min_chars": config["passages"]["min_chars"],
        "min_year": config["corpus"]["min_year"],
        "max_date": config["corpus"]["max_date"],
        "date_from_text": config["corpus"]["date_from_text"],
        "years": config["corpus"]["years"],
        "near_duplicate_threshold": config["corpus"]["near_duplicate_threshold"],
        "boilerplate": config["clean"]["boilerplate"],
        "workers": config["corpus"]["workers"],
        "cache_dir": config["corpus"]["cache_dir"],
        "table": config["corpus"]["table"],  # rule ingest_corpus passes the files it names
        "columns": config["corpus"]["columns"],
        "include": config["corpus"]["include"],
        "exclude": config["corpus"]["exclude"],
    }


def bootstrap_options(trends: Mapping) -> dict:
    """Keyword arguments of the bootstrap intervals (``trends.topic_share_by_year`` and the theme
    functions) from the validated ``trends`` config section."""
    return {
        "n_boot": trends["bootstrap"],
        "seed": trends["seed"],
        "level": trends["level"],
        "min_docs": trends["min_docs"],
        "interval": trends["interval"],
        "small_n_interval": trends["small_n_interval"],
    }


def theme_options(trends: Mapping) -> dict:
    """Keyword arguments of ``trends.theme_share_by_year`` / ``trends.theme_tables`` from the
    ``trends`` config section (also used for the period and facet tables, so that every theme table
    counts alike)."""
    return {
        "per_tokens": trends["per_tokens"],
        "keyword_match": trends["keyword_match"],
        **bootstrap_options(trends),
    }
