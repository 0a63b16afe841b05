"""Ingest N models × K benchmarks × S per-item records into the warehouse through the real bulk
path (warehouse.upsert_results), each result's stderr computed in SQL from its item scores.

    .venvs/platform/bin/python bench/ingest.py --models 10000 [--benchmarks 7] [--samples 200] [--batch 500]

Prints figures; it is not a test. Generating the synthetic batches (Arrow, vectorised) is timed
apart from loading them. Target: 10,000 × 7 × 200 = 14 M records in < 60 s."""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leaderboard import warehouse

RUN_AT = "2026-01-01T00:00:00+00:00"


def batch(first: int, n_results: int, n_bench: int, n_samples: int, rng) -> tuple[pa.Table, pa.Table]:
    idx = np.arange(first, first + n_results)
    rid = pa.array([f"r{i:08d}" for i in idx])
    model = pa.array([f"org/model-{i // n_bench:06d}" for i in idx])
    bench = pa.array([f"bench_{i % n_bench}" for i in idx])
    p = rng.uniform(0.1, 0.95, n_results)
    correct = rng.random((n_results, n_samples)) < p[:, None]
    score = correct.astype(np.float64).ravel()
    n = n_results * n_samples
    doc = pa.array(np.tile(np.arange(n_samples, dtype=np.int32), n_results))
    doc_text = pc.cast(doc, pa.string())
    samples = pa.table({
        "result_id": pc.take(rid, pa.array(np.repeat(np.arange(n_results), n_samples))),
        "doc_id": doc,
        "prompt": pc.binary_join_element_wise("Question ", doc_text, "?\nAnswer:", ""),
        "output": pc.binary_join_element_wise("answer ", doc_text, ""),
        "extracted": pa.nulls(n, pa.string()),
        "target": pc.binary_join_element_wise("answer ", doc_text, ""),
        "verdict": pc.if_else(pa.array(correct.ravel()), "correct", "incorrect"),
        "score": score,
        "metrics": pc.if_else(pa.array(correct.ravel()), '{"acc,none":1.0}', '{"acc,none":0.0}'),
        "execution_status": pa.nulls(n, pa.string()), "execution_detail": pa.nulls(n, pa.string()),
    }, schema=warehouse._SAMPLES_SCHEMA)
    results = pa.table({
        "result_id": rid, "model_id": model, "revision": pa.array(["main"] * n_results),
        "suite": pa.array(["bench"] * n_results), "suite_version": pa.array(["sv1"] * n_results), "benchmark": bench,
        "benchmark_version": pa.array(np.ones(n_results, dtype=np.int32)),
        "primary_metric": pa.array(["acc,none"] * n_results), "score": correct.mean(axis=1),
        "stderr": pa.nulls(n_results, pa.float64()),  # computed from the items at load
        "n_samples": pa.array(np.full(n_results, n_samples, dtype=np.int32)),
        "metrics": pa.array(["{}"] * n_results), "evaluated_at": pa.array([RUN_AT] * n_results),
        "run_id": pa.array(["bench"] * n_results), "document": pa.array(['{"bench":true}'] * n_results),
    }, schema=warehouse._RESULTS_SCHEMA)
    return results, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=int, default=7)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500, help="results per transaction")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    rng = np.random.default_rng(0)
    total_results = args.models * args.benchmarks
    generate = load = 0.0
    with warehouse.connect(work / "warehouse.duckdb") as con:
        for first in range(0, total_results, args.batch):
            t0 = time.perf_counter()
            results, samples = batch(first, min(args.batch, total_results - first), args.benchmarks, args.samples, rng)
            t1 = time.perf_counter()
            warehouse.upsert_results(con, results, samples)
            t2 = time.perf_counter()
            generate, load = generate + t1 - t0, load + t2 - t1
        con.execute("CHECKPOINT")
        t3 = time.perf_counter()
        load += t3 - t2
        n_rows, n_res, n_stderr = con.execute(
            "SELECT (SELECT count(*) FROM samples), count(*), count(stderr) FROM results").fetchone()
    size = (work / "warehouse.duckdb").stat().st_size / 2**30
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingested {n_rows:,} records of {n_res:,} results ({n_stderr:,} stderrs computed) in batches of "
          f"{args.batch} results")
    print(f"load {load:.1f} s = {n_rows / load:,.0f} rows/s   (generating the data: {generate:.1f} s, untimed)")
    print(f"warehouse {size:.2f} GiB, peak RSS {peak:.0f} MB, at {work}")


if __name__ == "__main__":
    main()
