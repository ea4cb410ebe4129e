"""The code a step runs, as one hash: what makes Snakemake rerun a step (and a cache miss) when it changed.

Snakemake tracks the rule's script, but the scripts in ``scripts/`` are thin adapters: the work is
done by this package.  :func:`script_digest` follows what a script imports from ``zhengfa_trends``
down to the functions, classes and constants it can reach, and hashes their source.  The walk is by
name, not by module: a step that uses ``io.read_tsv`` depends on that function (and what it
references), not on everything else in ``io.py``, so editing a function reruns exactly the steps
that can call it.

What the walk follows: names a definition mentions (functions, classes, module constants), imports
at the top of a module or inside a function (``from .x import y``, ``from . import x``), and
attribute access on an imported module (``ingest.ingest_corpus``).  A name it cannot resolve (a local
variable, a builtin, a third-party module) is not followed; third-party code is covered by the
versions in provenance.json.  Standard library only (``ast``), so ``common.smk`` can import it
cheaply: the whole package is parsed once per Snakemake start (a few tens of milliseconds).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "zhengfa_trends"
PACKAGE_DIR = Path(__file__).resolve().parent
HEADER = "<module>"  # the node of a module's top-level statements that define no name


@dataclass
class _Module:
    name: str
    lines: list[str]
    definitions: dict[str, list[ast.stmt]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, name)
    header: list[ast.stmt] = field(default_factory=list)


def module_file(name: str) -> Path | None:
    """File of package module ``name`` (``zhengfa_trends.x.y``), or None if it is not one."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    parts = name.split(".")[1:]
    base = PACKAGE_DIR.joinpath(*parts)
    for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _absolute(module: str | None, level: int, current: str, is_package: bool) -> str:
    """Absolute name of a (relative) import in module ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, module] if module else parts)


def _import_bindings(
    statement: ast.stmt, current: str, is_package: bool
) -> dict[str, tuple[str, str | None]]:
    """Local names an import statement binds: ``name -> (module, attribute or None)``."""
    bindings: dict[str, tuple[str, str | None]] = {}
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname:
                bindings[alias.asname] = (alias.name, None)
            else:  # "import a.b" binds "a"
                bindings[alias.name.split(".")[0]] = (alias.name.split(".")[0], None)
    elif isinstance(statement, ast.ImportFrom):
        base = _absolute(statement.module, statement.level, current, is_package)
        for alias in statement.names:
            if alias.name == "*":
                continue
            target = f"{base}.{alias.name}"
            bound = (target, None) if module_file(target) is not None else (base, alias.name)
            bindings[alias.asname or alias.name] = bound
    return bindings


@functools.cache
def _parse(name: str) -> _Module | None:
    path = module_file(name)
    if path is None:
        return None
    source = path.read_text(encoding="utf-8")
    module = _Module(name, source.splitlines())
    is_package = path.name == "__init__.py"
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            module.imports.update(_import_bindings(statement, name, is_package))
            continue
        names: list[str] = []
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [statement.name]
        elif isinstance(statement, ast.Assign):
            names = [n.id for t in statement.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign) and isinstance(statement.target, ast.Name):
            names = [statement.target.id]
        if names:
            for defined in names:
                module.definitions.setdefault(defined, []).append(statement)
        elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            module.header.append(statement)  # docstrings aside: if/try blocks and calls at import time
    return module


def _references(statements: list[ast.stmt], module: _Module) -> set[tuple[str, str | None]]:
    """The package nodes ``(module, name or None)`` that ``statements`` can reach directly."""
    local_imports: dict[str, tuple[str, str | None]] = {}
    is_package = (module_file(module.name) or Path()).name == "__init__.py"
    names: set[str] = set()
    attributes: set[tuple[str, str]] = set()
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Import | ast.ImportFrom):
                local_imports.update(_import_bindings(node, module.name, is_package))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                attributes.add((node.value.id, node.attr))
            elif isinstance(node, ast.Name):
                names.add(node.id)
    bindings = {**module.imports, **local_imports}
    found: set[tuple[str, str | None]] = set()
    for name in names:
        if name in bindings:
            target, attribute = bindings[name]
            if attribute is None:
                used = {attr for base, attr in attributes if base == name}
                # a module used only through its attributes depends on those; used bare, on all of it
                found |= {(target, attr) for attr in used} if used else {(target, None)}
            else:
                found.add((target, attribute))
        elif name in module.definitions:
            found.add((module.name, name))
    return {node for node in found if module_file(node[0]) is not None}


def _resolve(node: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """A re-exported name (``from .x import y`` in an ``__init__``) stands for its definition."""
    module_name, name = node
    module = _parse(module_name)
    if module is None or name is None or name in module.definitions:
        return [node]
    if name in module.imports:
        target, attribute = module.imports[name]
        return _resolve((target, attribute))
    submodule = f"{module_name}.{name}"
    return [(submodule, None)] if module_file(submodule) is not None else []


def _segment(module: _Module, statements: list[ast.stmt]) -> str:
    """Source lines of ``statements`` (decorators included)."""
    parts = []
    for statement in statements:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)])
        parts.append("\n".join(module.lines[first - 1 : statement.end_lineno]))
    return "\n".join(parts)


def reachable(entries: Iterable[tuple[str, str | None]]) -> dict[tuple[str, str], str]:
    """Source text of every package definition reachable from ``entries`` (``(module, name)``;
    name None for a whole module), keyed by ``(module, name)``; each module's header is included."""
    todo = [resolved for entry in entries for resolved in _resolve(entry)]
    seen: set[tuple[str, str | None]] = set()
    sources: dict[tuple[str, str], str] = {}
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        module = _parse(node[0])
        if module is None:
            continue
        names = list(module.definitions) if node[1] is None else [node[1]]
        for name in [HEADER, *names]:
            if (node[0], name) not in sources:
                sources[(node[0], name)], references = _node(node[0], name)
                todo += references
    return sources


