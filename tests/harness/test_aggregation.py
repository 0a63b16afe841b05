"""How the harness pools a benchmark made of subtasks (MMLU): micro-averaged overall metrics
that equal the mean of the per-sample scores, per-subject metrics beside them, unique doc_ids."""

from __future__ import annotations

import math

from run_benchmark import DOC_ID_STRIDE, metrics_of, micro_average, sample_records


def mc_sample(doc_id: int, correct: bool) -> dict:
    # a multiple-choice lm-eval sample record, as simple_evaluate(log_samples=True) returns it
    logliks = [-1.0, -2.0, -3.0, -4.0] if correct else [-4.0, -1.0, -3.0, -2.0]
    return {"doc_id": doc_id, "filter": "none", "metrics": ["acc"], "acc": 1.0 if correct else 0.0,
            "arguments": [("ctx", f" {c}") for c in "ABCD"], "filtered_resps": [(ll, False) for ll in logliks],
            "target": 0}


def test_subtask_samples_get_their_subject_block_of_doc_ids():
    records, tokens = sample_records([mc_sample(0, True), mc_sample(1, False)], "multiple_choice", "acc,none",
                                     tokenizer=None, doc_id_offset=3 * DOC_ID_STRIDE)
    assert [r["doc_id"] for r in records] == [300000, 300001]
    assert [(r["output"], r["target"], r["score"]) for r in records] == [("A", "A", 1.0), ("B", "A", 0.0)]
    assert tokens == 0


def test_micro_average_is_the_mean_over_all_samples_with_its_standard_error():
    records = [{"metrics": {"acc,none": v}} for v in (1, 0, 0, 1, 1)]
    pooled = micro_average(records)
    assert pooled["acc,none"]["value"] == 0.6
    assert math.isclose(pooled["acc,none"]["stderr"], math.sqrt(0.3 / 5))  # sample variance / n
    assert micro_average([{"metrics": {"acc,none": 1.0}}])["acc,none"]["stderr"] is None


def test_per_subject_metrics_keep_lm_evals_values_under_their_own_keys():
    lm_eval_results = {"alias": "x", "acc,none": 0.5, "acc_stderr,none": 0.1, "samples": 4}
    assert metrics_of(lm_eval_results, lambda key: f"{key}|subject=anatomy") == {
        "acc,none|subject=anatomy": {"value": 0.5, "stderr": 0.1}}
