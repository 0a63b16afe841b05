"""Generation-phase scorer of the code benchmarks (HumanEval, MBPP). It never runs the code.

Whether a completion passes is decided later, outside this process, by running it in the
sandbox (the platform's leaderboard.code_scoring). The one metric recorded here is whether the
program parses as Python: `ast.parse` builds a syntax tree and executes nothing."""

from __future__ import annotations

import ast


def program_text(doc: dict, completion: str) -> str:
    # HumanEval completes the function its `prompt` starts; MBPP completions are whole programs.
    return doc.get("prompt", "") + completion


def parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # ValueError: NUL bytes
        return False
    return True


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    return {"parses": float(parses(program_text(doc, results[0])))}