@functools.cache
def _node(module_name: str, name: str) -> tuple[str, list[tuple[str, str | None]]]:
    """Source of one definition (or of the module's header) and the nodes it references."""
    module = _parse(module_name)
    assert module is not None
    statements = module.header if name == HEADER else module.definitions.get(name, [])
    references = [n for ref in _references(statements, module) for n in _resolve(ref)]
    return _segment(module, statements), references


def code_digest(entries: Iterable[str]) -> str:
    """sha256 of the package code reachable from ``entries`` (``"zhengfa_trends.x:name"`` or a module).

    Examples
    --------
    >>> len(code_digest(["zhengfa_trends.tokenize:segment_texts"]))
    64
    """
    nodes = []
    for entry in entries:
        module, _, name = entry.partition(":")
        nodes.append((module, name or None))
    digest = hashlib.sha256()
    for (module, name), source in sorted(reachable(nodes).items()):
        digest.update(f"{module}:{name}\x1e{source}\x1f".encode())
    return digest.hexdigest()


def script_digests(scripts: Mapping[str, str | Path], memo: str | Path | None = None) -> dict[str, str]:
    """:func:`script_digest` of each script (``{label: path}``), remembered in the file ``memo``.

    Parsing the package takes a noticeable part of a second, and Snakemake computes these at every
    start (a no-op rerun too); ``memo`` keeps the last answer with a hash of the bytes of every
    package file and script, so it is reused exactly as long as no file changed.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(f"{path.relative_to(PACKAGE_DIR)}\x1e".encode())
        digest.update(path.read_bytes())
    for label, path in sorted(scripts.items()):
        digest.update(f"\x1f{label}\x1e".encode())
        digest.update(Path(path).read_bytes())
    key = digest.hexdigest()
    if memo is not None:
        try:
            stored = json.loads(Path(memo).read_text(encoding="utf-8"))
            if stored.get("key") == key:
                return dict(stored["digests"])
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    digests = {label: script_digest(path) for label, path in scripts.items()}
    if memo is not None:
        try:
            Path(memo).parent.mkdir(parents=True, exist_ok=True)
            temporary = Path(f"{memo}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"key": key, "digests": digests}), encoding="utf-8")
            os.replace(temporary, memo)
        except OSError:
            pass  # a read-only project: computed again next time
    return digests


def script_digest(script: str | Path) -> str:
    """:func:`code_digest` of what a workflow script imports from the package (the script itself is
    tracked by Snakemake)."""
    tree = ast.parse(Path(script).read_text(encoding="utf-8"))
    entries = []
    for statement in ast.walk(tree):
        if isinstance(statement, ast.ImportFrom) and statement.level == 0 and statement.module:
            if module_file(statement.module) is not None:
                entries += [f"{statement.module}:{alias.name}" for alias in statement.names]
        elif isinstance(statement, ast.Import):
            entries += [alias.name for alias in statement.names if module_file(alias.name) is not None]
    return code_digest(entries)
