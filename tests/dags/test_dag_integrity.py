"""Every DAG imports, declares its owner, tags and retries, and rejects bad parameters."""

from __future__ import annotations

import pytest

EXPECTED_DAGS = {"evaluate_model", "sense_hub_models"}


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert EXPECTED_DAGS <= set(dagbag.dag_ids)


def test_dags_have_tags_owner_retries_and_docs(dagbag):
    for dag_id in dagbag.dag_ids:
        dag = dagbag.get_dag(dag_id)
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no doc_md"
        assert dag.default_args.get("owner") not in (None, "airflow"), f"{dag_id} has no owner"
        assert dag.default_args.get("retries", 0) >= 1, f"{dag_id} has no retries"


def test_evaluate_model_shape(dagbag):
    dag = dagbag.get_dag("evaluate_model")
    assert set(dag.task_dict) == {"register_submission", "resolve_model", "mark_evaluating", "run_benchmark",
                                  "load_results", "publish_leaderboard", "report_outcome"}
    # Warehouse writers share the one-slot pool; benchmarks are mapped, one task per benchmark.
    assert dag.task_dict["load_results"].pool == "leaderboard_warehouse"
    assert dag.task_dict["publish_leaderboard"].pool == "leaderboard_warehouse"
    assert dag.task_dict["register_submission"].pool == "leaderboard_warehouse"  # pending, validating
    assert dag.task_dict["mark_evaluating"].pool == "leaderboard_warehouse"
    assert dag.task_dict["run_benchmark"].pool == "leaderboard_evaluation"
    assert dag.task_dict["resolve_model"].retries == 0  # bad input fails fast


@pytest.mark.parametrize("model_id", ["../../etc/passwd", "no-slash", "a/b/c", "a b/c", "a/b;rm -rf /", "$(id)/x", ""])
def test_bad_model_ids_are_rejected_by_the_trigger_form(dagbag, model_id):
    from airflow.sdk.definitions.param import ParamValidationError  # noqa: PLC0415

    params = dagbag.get_dag("evaluate_model").params
    with pytest.raises(ParamValidationError):
        params.get_param("model_id").resolve(model_id)


def test_unknown_suite_is_rejected(dagbag):
    from airflow.sdk.definitions.param import ParamValidationError  # noqa: PLC0415

    with pytest.raises(ParamValidationError):
        dagbag.get_dag("evaluate_model").params.get_param("suite").resolve("no-such-suite")


def test_good_params_validate(dagbag):
    params = dagbag.get_dag("evaluate_model").params
    assert params.get_param("model_id").resolve("HuggingFaceTB/SmolLM2-135M-Instruct")
    assert params.get_param("revision").resolve("0123abcd")
    assert params.get_param("suite").resolve("smoke") == "smoke"


def test_dags_parse_without_the_secret_files_only_workers_mount(airflow_db, monkeypatch, tmp_path):
    """Parsing needs the policy, not the secrets: a scheduler without the token file still parses."""
    from airflow.dag_processing.dagbag import DagBag  # noqa: PLC0415

    from tests.helpers import REPO  # noqa: PLC0415

    for name in ("LEADERBOARD_HUB_TOKEN_FILE", "LEADERBOARD_WEBHOOK_SECRET_FILE"):
        monkeypatch.setenv(name, str(tmp_path / "not-mounted"))
    assert DagBag(dag_folder=str(REPO / "dags")).import_errors == {}


def test_an_unreadable_secret_file_is_named_when_the_config_is_read(monkeypatch, tmp_path):
    from leaderboard.hub.config import HubConfigError, load_hub_config  # noqa: PLC0415

    monkeypatch.setenv("LEADERBOARD_HUB_TOKEN_FILE", str(tmp_path / "not-mounted"))
    with pytest.raises(HubConfigError, match="LEADERBOARD_HUB_TOKEN_FILE=.*not-mounted"):
        load_hub_config()


def test_evaluate_model_runs_have_a_timeout_from_the_settings(dagbag):
    """A stuck run ends failed (and the run failure listener records why): LEADERBOARD_RUN_TIMEOUT_S."""
    from datetime import timedelta  # noqa: PLC0415

    from leaderboard.settings import load_settings  # noqa: PLC0415

    timeout = dagbag.get_dag("evaluate_model").dagrun_timeout
    assert timeout == timedelta(seconds=load_settings().run_timeout_s)
    # longer than one benchmark may take, so the timeout never ends a run a benchmark timeout would
    assert timeout > dagbag.get_dag("evaluate_model").task_dict["run_benchmark"].execution_timeout
