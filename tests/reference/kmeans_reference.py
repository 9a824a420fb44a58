"""Reference inertia of scikit-learn's k-means++ on seeded data.

Writes tests/fixtures/kmeans_reference.json: the data (rounded to float32
and 6 decimals, exactly as the Rust test reads it) and the inertia that
scikit-learn's KMeans (init="k-means++", Lloyd) reaches with n_init=10 and
with n_init=1. Run from the repository root:

    python3 tests/reference/kmeans_reference.py
"""

import json

import numpy as np
import sklearn
from sklearn.cluster import KMeans

SEED = 20260
N, DIM, BLOBS, K = 1500, 10, 8, 12

rng = np.random.default_rng(SEED)
centres = rng.uniform(-4.0, 4.0, size=(BLOBS, DIM))
sizes = rng.multinomial(N, [1.0 / BLOBS] * BLOBS)
spread = rng.uniform(1.0, 2.5, size=BLOBS)
x = np.vstack(
    [c + s * rng.standard_normal((m, DIM)) for c, s, m in zip(centres, spread, sizes)]
)
x = x[rng.permutation(N)]
x = np.round(x, 6).astype(np.float32).astype(np.float64)

inertia = {}
for n_init in (10, 1):
    km = KMeans(n_clusters=K, init="k-means++", n_init=n_init, algorithm="lloyd",
                random_state=SEED).fit(x)
    inertia[n_init] = float(km.inertia_)

out = {
    "generator": "tests/reference/kmeans_reference.py",
    "sklearn_version": sklearn.__version__,
    "seed": SEED,
    "n": N,
    "dim": DIM,
    "k": K,
    "sklearn_inertia_n_init_10": inertia[10],
    "sklearn_inertia_n_init_1": inertia[1],
    "data": [float(f"{v:.6f}") for v in x.ravel()],
}
with open("tests/fixtures/kmeans_reference.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"n_init=10: {inertia[10]:.6f}  n_init=1: {inertia[1]:.6f}")
