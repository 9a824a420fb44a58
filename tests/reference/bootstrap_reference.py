#!/usr/bin/env python3
"""An independent bootstrap of the agreement figures, for prefkit's
percentile intervals (`agreement.ci`).

Writes, under tests/fixtures/reference/:
  bootstrap_data.jsonl     a seeded dataset (missing data, 2-6 labels an item)
  bootstrap_reference.json the resample indices prefkit draws for seed 2007
                           (200 resamples; printed by the ignored test
                           `print_the_bootstrap_draws` of
                           tests/agreement_intervals.rs, which this script
                           runs), and the 95% intervals computed from them
                           here:

- each resample is a reliability matrix whose columns are the drawn items
  (an item drawn twice is two columns), and its alpha (nominal, ordinal,
  interval) comes from the `krippendorff` package;
- pairwise agreement and Fleiss' kappa by plain loops over the drawn items
  (agreement_reference.py's transcriptions);
- the interval is numpy's quantile (default method "linear", Hyndman & Fan
  definition 7) at 0.025 and 0.975 of the resampled values.

Run from the repository root: python3 tests/reference/bootstrap_reference.py
Needs numpy, krippendorff, statsmodels, scikit-learn, and cargo.
"""

import json
import os
import pathlib
import subprocess
import sys
import warnings

import krippendorff
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import agreement_reference as ref  # noqa: E402

OUT = os.path.join("tests", "fixtures", "reference")
LABELS = ["A>>", "A>", "=", "B>", "B>>"]
LEVEL = 0.95


def data():
    rng = np.random.default_rng(41)
    accuracy = rng.uniform(0.4, 0.95, 6)
    rows = []
    for i in range(70):
        truth = int(rng.integers(5))
        for a in rng.choice(6, size=int(rng.integers(1, 7)), replace=False):
            if rng.random() < accuracy[a]:
                label = truth
            else:
                label = int(min(max(truth + rng.choice([-1, 1]), 0), 4))
            rows.append([f"item-{i}", f"w{a}", label])
    with open(os.path.join(OUT, "bootstrap_data.jsonl"), "w") as f:
        for item, annotator, label in rows:
            f.write(json.dumps({"item": item, "annotator": annotator, "label": LABELS[label]}) + "\n")
    return rows


def draws():
    out = subprocess.run(
        ["cargo", "test", "--quiet", "--test", "agreement_intervals", "--", "--ignored",
         "--exact", "print_the_bootstrap_draws", "--nocapture"],
        check=True, capture_output=True, text=True,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("DRAWS "))
    return json.loads(line[len("DRAWS "):])


def alpha(labels_by_unit, annotators, level):
    data = np.full((len(annotators), len(labels_by_unit)), np.nan)
    for u, labels in enumerate(labels_by_unit):
        for annotator, label in labels:
            data[annotators.index(annotator), u] = label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(krippendorff.alpha(reliability_data=data, value_domain=[0, 1, 2, 3, 4],
                                        level_of_measurement=level))


def main():
    rows = data()
    d = draws()
    by_unit = {}
    for item, annotator, label in rows:
        by_unit.setdefault(item, []).append((annotator, label))
    assert d["units"] == [u for u in by_unit if len(by_unit[u]) >= 2], "unit order"
    annotators = sorted({r[1] for r in rows})
    values = {k: [] for k in ["pairwise", "pairwise_directional", "fleiss_kappa",
                              "nominal", "ordinal", "interval"]}
    for draw in d["draws"]:
        units = [by_unit[d["units"][u]] for u in draw]
        # The drawn items as rows of their own (one name per draw).
        resampled = [[f"draw-{k}", a, l] for k, unit in enumerate(units) for a, l in unit]
        p, pd, _ = ref.pairwise(resampled)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, _ = ref.fleiss(resampled)
        values["pairwise"].append(p)
        values["pairwise_directional"].append(pd)
        values["fleiss_kappa"].append(f)
        for level in ["nominal", "ordinal", "interval"]:
            values[level].append(alpha(units, annotators, level))
    lower = (1 - LEVEL) / 2
    intervals = {
        k: [float(np.quantile(v, lower)), float(np.quantile(v, 1 - lower))] for k, v in values.items()
    }
    out = dict(d)
    out.update({"level": LEVEL, "generator": "tests/reference/bootstrap_reference.py",
                "method": "krippendorff package and plain loops per resample, numpy quantile",
                "intervals": intervals})
    with open(os.path.join(OUT, "bootstrap_reference.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(json.dumps(intervals, indent=1))


if __name__ == "__main__":
    main()
