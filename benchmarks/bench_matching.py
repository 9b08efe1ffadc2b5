"""All-pairs matching at scale, embeddings precomputed.

A synthetic corpus is built by perturbing the seed SOPs: each copy gets its own
office, drops or duplicates a step now and then, and its vectors are the seed
vectors plus Gaussian noise (renormalised), so no model runs during the timing.

Run: python benchmarks/bench_matching.py [--sizes 500 5000] [--encoder tfidf]
Target (issue #3): 5,000 SOPs in under 10 s and 2 GB.
"""

from __future__ import annotations

import argparse
import copy
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embeddings import get_encoder  # noqa: E402
from sopdata.loaders import load_corpus  # noqa: E402
from sopdata.matching import SOPProfile, build_profiles, group_matches, match_profiles  # noqa: E402


def synthetic_profiles(base: list[SOPProfile], n: int, seed: int = 7) -> list[SOPProfile]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        src = base[k % len(base)]
        sop = copy.copy(src.sop)
        sop.office = f"Kecamatan Sintetis {k // len(base):04d}"
        sop.source_file = f"sintetis-{k:05d}.txt"
        keep = [i for i in range(len(src.step_vecs)) if rng.random() > 0.1] or list(range(len(src.step_vecs)))

        def jitter(v: np.ndarray) -> np.ndarray:
            w = v + nrng.normal(0, 0.02, v.shape).astype(np.float32)
            return (w / np.linalg.norm(w, axis=-1, keepdims=True)).astype(np.float32)

        out.append(
            SOPProfile(
                sop=sop,
                office=sop.office,
                title_vec=jitter(src.title_vec),
                step_vecs=jitter(src.step_vecs[keep]) if keep else src.step_vecs,
                title_terms=set(src.title_terms),
                actor_roles=set(src.actor_roles),
                content_terms=set(src.content_terms),
                step_grams=[src.step_grams[i] for i in keep],
                step_actions=[src.step_actions[i] for i in keep],
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--encoder", default="e5")
    args = parser.parse_args()
    sops = load_corpus()
    base = build_profiles(sops, get_encoder(args.encoder))
    print(f"{'SOPs':>7} {'pairs kept':>10} {'groups':>7} {'time s':>8} {'peak MB (py)':>13} {'max RSS MB':>11}")
    for n in args.sizes:
        profiles = synthetic_profiles(base, n)
        tracemalloc.start()
        t0 = time.perf_counter()
        matches = match_profiles(profiles, align=False)
        groups = group_matches([p.sop for p in profiles], matches)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>7} {len(matches):>10} {len(groups):>7} {elapsed:>8.2f} {peak / 2**20:>13.0f} {rss:>11.0f}")


if __name__ == "__main__":
    main()
