"""All-pairs matching at scale, embeddings precomputed.

A synthetic corpus is built by perturbing the seed SOPs: each copy gets its own
office, drops a step now and then, and its vectors are the seed vectors plus
Gaussian noise (renormalised), so no model runs during the timing. Every size
runs in a fresh process, so each peak RSS is that size's own (it includes the
interpreter, numpy and the synthetic corpus itself).

Run: python -m benchmarks.bench_matching [--sizes 500 5000 20000] [--encoder tfidf]
Targets (issue #3, 2 cores): 5,000 SOPs in under 10 s and 2 GB; 20,000 SOPs in
under 60 s and 4 GB.

Where the cost goes:

* Quadratic: only the candidate search. Up to 400 SOPs every cross-office
  pair is scored; above that each SOP's 30 nearest neighbours by title vector
  and by mean step vector are found with ``embeddings.similarity.top_k_self``,
  which multiplies the vectors block by block (n x n / 2 x 384 multiply-adds
  per search, the ``search s`` column) but keeps only a running top-k per SOP,
  so memory stays linear and at most 60 pairs per SOP are scored, not n / 2.
* Linear in the candidate pairs: the five signals. ``CorpusIndex`` packs the
  corpus into flat arrays once; ``score_pairs`` handles one SOP against all its
  candidates with a few numpy calls (one small matrix product for the steps,
  sparse dot products for the rarity-weighted terms). A pair that cannot reach
  the ``related`` threshold even with perfect step coverage skips the steps.
* Lazy: reasons and step alignments are worked out only for pairs someone
  reads (``lazy ms/1k`` is the cost of reading both for 1,000 pairs).

The synthetic corpus is harsher than a real one: every SOP has hundreds of
copies in other offices, so almost every candidate pair is kept as equivalent
and the groups are huge.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import resource
import subprocess
import sys
import time

import numpy as np

from embeddings import get_encoder
from sopdata.ingest.corpus import load_corpus
from sopdata.matching.candidates import candidate_pairs
from sopdata.matching.groups import group_matches
from sopdata.matching.match import match_profiles
from sopdata.matching.profiles import SOPProfile, build_profiles
from tests.support.paths import ROOT


def synthetic_profiles(base: list[SOPProfile], n: int, seed: int = 7) -> list[SOPProfile]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        src = base[k % len(base)]
        sop = copy.copy(src.sop)
        sop.office = f"Kecamatan Sintetis {k // len(base):04d}"
        sop.source_file = f"sintetis-{k:05d}.txt"
        keep = [i for i in range(len(src.step_vecs)) if rng.random() > 0.1] or list(
            range(len(src.step_vecs))
        )

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
                content_tf=dict(src.content_tf),
                step_grams=[src.step_grams[i] for i in keep],
                step_actions=[src.step_actions[i] for i in keep],
                encoder=src.encoder,
            )
        )
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, encoder: str) -> dict[str, float]:
    """Time matching of a synthetic corpus of ``n`` SOPs (in this process)."""
    base = build_profiles(load_corpus(), get_encoder(encoder))
    profiles = synthetic_profiles(base, n)
    sops = [p.sop for p in profiles]
    rss_before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    matches = match_profiles(profiles, align=True)
    groups = group_matches(sops, matches)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_peak = _rss_mb()
    sample = matches[:1000]
    t1 = time.perf_counter()
    for m in sample:
        _ = m.reasons, m.alignment
    lazy = (time.perf_counter() - t1) / max(len(sample), 1) * 1000 * 1000  # ms per 1,000 pairs
    t2 = time.perf_counter()
    first, _ = candidate_pairs(profiles)
    search = time.perf_counter() - t2
    return {
        "n": n,
        "candidates": len(first),
        "kept": len(matches),
        "groups": len(groups),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "search_seconds": search,
        "lazy_ms_per_1k": lazy,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    parser.add_argument("--encoder", default="e5")
    parser.add_argument(
        "--one", type=int, help=argparse.SUPPRESS
    )  # child process: one size, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.encoder)))
        return
    print(
        f"{'SOPs':>7} {'pairs scored':>12} {'of all':>7} {'kept':>8} {'groups':>6} {'time s':>7} "
        f"{'cpu s':>6} {'search s':>8} {'lazy ms/1k':>10} {'RSS MB':>7}"
    )
    result: dict[str, float | str] = {"bench": "matching"}
    done: list[dict[str, float]] = []
    for n in args.sizes:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_matching",
                "--one",
                str(n),
                "--encoder",
                args.encoder,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        done.append(r)
        result.update(
            {
                f"match_{n}_s": round(r["seconds"], 2),
                f"match_{n}_rss_mb": round(r["rss_peak_mb"]),
                f"match_{n}_search_s": round(r["search_seconds"], 2),
                f"match_{n}_pairs_scored_share": round(
                    r["candidates"] / max(n * (n - 1) / 2, 1), 5
                ),
            }
        )
        share = r["candidates"] / max(n * (n - 1) / 2, 1)
        print(
            f"{n:>7} {r['candidates']:>12,} {share:>7.1%} {r['kept']:>8,} {r['groups']:>6} "
            f"{r['seconds']:>7.2f} {r['cpu_seconds']:>6.1f} {r['search_seconds']:>8.2f} "
            f"{r['lazy_ms_per_1k']:>10.0f} "
            f"{r['rss_peak_mb']:>7.0f}",
            flush=True,
        )
    print(
        "time s: match_profiles + group_matches (wall clock); cpu s: CPU time of the process over "
        "the same span (both cores; on a busy machine wall time exceeds it); search s: the quadratic "
        "neighbour search inside it (none up to 400 SOPs: all pairs); lazy ms/1k: reading reasons and "
        "alignment of 1,000 pairs; RSS: peak of the process, synthetic corpus included."
    )
    # How cost grows: the exponent k in time ~ n^k between consecutive sizes
    # (1 = linear, 2 = quadratic), for the whole match and for the search alone.
    for a, b in zip(done, done[1:], strict=False):
        span = math.log(b["n"] / a["n"])
        whole = math.log(max(b["seconds"], 1e-3) / max(a["seconds"], 1e-3)) / span
        print(f"growth {a['n']:.0f} -> {b['n']:.0f} SOPs: time ~ n^{whole:.2f}")
        result[f"match_growth_{a['n']:.0f}_{b['n']:.0f}"] = round(whole, 2)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
