"""Parse throughput on the bundled seed corpus.

Run: python -m benchmarks.bench_parse [--repeat N]
Target (issue #2): the whole seed corpus parsed in well under half a second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sopdata.ingest.loaders import parse_document_text
from sopdata.resources import CORPUS_DIR


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--synthetic",
        type=int,
        default=5000,
        help="also parse a synthetic corpus of about this many SOPs (0: skip)",
    )
    args = parser.parse_args()
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS_DIR.glob("*.txt"))]
    size_kb = sum(len(t.encode("utf-8")) for _, t in texts) / 1024
    parse_document_text(texts[0][1], texts[0][0])  # import and regex compilation out of the timing
    timings = []
    n_sops = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n_sops = sum(len(parse_document_text(t, name)) for name, t in texts)
        timings.append(time.perf_counter() - t0)
    best, median = min(timings), statistics.median(timings)
    print(f"seed corpus: {len(texts)} files, {size_kb:.1f} KB, {n_sops} SOPs")
    print(
        f"parse time: median {median * 1000:.1f} ms, best {best * 1000:.1f} ms over {args.repeat} runs"
    )
    print(f"throughput: {size_kb / median:.0f} KB/s, {n_sops / median:.0f} SOPs/s")
    print(f"target < 500 ms: {'OK' if median < 0.5 else 'MISSED'}")
    result = {
        "bench": "parse",
        "seed_kb_per_s": round(size_kb / median),
        "seed_parse_s": round(median, 3),
    }
    if args.synthetic:
        # The seed documents again and again, each copy under its own office name
        # (file), until the corpus holds the requested number of SOPs.
        copies = -(-args.synthetic // n_sops)
        corpus = [
            (f"kecamatan-{k:04d}-{name}", text) for k in range(copies) for name, text in texts
        ]
        kb = sum(len(t.encode("utf-8")) for _, t in corpus) / 1024
        t0 = time.perf_counter()
        parsed = sum(len(parse_document_text(t, name)) for name, t in corpus)
        seconds = time.perf_counter() - t0
        print(
            f"synthetic corpus: {len(corpus)} files, {kb / 1024:.1f} MB, {parsed} SOPs parsed in {seconds:.1f} s "
            f"({kb / seconds:.0f} KB/s, {parsed / seconds:.0f} SOPs/s)"
        )
        result.update(
            {
                "synthetic_sops": parsed,
                "synthetic_parse_s": round(seconds, 2),
                "synthetic_kb_per_s": round(kb / seconds),
            }
        )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
