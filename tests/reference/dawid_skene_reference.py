"""Reference values for prefkit's Dawid-Skene, computed with crowd-kit.

Writes, under tests/fixtures/reference/:
  ds_patients.jsonl          the patient data of Dawid & Skene (1979), Table 1
  ds_patients_crowdkit.json  crowd-kit's DawidSkene fit of it
  ds_patients_repeated.jsonl, ds_patients_repeated_crowdkit.json
                             the same data as the paper models it: clinician
                             1's three ratings of each patient are repeated
                             ratings by one annotator "1" (read with
                             allow_repeats), and crowd-kit's fit of it
  ds_seeded.jsonl, ds_seeded_gold.jsonl   a seeded synthetic dataset
  ds_seeded_crowdkit.json    crowd-kit's fit of it, gold held (true_labels)
  ds_dense.jsonl, ds_dense_crowdkit.json   40 items labelled by 24 annotators
                             each (prefkit's log-space path: over 16 labels)
  ds_crowd_<items>_crowdkit.json   crowd-kit's DawidSkene(n_iter=100,
                             tol=1e-5) on prefkit's seeded simulated crowds of
                             100, 1,000 and 10,000 items (gold not held; the
                             1,000-item crowd also with gold held). The crowds
                             themselves are not stored: the test makes them
                             again with prefkit::simulate::crowd, and this
                             script with `prefkit bench data` (same bytes).

Run from the repository root:  python3 tests/reference/dawid_skene_reference.py
[PART ...], PART one of patients, patients_repeated, seeded, dense, crowds
(all of them by default).
Needs numpy, pandas and crowd-kit (checked with crowd-kit 1.4.2). CI does
not run this; the tests read the files it wrote.

Mapping to prefkit's data model: the paper's clinician 1 rated every
patient three times. In ds_patients.jsonl (one label per annotator and
item) the three ratings are three annotators "1a", "1b", "1c"; in
ds_patients_repeated.jsonl they are three ratings by annotator "1", as in
the paper, where they share one confusion matrix (crowd-kit, given the
three rows, sums them in its M-step and E-step as the paper does).
Clinicians 2-5 are "2".."5".
The four classes 1-4 become the labels A>>, A>, =, B> (codes 0-3).
"""

import json
import os
import subprocess
import tempfile

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

LABELS = ["A>>", "A>", "=", "B>", "B>>"]
OUT = os.path.join("tests", "fixtures", "reference")
N_ITER = 50

