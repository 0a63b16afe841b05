"""MATH answer equivalence, scored with Hugging Face's math-verify.

math-verify extracts the final answer of a generation (the last \\boxed{...}, or "the final
answer is $...$", else the last expression) and compares it with the reference symbolically:
LaTeX is normalised (\\dfrac, \\left/\\right, spaces, units and \\text{}), numbers are compared
as values (1/2 == 0.5 == \\frac{1}{2}), and sets, intervals, tuples and equations are compared
element by element. It is the maintained successor of the Minerva-style normalisation in
lm-eval's minerva_math utils.

lm-eval calls process_results(doc, results) with the task's (unfiltered) generations.
"""

from __future__ import annotations

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

# Generations are free text: accept LaTeX (boxed, $...$) and plain expressions ("x = 1/2").
PREDICTION_CONFIG = (LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig())
# References are LaTeX answers without delimiters, e.g. "\\frac{14}{3}" or "\\text{(C)}".
GOLD_CONFIG = (LatexExtractionConfig(),)


def parse_reference(answer: str) -> list:
    return parse(f"${answer}$", extraction_config=GOLD_CONFIG)


def parse_prediction(text: str) -> list:
    return parse(text, extraction_config=PREDICTION_CONFIG)


def extract_answer(text: str) -> str | None:
    """The answer math-verify finds in a generation, as a string (None if it finds none)."""
    parsed = parse_prediction(text)
    return str(parsed[-1]) if parsed else None


def is_equivalent(reference: str, generation: str) -> bool:
    """Whether the generation's final answer equals the reference answer."""
    gold, pred = parse_reference(reference), parse_prediction(generation)
    if not gold or not pred:
        return False
    return bool(verify(gold, pred))


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    return {"exact_match": 1.0 if is_equivalent(doc["answer"], results[0]) else 0.0}
