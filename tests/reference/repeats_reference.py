#!/usr/bin/env python3
"""Reference values for prefkit's figures with repeated ratings
(`allow_repeats`), from independent code.

Writes tests/fixtures/reference/repeats_reference.json: seeded datasets in
which some annotators rate some items two or three times, with

- Krippendorff's alpha from the `krippendorff` package. Its reliability
  data has one value per coder and unit, so the k-th rating of an item by
  annotator w is entered as coder "w#k": Krippendorff's coincidences pair
  every value in a unit whoever gave it, so this is alpha with m_u
  counting all values of the unit;
- Fleiss' kappa from statsmodels' `fleiss_kappa` on the table of all
  ratings per item (every item has the same number of ratings, repeats
  included, as Fleiss' n requires);
- Cohen's kappa from scikit-learn's `cohen_kappa_score` on each
  annotator's first rating of each item (input order);
- raw pairwise agreement and each annotator's self-consistency by plain
  loops over pairs of ratings within an item.

Label codes 0..4 stand for A>>, A>, =, B>, B>>.

Run: python3 tests/reference/repeats_reference.py
Needs: numpy, krippendorff, statsmodels, scikit-learn (the same as
agreement_reference.py, whose helpers it reuses).
"""

import itertools
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import agreement_reference as ref  # noqa: E402

SIDE = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2}


def make_dataset(seed, n_items, n_annotators, per_item):
    """Each item gets `per_item` ratings: distinct annotators first, then
    some of them again (a repeat is a fresh draw of the same annotator)."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.4, 0.95, n_annotators)
    rows = []
    for i in range(n_items):
        truth = int(rng.integers(5))
        distinct = int(rng.integers(2, per_item + 1))
        raters = list(rng.choice(n_annotators, size=distinct, replace=False))
        raters += list(rng.choice(raters, size=per_item - distinct, replace=True))
        for a in raters:
            if rng.random() < accuracy[a]:
                label = truth
            elif rng.random() < 0.5:
                label = int(min(max(truth + rng.choice([-1, 1]), 0), 4))
            else:
                label = int(rng.integers(5))
            rows.append([f"item-{i}", f"w{a}", label])
    order = rng.permutation(len(rows))
    return [rows[j] for j in order]


def as_coders(rows):
    """The k-th rating of (item, annotator) as coder "annotator#k"."""
    seen = {}
    out = []
    for item, annotator, label in rows:
        k = seen.get((item, annotator), 0)
        seen[(item, annotator)] = k + 1
        out.append([item, f"{annotator}#{k}", label])
    return out


def first_ratings(rows):
    seen = set()
    out = []
    for item, annotator, label in rows:
        if (item, annotator) not in seen:
            seen.add((item, annotator))
            out.append([item, annotator, label])
    return out


def self_consistency(rows):
    by_cell = {}
    for item, annotator, label in rows:
        by_cell.setdefault((annotator, item), []).append(label)
    out = {}
    for (annotator, _), labels in sorted(by_cell.items()):
        for x, y in itertools.combinations(labels, 2):
            e = out.setdefault(annotator, {"exact": 0, "directional": 0, "count": 0})
            e["count"] += 1
            e["exact"] += x == y
            e["directional"] += SIDE[x] == SIDE[y]
    for e in out.values():
        e["exact"] /= e["count"]
        e["directional"] /= e["count"]
    return out


def expected(name, rows):
    """agreement_reference's figures, with alpha, Cohen's kappa and
    self-consistency taken as the header says (pairwise agreement and
    Fleiss' kappa already count every rating of an item)."""
    out = ref.expected(name, rows)
    out["krippendorff_alpha"] = {
        lvl: ref.alpha(as_coders(rows), lvl) for lvl in ["nominal", "ordinal", "interval"]
    }
    out["cohen_kappa"] = ref.cohen(first_ratings(rows))
    out["self_consistency"] = self_consistency(rows)
    return out


def main():
    cases = [
        expected("repeats-4-ratings", make_dataset(31, 60, 6, 4)),
        expected("repeats-3-ratings", make_dataset(32, 80, 5, 3)),
        expected("repeats-6-ratings", make_dataset(33, 40, 8, 6)),
    ]
    out = {
        "generator": "tests/reference/repeats_reference.py",
        "versions": ref.versions(),
        "cases": cases,
    }
    path = pathlib.Path("tests/fixtures/reference/repeats_reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
