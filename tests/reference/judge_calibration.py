"""Reference values for prefkit::judge::calibration.

Generates seeded judge/human label pairs with confidences and computes, with
scikit-learn and numpy, Cohen's kappa over the 5 labels (unweighted and
quadratic) and the 3 sides,
exact and directional agreement, and the 10-bin expected calibration error
(Guo et al. 2017, eq. 3). Writes tests/fixtures/judge_calibration_reference.json.

Run from the repository root: python3 tests/reference/judge_calibration.py
(needs numpy and scikit-learn; the Rust tests only read the JSON).
"""
import json
import numpy as np
from sklearn.metrics import cohen_kappa_score

LABELS = ["A>>", "A>", "=", "B>", "B>>"]
SIDE = [0, 0, 1, 2, 2]

rng = np.random.default_rng(20261125)
n = 400
human = rng.choice(5, size=n, p=[0.15, 0.3, 0.1, 0.3, 0.15])
agree = rng.random(n) < 0.65
ai = np.where(agree, human, rng.choice(5, size=n))
# Confidence is higher where the judge agrees, with noise; rounded so the
# JSON round trip is exact.
conf = np.clip(np.where(agree, rng.beta(6, 2, n), rng.beta(3, 3, n)), 0, 1).round(6)

side_ai = np.array([SIDE[i] for i in ai])
side_h = np.array([SIDE[i] for i in human])
hit = side_ai == side_h

bins = np.minimum((conf * 10).astype(int), 9)
ece = 0.0
table = []
for b in range(10):
    m = bins == b
    c = int(m.sum())
    if c:
        ece += c / n * abs(hit[m].mean() - conf[m].mean())
    table.append({"count": c,
                  "mean_confidence": float(conf[m].mean()) if c else None,
                  "agreement": float(hit[m].mean()) if c else None})

out = {
    "source": "tests/reference/judge_calibration.py (numpy default_rng(20261125), scikit-learn cohen_kappa_score)",
    "pairs": [{"ai": LABELS[a], "human": LABELS[h], "confidence": float(c)}
              for a, h, c in zip(ai, human, conf)],
    "exact_agreement": float((ai == human).mean()),
    "directional_agreement": float(hit.mean()),
    "kappa_5": float(cohen_kappa_score(ai, human, labels=[0, 1, 2, 3, 4])),
    "kappa_5_quadratic": float(cohen_kappa_score(ai, human, labels=[0, 1, 2, 3, 4], weights="quadratic")),
    "kappa_3": float(cohen_kappa_score(side_ai, side_h)),
    "ece_10_bins": float(ece),
    "bins": table,
}
with open("tests/fixtures/judge_calibration_reference.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(out["kappa_5"], out["kappa_3"], out["ece_10_bins"])
