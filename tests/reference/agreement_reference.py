#!/usr/bin/env python3
"""Reference values for prefkit's agreement figures, from independent code.

Writes agreement_reference.json next to this script: seeded random datasets
(missing data, a varying number of labels per item, some items with fewer
than two labels) with the figures computed by

- the `krippendorff` package (alpha: nominal, ordinal, interval),
- statsmodels' `fleiss_kappa` (datasets with a constant number of labels
  per item) or a direct per-item transcription of the issue's formula
  (datasets with a varying number),
- scikit-learn's `cohen_kappa_score` with labels=[0, 1, 2, 3, 4] for every
  annotator pair sharing at least one item,
- plain loops over label pairs for raw pairwise agreement.

Label codes 0..4 stand for A>>, A>, =, B>, B>>. Undefined values (NaN, or
the package refusing the data) are written as null.

Run: python3 tests/reference/agreement_reference.py
Needs: numpy, krippendorff, statsmodels, scikit-learn.
"""

import importlib.metadata
import itertools
import json
import math
import pathlib
import warnings

import krippendorff
import numpy as np
import sklearn
import statsmodels
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

LABELS = [0, 1, 2, 3, 4]


def make_dataset(seed, n_items, n_annotators, constant_raters=None, categories=LABELS):
    """Items with a hidden true label; annotators of varied accuracy."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.3, 0.95, n_annotators)
    rows = []
    for i in range(n_items):
        truth = int(rng.choice(categories))
        if constant_raters is None:
            k = int(rng.integers(0, n_annotators + 1))
        else:
            k = constant_raters
        for a in rng.choice(n_annotators, size=k, replace=False):
            if rng.random() < accuracy[a]:
                label = truth
            elif rng.random() < 0.5:
                label = int(min(max(truth + rng.choice([-1, 1]), min(categories)), max(categories)))
            else:
                label = int(rng.choice(categories))
            rows.append([f"item-{i}", f"w{a}", label])
    order = rng.permutation(len(rows))
    return [rows[j] for j in order]


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def by_item(rows):
    items = {}
    for item, annotator, label in rows:
        items.setdefault(item, []).append(label)
    return items


def pairwise(rows):
    pairs = exact = directional = 0
    side = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2}
    for labels in by_item(rows).values():
        for x, y in itertools.combinations(labels, 2):
            pairs += 1
            exact += x == y
            directional += side[x] == side[y]
    if pairs == 0:
        return None, None, 0
    return exact / pairs, directional / pairs, pairs


def alpha(rows, level):
    items = sorted({r[0] for r in rows})
    annotators = sorted({r[1] for r in rows})
    data = np.full((len(annotators), len(items)), np.nan)
    for item, annotator, label in rows:
        data[annotators.index(annotator), items.index(item)] = label
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return finite_or_none(
                krippendorff.alpha(reliability_data=data, value_domain=LABELS, level_of_measurement=level)
            )
    except ValueError:
        return None


def fleiss(rows):
    tables = [np.bincount(labels, minlength=5) for labels in by_item(rows).values() if len(labels) >= 2]
    if not tables:
        return None, "none"
    table = np.array(tables, dtype=float)
    sizes = table.sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if (sizes == sizes[0]).all():
            return finite_or_none(fleiss_kappa(table, method="fleiss")), "statsmodels"
        # The formula, item by item.
        p_i = [((t * t).sum() - n) / (n * (n - 1)) for t, n in zip(table, sizes)]
        p_bar = sum(p_i) / len(p_i)
        p_j = table.sum(axis=0) / sizes.sum()
        p_e = (p_j * p_j).sum()
        if p_e == 1.0:
            return None, "formula"
        return (p_bar - p_e) / (1 - p_e), "formula"


def cohen(rows):
    labels = {(item, annotator): label for item, annotator, label in rows}
    annotators = sorted({r[1] for r in rows})
    items = sorted({r[0] for r in rows})
    out = []
    for a, b in itertools.combinations(annotators, 2):
        shared = [i for i in items if (i, a) in labels and (i, b) in labels]
        if not shared:
            continue
        ya = [labels[(i, a)] for i in shared]
        yb = [labels[(i, b)] for i in shared]
        entry = {"a": a, "b": b, "n": len(shared)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, weights in [("unweighted", None), ("linear", "linear"), ("quadratic", "quadratic")]:
                entry[name] = finite_or_none(cohen_kappa_score(ya, yb, labels=LABELS, weights=weights))
        out.append(entry)
    return out


def expected(name, rows):
    p, pd, pairs = pairwise(rows)
    f, source = fleiss(rows)
    return {
        "name": name,
        "annotations": rows,
        "pairs": pairs,
        "pairwise": p,
        "pairwise_directional": pd,
        "fleiss_kappa": f,
        "fleiss_source": source,
        "krippendorff_alpha": {lvl: alpha(rows, lvl) for lvl in ["nominal", "ordinal", "interval"]},
        "cohen_kappa": cohen(rows),
    }


def versions():
    """The versions of the packages the figures come from, for the output file."""
    return {
        "numpy": np.__version__,
        "krippendorff": importlib.metadata.version("krippendorff"),
        "statsmodels": statsmodels.__version__,
        "scikit-learn": sklearn.__version__,
    }


def main():
    cases = []
    for seed in range(1, 7):
        rng = np.random.default_rng(1000 + seed)
        n_items = int(rng.integers(20, 80))
        n_annotators = int(rng.integers(3, 12))
        cases.append(expected(f"varied-{seed}", make_dataset(seed, n_items, n_annotators)))
    for seed, raters in [(11, 2), (12, 3), (13, 6)]:
        cases.append(expected(f"constant-{raters}-raters", make_dataset(seed, 40, 8, constant_raters=raters)))
    cases.append(expected("three-categories-used", make_dataset(21, 50, 6, categories=[0, 2, 3])))
    cases.append(expected("one-category-used", make_dataset(22, 10, 4, categories=[3])))
    cases.append(expected("no-item-with-two-labels", [["item-0", "w0", 1], ["item-1", "w1", 4]]))
    out = {
        "generator": "tests/reference/agreement_reference.py",
        "versions": versions(),
        "cases": cases,
    }
    path = pathlib.Path(__file__).with_name("agreement_reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
