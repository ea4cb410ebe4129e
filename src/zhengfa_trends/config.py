"""Configuration checks that end in one readable line naming the offending key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml


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
        lda = config.get("lda", {})
        chosen = lda.get("chosen_k")
        if chosen is not None and chosen not in lda.get("k", []):
            lines.append(f"config key 'lda.chosen_k' is {chosen}, which is not one of lda.k {lda.get('k')}")
    return lines


def check_config(config: Mapping, schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` with the first problem (one line) if ``config`` is invalid."""
    errors = config_errors(config, schema_path)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(errors[0] + more)