# Dawid & Skene (1979), Table 1: for each of 45 patients, clinician 1's
# three ratings, then clinicians 2, 3, 4 and 5.
PATIENTS = [
    [1, 1, 1, 1, 1, 1, 1], [3, 3, 3, 4, 3, 3, 4], [1, 1, 2, 2, 1, 2, 2],
    [2, 2, 2, 3, 1, 2, 1], [2, 2, 2, 3, 2, 2, 2], [2, 2, 2, 3, 3, 2, 2],
    [1, 2, 2, 2, 1, 1, 1], [3, 3, 3, 3, 4, 3, 3], [2, 2, 2, 2, 2, 2, 3],
    [2, 3, 2, 2, 2, 2, 3], [4, 4, 4, 4, 4, 4, 4], [2, 2, 2, 3, 3, 4, 3],
    [1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 3, 2, 1, 2], [1, 2, 1, 1, 1, 1, 1],
    [1, 1, 1, 2, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1],
    [2, 2, 2, 2, 2, 2, 1], [2, 2, 2, 1, 3, 2, 2], [2, 2, 2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2, 2, 1], [2, 2, 2, 3, 2, 2, 2], [2, 2, 1, 2, 2, 2, 2],
    [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [2, 3, 2, 2, 2, 2, 2],
    [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [1, 1, 2, 1, 1, 2, 1],
    [1, 1, 1, 1, 1, 1, 1], [3, 3, 3, 3, 2, 3, 3], [1, 1, 1, 1, 1, 1, 1],
    [2, 2, 2, 2, 2, 2, 2], [2, 2, 2, 3, 2, 3, 2], [4, 3, 3, 4, 3, 4, 3],
    [2, 2, 1, 2, 2, 3, 2], [2, 3, 2, 3, 2, 3, 3], [3, 3, 3, 3, 4, 3, 2],
    [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [1, 2, 1, 2, 1, 1, 1],
    [2, 3, 2, 2, 2, 2, 2], [1, 2, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2],
]
RATERS = ["1a", "1b", "1c", "2", "3", "4", "5"]


def fit(df, true_labels=None):
    # tol = -inf: run exactly N_ITER iterations, as the test does.
    ds = DawidSkene(n_iter=N_ITER, tol=-np.inf)
    ds.fit(df, true_labels=true_labels)
    probas = ds.probas_.reindex(columns=range(5), fill_value=0.0)
    priors = ds.priors_.reindex(range(5), fill_value=0.0)
    return {
        "n_iter": N_ITER,
        "labels": {str(t): LABELS[int(l)] for t, l in ds.labels_.items()},
        "posteriors": {str(t): [float(x) for x in row] for t, row in probas.iterrows()},
        "priors": [float(x) for x in priors],
        "crowd_kit": "1.4.2",
    }


def write_jsonl(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def write_and_fit(rows, name):
    """Writes `rows` as <name>.jsonl and crowd-kit's fit as <name>_crowdkit.json."""
    write_jsonl(os.path.join(OUT, f"{name}.jsonl"), rows)
    df = pd.DataFrame(
        [(r["item"], r["annotator"], LABELS.index(r["label"])) for r in rows],
        columns=["task", "worker", "label"],
    )
    with open(os.path.join(OUT, f"{name}_crowdkit.json"), "w") as f:
        json.dump(fit(df), f, indent=1)


def patients():
    rows = []
    for p, ratings in enumerate(PATIENTS, start=1):
        for rater, cls in zip(RATERS, ratings):
            rows.append({"item": f"patient-{p:02d}", "annotator": rater, "label": LABELS[cls - 1]})
    write_and_fit(rows, "ds_patients")


def patients_repeated():
    rows = []
    for p, ratings in enumerate(PATIENTS, start=1):
        for k, (rater, cls) in enumerate(zip(RATERS, ratings)):
            # The annotation ids tell the three ratings of clinician 1 apart.
            rows.append({
                "id": f"p{p:02d}-{k}", "item": f"patient-{p:02d}",
                "annotator": rater[0], "label": LABELS[cls - 1],
            })
    write_and_fit(rows, "ds_patients_repeated")


def seeded():
    rng = np.random.default_rng(20261125)
    n_items, n_workers, per_item = 300, 12, 4
    truth = rng.choice(5, size=n_items, p=[0.2, 0.3, 0.15, 0.25, 0.1])
    # Worker w answers the truth with probability acc[w], else a label
    # one step away (ordinal noise) or uniformly at random.
    acc = np.linspace(0.35, 0.9, n_workers)
    rows = []
    for i in range(n_items):
        for w in rng.choice(n_workers, size=per_item, replace=False):
            u = rng.random()
            if u < acc[w]:
                lab = truth[i]
            elif u < acc[w] + (1 - acc[w]) / 2:
                lab = int(np.clip(truth[i] + rng.choice([-1, 1]), 0, 4))
            else:
                lab = int(rng.integers(5))
            rows.append({"item": f"s{i:03d}", "annotator": f"w{w:02d}", "label": LABELS[int(lab)]})
    gold_items = list(range(0, n_items, 15))
    gold = [{"item": f"s{i:03d}", "label": LABELS[int(truth[i])]} for i in gold_items]
    write_jsonl(os.path.join(OUT, "ds_seeded.jsonl"), rows)
    write_jsonl(os.path.join(OUT, "ds_seeded_gold.jsonl"), gold)
    df = pd.DataFrame(
        [(r["item"], r["annotator"], LABELS.index(r["label"])) for r in rows],
        columns=["task", "worker", "label"],
    )
    true_labels = pd.Series({g["item"]: LABELS.index(g["label"]) for g in gold})
    out = fit(df, true_labels)
    out["truth_accuracy"] = float(
        np.mean([out["labels"][f"s{i:03d}"] == LABELS[int(truth[i])] for i in range(n_items)])
    )
    with open(os.path.join(OUT, "ds_seeded_crowdkit.json"), "w") as f:
        json.dump(out, f, indent=1)


def dense():
    rng = np.random.default_rng(1979)
    n_items, n_workers = 40, 24
    truth = rng.integers(5, size=n_items)
    acc = np.linspace(0.3, 0.8, n_workers)
    rows = []
    for i in range(n_items):
        for w in range(n_workers):
            lab = truth[i] if rng.random() < acc[w] else int(rng.integers(5))
            rows.append({"item": f"d{i:02d}", "annotator": f"v{w:02d}", "label": LABELS[int(lab)]})
    write_jsonl(os.path.join(OUT, "ds_dense.jsonl"), rows)
    df = pd.DataFrame(
        [(r["item"], r["annotator"], LABELS.index(r["label"])) for r in rows],
        columns=["task", "worker", "label"],
    )
    with open(os.path.join(OUT, "ds_dense_crowdkit.json"), "w") as f:
        json.dump(fit(df), f, indent=1)


# (items, annotators, seed) of the simulated crowds; the same in
# tests/dawid_skene.rs.
CROWDS = [(100, 20, 100), (1_000, 50, 1_000), (10_000, 200, 10_000)]


def crowd_rows(items, annotators, seed):
    """prefkit's seeded crowd, labels made canonical (a shown label with
    `swapped: true` is mirrored back, as prefkit's reader does)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["cargo", "run", "--quiet", "--", "bench", "data", "--dir", tmp,
             "--items", str(items), "--annotators", str(annotators), "--seed", str(seed)],
            check=True, stdout=subprocess.DEVNULL,
        )
        with open(os.path.join(tmp, "annotations.jsonl")) as f:
            rows = [json.loads(line) for line in f]
        with open(os.path.join(tmp, "gold.jsonl")) as f:
            gold = [json.loads(line) for line in f]
    df = pd.DataFrame(
        [
            (r["item"], r["annotator"], 4 - LABELS.index(r["label"]) if r["swapped"] else LABELS.index(r["label"]))
            for r in rows
        ],
        columns=["task", "worker", "label"],
    )
    true_labels = pd.Series({g["item"]: LABELS.index(g["label"]) for g in gold}, dtype=int)
    return df, true_labels


def crowd_fit(df, true_labels=None):
    ds = DawidSkene(n_iter=100, tol=1e-5)
    ds.fit(df, true_labels=true_labels)
    probas = ds.probas_.reindex(columns=range(5), fill_value=0.0)
    # Posteriors rounded to 1e-7 (the test compares to 1e-6), zeros as 0,
    # in the order of the items ("ex-0", "ex-1", ...).
    order = sorted(probas.index, key=lambda t: int(t.split("-")[1]))
    return {
        "n_iter": 100,
        "tol": 1e-5,
        "iterations": len(ds.loss_history_),
        "loss_history": [float(x) for x in ds.loss_history_],
        "items": order,
        "labels": "".join(str(int(ds.labels_[t])) for t in order),
        "posteriors": [[round(float(x), 7) or 0 for x in probas.loc[t]] for t in order],
        "crowd_kit": "1.4.2",
    }


def crowds():
    for items, annotators, seed in CROWDS:
        df, true_labels = crowd_rows(items, annotators, seed)
        out = {"items_in_crowd": items, "annotators": annotators, "seed": seed}
        out["free"] = crowd_fit(df)
        if items == 1_000:
            out["gold_held"] = crowd_fit(df, true_labels)
        with open(os.path.join(OUT, f"ds_crowd_{items}_crowdkit.json"), "w") as f:
            json.dump(out, f, separators=(",", ":"))


PARTS = {
    "patients": patients,
    "patients_repeated": patients_repeated,
    "seeded": seeded,
    "dense": dense,
    "crowds": crowds,
}

if __name__ == "__main__":
    import sys

    os.makedirs(OUT, exist_ok=True)
    for part in sys.argv[1:] or list(PARTS):
        PARTS[part]()
