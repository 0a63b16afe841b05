"""Rerank N models × K benchmarks: normalise, aggregate, CI, tie-aware rank, snapshot and publish,
against the Open LLM Leaderboard's way (one results JSON per model into pandas, average, sort).

    .venvs/platform/bin/python bench/rerank.py --models 10000 [--benchmarks 7] [--aggregation mean]

Prints figures; it is not a test. The warehouse (stderrs stored at load) and the JSON files are
built first, untimed; each step runs in a fresh process, whose peak RSS is reported (Linux
carries ru_maxrss across fork+exec, so the parent stays small).
Targets: < 2 s for 10k models, < 10 s for 100k, peak memory <= 2 GB."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

RUN_AT = "2026-01-01T00:00:00+00:00"


def build(work: Path, n_models: int, n_bench: int, seed: int = 0) -> None:
    from leaderboard import warehouse
    rng = np.random.default_rng(seed)
    benches = [f"bench_{b}" for b in range(n_bench)]
    baselines = [0.0 if b % 3 == 0 else 0.25 for b in range(n_bench)]
    skill = rng.uniform(0.1, 0.95, n_models)
    with warehouse.connect(work / "warehouse.duckdb") as con:
        con.execute("INSERT INTO suite_versions VALUES ('sv1', 'bench', 'bench suite', 'h', '[]', ?)", [RUN_AT])
        for b, base in zip(benches, baselines):
            con.execute("INSERT INTO suite_benchmarks VALUES ('sv1', ?, 1, ?, 'f', 'acc,none', ?, 200, 'x', 'y')",
                        [b, b, base])
        models = pa.table({"model_id": [f"org/model-{i:06d}" for i in range(n_models)],
                           "parameters": rng.integers(1, 200, n_models) * 1_000_000_000})
        con.register("m", models)
        con.execute("INSERT INTO models (model_id, revision, source, architecture, parameters, precision, license) "
                    "SELECT model_id, 'main', 'local', 'Llama', parameters, 'bf16', 'mit' FROM m")
        con.unregister("m")
        ids = np.repeat(models.column("model_id").to_numpy(zero_copy_only=False), n_bench)
        bench = np.tile(np.array(benches, dtype=object), n_models)
        score = np.clip(np.repeat(skill, n_bench) + rng.normal(0, 0.05, n_models * n_bench), 0, 1)
        stderr = np.sqrt(score * (1 - score) / 200)
        n = len(ids)
        results = pa.table({
            "result_id": [f"r{i}" for i in range(n)], "model_id": ids, "revision": ["main"] * n,
            "suite": ["bench"] * n, "suite_version": ["sv1"] * n, "benchmark": bench,
            "benchmark_version": pa.array(np.ones(n, dtype=np.int32)), "primary_metric": ["acc,none"] * n,
            "score": score, "stderr": stderr, "n_samples": pa.array(np.full(n, 200, dtype=np.int32)),
            "metrics": ["{}"] * n, "evaluated_at": [RUN_AT] * n, "run_id": ["bench"] * n, "document": ["{}"] * n,
        }, schema=warehouse._RESULTS_SCHEMA)
        warehouse.upsert_results(con, results, warehouse._SAMPLES_SCHEMA.empty_table())
    peer = work / "peer"
    peer.mkdir()
    for i in range(n_models):  # one results JSON per model, as the Open LLM Leaderboard stores them
        doc = {"config": {"model_name": f"org/model-{i:06d}"},
               "results": {b: {"acc": float(score[i * n_bench + k]), "acc_stderr": float(stderr[i * n_bench + k])}
                           for k, b in enumerate(benches)}}
        (peer / f"{i:06d}.json").write_text(json.dumps(doc))
    (work / "baselines.json").write_text(json.dumps(dict(zip(benches, baselines))))


def phase_publish(work: Path, aggregation: str) -> dict:
    from leaderboard import warehouse
    from leaderboard.publish import publish
    from leaderboard.ranking import load_ranking_config, RankingConfig
    config = RankingConfig(aggregation, load_ranking_config().weights)
    with warehouse.connect(work / "warehouse.duckdb") as con:
        start = time.perf_counter()
        info = publish(con, work / "published" / "leaderboard.duckdb", RUN_AT, config)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "snapshot_id": info["snapshot_id"], "ranked": sum(info["ranked_models"].values())}


def phase_peer(work: Path) -> dict:
    import pandas as pd
    baselines = json.loads((work / "baselines.json").read_text())
    start = time.perf_counter()
    rows = []
    for path in sorted((work / "peer").glob("*.json")):
        doc = json.loads(path.read_text())
        row = {"model": doc["config"]["model_name"]}
        row.update({b: r["acc"] for b, r in doc["results"].items()})
        rows.append(row)
    df = pd.DataFrame(rows)
    for b, base in baselines.items():
        df[b] = ((df[b] - base) / (1 - base)).clip(lower=0) * 100
    df["average"] = df[list(baselines)].mean(axis=1)
    df = df.sort_values("average", ascending=False)
    return {"seconds": time.perf_counter() - start, "ranked": len(df)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=int, default=7)
    parser.add_argument("--aggregation", default="mean")
    parser.add_argument("--phase", choices=["build", "publish", "peer"])
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.phase == "build":  # in its own process, so the timed ones fork from a small parent
        build(args.work, args.models, args.benchmarks)
        return
    if args.phase:
        result = phase_publish(args.work, args.aggregation) if args.phase == "publish" else phase_peer(args.work)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-rerank-"))
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--phase", "build", "--work", str(work), "--models", str(args.models),
                    "--benchmarks", str(args.benchmarks)], check=True)
    print(f"setup: {args.models} models × {args.benchmarks} benchmarks in {time.perf_counter() - start:.1f} s ({work})")

    def run(phase):
        out = subprocess.run([sys.executable, __file__, "--phase", phase, "--work", str(work),
                              "--aggregation", args.aggregation], check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    for label, phase in (("publish (first)", "publish"), ("publish (again, history 1)", "publish"), ("peer", "peer")):
        r = run(phase)
        print(f"{label:28s} {r['seconds']:7.3f} s   peak RSS {r['peak_rss_mb']:7.0f} MB   ranked {r['ranked']}"
              + (f"   snapshot {r['snapshot_id']}" if "snapshot_id" in r else ""))


if __name__ == "__main__":
    main()
