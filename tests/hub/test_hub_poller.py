"""Polling: every new (model, sha) is found once, through huggingface_hub's listing of the
stand-in; the sense_hub_models DAG queues exactly those, run after run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from huggingface_hub import HfApi

from leaderboard.hub.poller import Filters, PollState, commit_poll, plan_poll, sense, state_path
from repos import repo_files
from tests.helpers import environment


@pytest.fixture
def api(hub_url):
    return HfApi(endpoint=hub_url, token=False)


def found(new):
    return sorted(s.model_id for s in new)


def test_each_new_sha_is_sensed_once(hub, api):
    for name in ("a", "b", "c"):
        hub.push(f"org/{name}", repo_files())
    new, state = sense(api, PollState(None, {}), Filters())
    assert found(new) == ["org/a", "org/b", "org/c"]
    again, state = sense(api, state, Filters())
    assert again == []
    sha = hub.push("org/b", repo_files(shape=[3, 3]))  # a new commit of a known model
    hub.push("org/d", repo_files())
    new, state = sense(api, state, Filters())
    assert [(s.model_id, s.sha) for s in sorted(new, key=lambda s: s.model_id)] == [
        ("org/b", sha), ("org/d", hub.repos["org/d"].main)]
    assert sense(api, state, Filters())[0] == []


def test_the_listing_stops_at_the_watermark(hub, api):
    for i in range(30):
        hub.push(f"org/m{i:02d}", repo_files(), notify=False)
    _, state = sense(api, PollState(None, {}), Filters())
    hub._clock += timedelta(hours=1)  # much later, one more push
    hub.push("org/late", repo_files())
    hub.requests.clear()
    new, _ = sense(api, state, Filters())
    assert found(new) == ["org/late"]
    assert [r[1] for r in hub.requests] == ["/api/models"], "one page, no further pages"


def test_filters_first_poll_and_opt_out(hub, api):
    hub.push("org/chatty", repo_files(), tags=["chat"])
    hub.push("org/plain", repo_files(), tags=[])
    hub.push("other/chatty", repo_files(), tags=["chat"])
    hub.push("org/vision", repo_files(), tags=["chat"], pipeline_tag="image-classification")
    hub.push("org/jax", repo_files(), tags=["chat"], library_name="jax")
    wanted = Filters(authors=("org",), tags=("chat",), task="text-generation", library="transformers")
    assert found(sense(api, PollState(None, {}), wanted)[0]) == ["org/chatty"]
    assert found(sense(api, PollState(None, {}), Filters(), opt_out=frozenset({"org"}))[0]) == ["other/chatty"]
    new, state = sense(api, PollState(None, {}), Filters(), backfill=False)
    assert new == [] and len(state.seen) == 5, "without backfill the first poll only takes note"
    hub.push("org/fresh", repo_files())
    assert found(sense(api, state, Filters())[0]) == ["org/fresh"]


def test_state_is_committed_only_after_queueing(hub, api, hub_config, tmp_path):
    hub.push("org/a", repo_files())
    plan = plan_poll(api, hub_config, tmp_path, "run-1", Filters(), "ci", backfill=True)
    sha = hub.repos["org/a"].main
    assert plan == [{"trigger_run_id": f"poll__org--a__{sha}__ci",
                     "conf": {"model_id": "org/a", "revision": sha, "suite": "ci"}}]
    assert not state_path(tmp_path).exists()
    assert plan_poll(api, hub_config, tmp_path, "run-2", Filters(), "ci", backfill=True) == plan, "not committed"
    commit_poll(tmp_path, "run-2")
    assert plan_poll(api, hub_config, tmp_path, "run-3", Filters(), "ci", backfill=True) == []


def evaluate_runs():
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        return sorted(r.run_id for r in session.query(DagRun).filter(DagRun.dag_id == "evaluate_model",
                                                                    DagRun.run_id.like("poll__%")))


def triggered(run) -> int:
    """How many queue_evaluation tasks of this sense_hub_models run triggered a run."""
    from airflow.utils.session import create_session

    with create_session() as session:
        return sum(1 for ti in run.get_task_instances(session=session)
                   if ti.task_id == "queue_evaluation" and ti.state == "success")


def test_sense_hub_models_dag_queues_exactly_the_new_models_once(dagbag, hub, hub_url, tmp_path):
    hub.push("org/first", repo_files())
    hub.push("org/second", repo_files())
    dag = dagbag.get_dag("sense_hub_models")
    conf = {"authors": [], "tags": [], "task": "text-generation", "library": "transformers", "suite": "ci",
            "backfill": True}
    with environment(LEADERBOARD_HOME=str(tmp_path), LEADERBOARD_HUB_ENDPOINT=hub_url):
        before = evaluate_runs()
        run = dag.test(run_conf=conf)
        assert run.state == "success" and triggered(run) == 2
        first = sorted(set(evaluate_runs()) - set(before))
        assert first == sorted(f"poll__org--{n}__{hub.repos[f'org/{n}'].main}__ci" for n in ("first", "second"))
        sha = hub.push("org/second", repo_files(shape=[5]))
        run = dag.test(run_conf=conf)
        assert run.state == "success" and triggered(run) == 1
        second = sorted(set(evaluate_runs()) - set(before) - set(first))
        assert second == [f"poll__org--second__{sha}__ci"]
        run = dag.test(run_conf=conf)
        assert run.state == "success" and triggered(run) == 0
        assert sorted(set(evaluate_runs()) - set(before)) == sorted(first + second), "nothing queued twice"
