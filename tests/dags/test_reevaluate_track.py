"""The reevaluate_track DAG: a planning task mapped into one evaluate_model trigger per model."""

from __future__ import annotations

import pytest


def test_reevaluate_track_shape(dagbag):
    dag = dagbag.get_dag("reevaluate_track")
    assert set(dag.task_dict) == {"plan_reevaluation", "queue_evaluation"}
    trigger = dag.task_dict["queue_evaluation"]
    assert trigger.partial_kwargs.get("trigger_dag_id", getattr(trigger, "trigger_dag_id", None)) == "evaluate_model" \
        or "evaluate_model" in str(trigger.partial_kwargs)
    assert dag.task_dict["plan_reevaluation"].downstream_task_ids == {"queue_evaluation"}


def test_reevaluate_track_params(dagbag):
    from airflow.sdk.definitions.param import ParamValidationError  # noqa: PLC0415

    params = dagbag.get_dag("reevaluate_track").params
    assert params.get_param("suite").resolve("standard") == "standard"
    assert params.get_param("from_suite_version").resolve("0123456789ab") == "0123456789ab"
    for bad in ("../x", "ABC", "0123"):
        with pytest.raises(ParamValidationError):
            params.get_param("from_suite_version").resolve(bad)
    with pytest.raises(ParamValidationError):
        params.get_param("suite").resolve("no-such-suite")
