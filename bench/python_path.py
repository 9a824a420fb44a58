"""The Python path a user would take today on a prefkit JSONL file.

Times JSON parsing with pandas, Krippendorff's alpha (ordinal, from value
counts: the `krippendorff` package's fastest path), statsmodels' Fleiss'
kappa and crowd-kit's DawidSkene (its defaults, n_iter=100 and tol=1e-5,
which `prefkit report` also runs), and prints one JSON object
with the seconds of each step, the ordinal alpha and the peak memory.

    python3 bench/python_path.py annotations.jsonl
"""

import json
import resource
import sys
import time

import numpy as np
import pandas as pd

ORDER = {"A>>": 0, "A>": 1, "=": 2, "B>": 3, "B>>": 4}


def main(path):
    times = {}
    t0 = time.perf_counter()
    df = pd.read_json(path, lines=True, dtype={"item": str, "annotator": str})
    codes = df["label"].map(ORDER).to_numpy()
    swapped = df["swapped"].fillna(False).to_numpy(dtype=bool)
    df["code"] = np.where(swapped, 4 - codes, codes)
    times["parse"] = time.perf_counter() - t0

    import krippendorff

    t = time.perf_counter()
    counts = pd.crosstab(df["item"], df["code"]).reindex(columns=range(5), fill_value=0)
    alpha = krippendorff.alpha(
        value_counts=counts.to_numpy(), level_of_measurement="ordinal"
    )
    times["krippendorff_ordinal"] = time.perf_counter() - t

    from statsmodels.stats.inter_rater import fleiss_kappa

    t = time.perf_counter()
    table = counts.to_numpy()
    n = table.sum(axis=1)
    fleiss = fleiss_kappa(table[n == n.max()], method="fleiss")
    times["fleiss_kappa"] = time.perf_counter() - t

    from crowdkit.aggregation import DawidSkene

    t = time.perf_counter()
    ds_in = df[["item", "annotator", "code"]].rename(
        columns={"item": "task", "annotator": "worker", "code": "label"}
    )
    ds = DawidSkene(n_iter=100, tol=1e-5)
    ds.fit_predict(ds_in)
    times["dawid_skene"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": {k: round(v, 3) for k, v in times.items()},
                "krippendorff_alpha_ordinal": alpha,
                "fleiss_kappa": fleiss,
                "dawid_skene_iterations": len(ds.loss_history_),
                "peak_mb": round(peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
