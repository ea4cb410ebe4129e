"""The gensim classes the workflow uses, imported without loading ``scipy.stats`` up front.

``import gensim`` imports every gensim model, and two of its modules import from ``scipy.stats`` at
module level: ``gensim.matutils`` (``from scipy.stats import entropy``) and ``gensim.models.nmf``
(``from scipy.stats import halfnorm``); ``gensim.models.keyedvectors`` binds the module itself
(``from scipy import stats``).  Loading ``scipy.stats`` takes about 0.65 s, a third of a
``fit_lda`` job on the default corpus, and seven jobs import gensim; none of them calls anything of
``scipy.stats`` (the LDA fit, Word2Vec training, the vocabulary and the coherence scores use numpy,
``scipy.sparse`` and ``scipy.special``).

So the first import of gensim in a process runs with a stand-in for ``scipy.stats`` in
``sys.modules``:

* the names gensim takes at import time (:data:`DEFERRED_NAMES`) are handed out as proxies that
  load the real ``scipy.stats`` at their first use (a call or an attribute) and then behave as the
  real object;
* any other name asked of the stand-in loads the real module at once and is answered from it, so a
  gensim release that imports something else from ``scipy.stats`` only loses the saving;
* after the import the stand-in leaves ``sys.modules``: a later ``import scipy.stats`` anywhere in
  the process loads the real module, and ``gensim.models.keyedvectors.stats`` (the stand-in)
  answers every attribute from it.

Where gensim or ``scipy.stats`` was already imported, nothing is replaced.  The numbers are those
of gensim's own route: the proxies call the real functions (tests/test_gensim_imports.py).

Import gensim's classes from here (``from .gensim_imports import LdaModel``) so that whichever
module imports gensim first in a job gets the saving.
"""

from __future__ import annotations

import importlib
import sys
import types

#: What gensim 4.x takes from ``scipy.stats`` when it is imported (each used only when called).
DEFERRED_NAMES = frozenset({"entropy", "halfnorm"})


def _real_stats() -> types.ModuleType:
    """The real ``scipy.stats``, imported now if it was not yet (the stand-in removed first)."""
    if isinstance(sys.modules.get("scipy.stats"), _StatsStandIn):
        del sys.modules["scipy.stats"]
    return importlib.import_module("scipy.stats")


class _DeferredAttribute:
    """A ``scipy.stats`` name that loads the real module when it is first used."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __call__(self, *args, **kwargs):
        return getattr(_real_stats(), self._name)(*args, **kwargs)

    def __getattr__(self, attribute: str):
        return getattr(getattr(_real_stats(), self._name), attribute)

    def __repr__(self) -> str:
        return f"<scipy.stats.{self._name}, loaded at first use>"


class _StatsStandIn(types.ModuleType):
    """Stands in for ``scipy.stats`` while gensim is imported."""

    def __getattr__(self, name: str):
        # no __path__ and no other dunder: the import system then treats it as a plain module
        if name.startswith("__"):
            raise AttributeError(name)
        if name in DEFERRED_NAMES:
            return _DeferredAttribute(name)
        return getattr(_real_stats(), name)


def _import_gensim() -> None:
    if "gensim" in sys.modules or "scipy.stats" in sys.modules:
        return  # nothing to save: the imports below take gensim as it is
    import scipy  # noqa: F401  (the real package: only its submodule stats is stood in for)

    stand_in = _StatsStandIn("scipy.stats")
    sys.modules["scipy.stats"] = stand_in
    try:
        import gensim.models  # noqa: F401
    finally:
        if sys.modules.get("scipy.stats") is stand_in:
            del sys.modules["scipy.stats"]


_import_gensim()

from gensim import matutils  # noqa: E402
from gensim.corpora import Dictionary  # noqa: E402
from gensim.models import LdaModel, Word2Vec  # noqa: E402
from gensim.models.callbacks import Metric  # noqa: E402

__all__ = ["Dictionary", "LdaModel", "Metric", "Word2Vec", "matutils"]
