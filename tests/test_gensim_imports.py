"""gensim imported without scipy.stats (zhengfa_trends.gensim_imports): the same numbers, later.

Each case runs in a new interpreter: the test process has long imported gensim and scipy.stats.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def run_fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON object, returned here."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_gensim_classes_come_without_scipy_stats_and_fit_without_it():
    seen = run_fresh(
        """
        import json, sys
        import numpy as np
        from zhengfa_trends.gensim_imports import Dictionary, LdaModel, Word2Vec, matutils
        after_import = "scipy.stats" in sys.modules
        texts = [["政法", "法院", "检察"], ["公安", "司法", "政法"], ["法院", "公安", "治理"]] * 8
        dictionary = Dictionary(texts)
        corpus = [dictionary.doc2bow(t) for t in texts]
        model = LdaModel(corpus, id2word=dictionary, num_topics=2, passes=2, random_state=1)
        vectors = Word2Vec(texts, vector_size=8, min_count=1, workers=1, seed=1, epochs=2).wv
        top = [int(i) for i in matutils.argsort(model.get_topics()[0], topn=2, reverse=True)]
        print(json.dumps({
            "after_import": after_import,
            "after_fits": "scipy.stats" in sys.modules,
            "topics": model.get_topics().shape[0],
            "vector": len(vectors["政法"]),
            "top": len(top),
        }))
        """
    )
    assert seen == {"after_import": False, "after_fits": False, "topics": 2, "vector": 8, "top": 2}


def test_deferred_names_give_scipy_stats_own_numbers():
    seen = run_fresh(
        """
        import json, sys
        import numpy as np
        import zhengfa_trends.gensim_imports  # noqa: F401
        import gensim.matutils, gensim.models.nmf, gensim.models.keyedvectors as kv
        p, q = np.array([0.2, 0.3, 0.5]), np.array([0.1, 0.6, 0.3])
        kl = float(gensim.matutils.kullback_leibler(p, q))
        loaded_by_call = "scipy.stats" in sys.modules
        import scipy.stats
        real = sys.modules["scipy.stats"]
        draws = gensim.models.nmf.halfnorm.rvs(size=3, random_state=4).tolist()
        print(json.dumps({
            "loaded_by_call": loaded_by_call,
            "real_module": hasattr(real, "norm") and type(real).__name__ == "module",
            "kl_equal": kl == float(scipy.stats.entropy(p, q)),
            "halfnorm_equal": draws == scipy.stats.halfnorm.rvs(size=3, random_state=4).tolist(),
            "spearman": float(kv.stats.spearmanr([1, 2, 3], [1, 3, 2]).statistic),
        }))
        """
    )
    assert seen == {
        "loaded_by_call": True,
        "real_module": True,
        "kl_equal": True,
        "halfnorm_equal": True,
        "spearman": 0.5,
    }


def test_other_names_load_the_real_module_at_once():
    # A gensim release that imports another name from scipy.stats gets the real object, not a proxy.
    seen = run_fresh(
        """
        import json, sys
        import scipy
        from zhengfa_trends.gensim_imports import _StatsStandIn
        sys.modules["scipy.stats"] = _StatsStandIn("scipy.stats")
        from scipy.stats import norm
        import scipy.stats
        print(json.dumps({
            "real_norm": norm is scipy.stats.norm and type(norm).__name__ == "norm_gen",
            "stand_in_gone": not isinstance(sys.modules["scipy.stats"], _StatsStandIn),
        }))
        """
    )
    assert seen == {"real_norm": True, "stand_in_gone": True}


def test_nothing_replaced_when_scipy_stats_came_first():
    seen = run_fresh(
        """
        import json
        import scipy.stats
        from zhengfa_trends.gensim_imports import matutils
        print(json.dumps({"same_entropy": matutils.entropy is scipy.stats.entropy}))
        """
    )
    assert seen == {"same_entropy": True}
