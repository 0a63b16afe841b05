"""The API's endpoints against a snapshot published from a real warehouse (see conftest.py)."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from leaderboard.ranking import wilson
from tests.api.conftest import LATE_MODEL, MODELS

API = "/api/v1"
RANKED = {m for m, spec in MODELS.items() if spec[5] is not None} | {LATE_MODEL[0]}


def board(client, **params) -> dict:
    response = client.get(f"{API}/leaderboard", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: dict) -> list[str]:
    return [r["model_id"] for r in page["rows"]]


def test_default_track_lists_ranked_models_in_rank_order(client, published):
    page = board(client)
    assert page["snapshot_id"] == published.second["snapshot_id"]
    assert page["track"] == {"suite": "ci", "suite_version": published.suite_version}
    assert set(ids(page)) == RANKED and page["total"] == len(RANKED)
    assert [r["position"] for r in page["rows"]] == list(range(1, len(RANKED) + 1))
    ranks = [r["rank"] for r in page["rows"]]
    assert ranks == sorted(ranks) and ids(page)[0] == "other/gamma-70b"
    alpha = next(r for r in page["rows"] if r["model_id"] == "org/alpha-7b")
    assert (alpha["model_type"], alpha["license"], alpha["precision"], alpha["parameters"]) == (
        "chat", "apache-2.0", "bfloat16", 7_000_000_000)
    assert alpha["ci_low"] < alpha["average"] < alpha["ci_high"]
    assert {s["benchmark"] for s in alpha["scores"]} == {"arc_easy", "gsm8k"}
    arc = next(s for s in alpha["scores"] if s["benchmark"] == "arc_easy")  # 3 of 4 items right
    assert arc["n_samples"] == 4 and arc["ci_method"] == "wilson"
    assert (arc["raw_ci_low"], arc["raw_ci_high"]) == pytest.approx(wilson(3, 4))
    assert arc["normalized_ci_low"] < arc["normalized_score"] < arc["normalized_ci_high"]


def test_track_by_suite_name_or_version_and_unknown_track(client, published):
    assert board(client, track="ci")["track"]["suite_version"] == published.suite_version
    assert board(client, track=published.suite_version)["total"] == len(RANKED)
    response = client.get(f"{API}/leaderboard", params={"track": "nosuchsuite"})
    assert response.status_code == 404 and response.json()["error"]["parameter"] == "track"


def test_incomplete_models_are_hidden_unless_asked(client):
    assert "other/delta-3b" not in ids(board(client))
    page = board(client, show_incomplete="true")
    delta = next(r for r in page["rows"] if r["model_id"] == "other/delta-3b")
    assert delta["complete"] is False and delta["rank"] is None and delta["missing_benchmarks"] == ["gsm8k"]


@pytest.mark.parametrize("params, expected", [
    ({"type": "chat"}, {"org/alpha-7b"}),
    ({"type": ["pretrained", "adapter"]}, {"org/beta-1b", "org/eps-13b", "new/zeta-2b"}),
    ({"type": "pretrained,adapter"}, {"org/beta-1b", "org/eps-13b", "new/zeta-2b"}),
    ({"license": "mit"}, {"org/beta-1b", "org/eps-13b"}),
    ({"precision": "bfloat16"}, {"org/alpha-7b", "other/gamma-70b", "org/eps-13b", "new/zeta-2b"}),
    ({"min_params": 5, "max_params": 20}, {"org/alpha-7b", "org/eps-13b"}),
    ({"max_params": 2}, {"org/beta-1b", "new/zeta-2b"}),
    ({"search": "ORG"}, {"org/alpha-7b", "org/beta-1b", "org/eps-13b"}),
    ({"search": "org 7b"}, {"org/alpha-7b"}),
    ({"search": ["other", "70"]}, {"other/gamma-70b"}),
    ({"search": "no-such-model"}, set()),
    ({"min_params": 9, "max_params": 1}, set()),
    ({"type": "merge", "show_incomplete": "true"}, {"other/delta-3b"}),
])
def test_filters_change_the_rows(client, params, expected):
    page = board(client, **params)
    assert set(ids(page)) == expected and page["total"] == len(expected)


@pytest.mark.parametrize("column", ["average", "parameters", "model_id", "license", "ci_high", "evaluated_at"])
def test_sort_on_a_column_both_ways(client, column):
    def key(r):
        return (r[column] is None, r[column])
    asc = board(client, sort=column, order="asc", show_incomplete="true")["rows"]
    desc = board(client, sort=column, order="desc", show_incomplete="true")["rows"]
    values = [r[column] for r in sorted(asc, key=key)]
    assert [r[column] for r in asc] == values
    assert [r[column] for r in desc] == sorted(values, reverse=True)


def test_pagination_is_bounded_and_consistent(client):
    full = ids(board(client, show_incomplete="true"))
    pages = [ids(board(client, show_incomplete="true", limit=2, offset=o)) for o in range(0, len(full), 2)]
    assert [m for p in pages for m in p] == full
    past_the_end = board(client, offset=1000)
    assert past_the_end["rows"] == [] and past_the_end["total"] == len(RANKED)
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}):
        response = client.get(f"{API}/leaderboard", params=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["parameter"] == next(iter(bad))


def test_fields_select_columns(client):
    page = board(client, fields="model_id,average")
    assert all(set(r) == {"model_id", "average"} for r in page["rows"])
    response = client.get(f"{API}/leaderboard", params={"fields": "model_id,password"})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "fields"


@pytest.mark.parametrize("params, parameter", [
    ({"sort": "drop"}, "sort"), ({"order": "sideways"}, "order"), ({"type": "robot"}, "type"),
    ({"min_params": -1}, "min_params"), ({"max_params": "big"}, "max_params"), ({"license": "a b"}, "license"),
    ({"search": "x" * 201}, "search"), ({"track": "../ci"}, "track"),
    ({"as_of": "yesterday"}, "as_of"), ({"show_incomplete": "maybe"}, "show_incomplete"),
])
def test_bad_parameters_are_named(client, params, parameter):
    response = client.get(f"{API}/leaderboard", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_as_of_shows_an_earlier_snapshot(client, published):
    old = board(client, as_of=published.first["snapshot_id"])
    assert set(ids(old)) == RANKED - {LATE_MODEL[0]} and old["as_of"] == published.first["snapshot_id"]
    response = client.get(f"{API}/leaderboard", params={"as_of": "0" * 16})
    assert response.status_code == 404 and response.json()["error"]["parameter"] == "as_of"


def test_etag_cache_control_and_304(client, published):
    response = client.get(f"{API}/leaderboard")
    etag = response.headers["etag"]
    assert published.second["snapshot_id"] in etag and "max-age" in response.headers["cache-control"]
    again = client.get(f"{API}/leaderboard", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(f"{API}/benchmarks", headers={"If-None-Match": etag}).status_code == 304
    stale = client.get(f"{API}/leaderboard", headers={"If-None-Match": '"0000000000000000-1"'})
    assert stale.status_code == 200


def test_model_page(client, published):
    response = client.get(f"{API}/models/org/alpha-7b")
    assert response.status_code == 200
    page = response.json()
    assert page["model_id"] == "org/alpha-7b"
    assert page["revisions"][0]["model_type"] == "chat"
    assert page["revisions"][0]["hub_url"] == "https://huggingface.co/org/alpha-7b"
    assert [s["rank"] for s in page["standings"]] == [1]  # 2 to 4 items per benchmark: wide intervals, tied with the top
    arc = next(r for r in page["results"] if r["benchmark"] == "arc_easy")
    assert arc["raw_score"] == pytest.approx(0.75)
    assert (arc["raw_ci_low"], arc["raw_ci_high"]) == pytest.approx(wilson(3, 4))  # not 0.75 ± 1.96 * 0.05
    assert arc["n_samples"] == 4 and arc["ci_method"] == "wilson"
    assert arc["normalized_ci_low"] <= arc["normalized_score"] <= arc["normalized_ci_high"]
    assert arc["manifest"]["benchmark"]["name"] == "arc_easy" and "versions" in arc["manifest"]
    assert [h["snapshot_id"] for h in page["history"]] == [published.first["snapshot_id"],
                                                            published.second["snapshot_id"]]
    assert [e["status"] for e in page["submissions"][0]["events"]] == ["pending", "evaluating", "completed"]


def test_unknown_and_malformed_models(client):
    missing = client.get(f"{API}/models/org/nobody")
    assert missing.status_code == 404 and missing.json()["error"]["parameter"] == "org/name"
    bad = client.get(f"{API}/models/org/bad name")
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "name"
    impossible = client.get(f"{API}/models/org/bad..name")  # matches the pattern, but no id may hold '..'
    assert impossible.status_code == 404 and impossible.json()["error"]["parameter"] == "org/name"


def test_samples_filter_and_paginate(client):
    url = f"{API}/models/org/alpha-7b/samples"
    everything = client.get(url).json()
    assert everything["total"] == 8 and len(everything["samples"]) == 8
    arc = client.get(url, params={"benchmark": "arc_easy", "verdict": "incorrect"}).json()
    assert [(s["benchmark"], s["doc_id"], s["verdict"]) for s in arc["samples"]] == [("arc_easy", 3, "incorrect")]
    page = client.get(url, params={"limit": 3, "offset": 3}).json()
    assert page["total"] == 8 and [s["doc_id"] for s in page["samples"]] == [3, 0, 1]
    assert client.get(url, params={"offset": 100}).json()["total"] == 8
    assert client.get(url, params={"verdict": "maybe"}).json()["error"]["parameter"] == "verdict"
    assert client.get(f"{API}/models/org/nobody/samples").status_code == 404


def test_benchmarks_and_suites(client, published):
    benchmarks = client.get(f"{API}/benchmarks").json()["benchmarks"]
    assert [b["benchmark"] for b in benchmarks] == ["arc_easy", "gsm8k"]
    assert benchmarks[0]["tracks"][0]["suite_version"] == published.suite_version
    suites = client.get(f"{API}/suites").json()["suites"]
    assert [s["suite"] for s in suites] == ["ci"]
    version = suites[0]["versions"][0]
    assert version["changes"] == "first version" and version["ranked_models"] == len(RANKED)
    assert client.get(f"{API}/suites", params={"suite": "nope"}).status_code == 404


def test_snapshots_and_diff(client, published):
    first, second = published.first["snapshot_id"], published.second["snapshot_id"]
    listing = client.get(f"{API}/snapshots").json()
    assert listing["current"] == second and [s["snapshot_id"] for s in listing["snapshots"]] == [second, first]
    diff = client.get(f"{API}/snapshots/{first}/diff/{second}", params={"changed_only": "true"}).json()
    changes = {c["model_id"]: c["change"] for c in diff["changes"]}
    assert changes[LATE_MODEL[0]] == "added" and "unchanged" not in changes.values()
    assert client.get(f"{API}/snapshots/{first}/diff/{'f' * 16}").json()["error"]["parameter"] == "b"
    assert client.get(f"{API}/snapshots/nothex/diff/{second}").json()["error"]["parameter"] == "a"


def test_submissions_queue(client):
    queue = client.get(f"{API}/submissions").json()["submissions"]
    assert [s["submission_id"] for s in queue] == ["run-queued", "run-bad", "run-alpha"]
    assert [s["benchmarks"] for s in queue] == [[], [], []]  # none recorded in this fixture
    rejected = client.get(f"{API}/submissions", params={"status": "rejected"}).json()["submissions"]
    assert [(s["model_id"], s["reason"]) for s in rejected] == [("org/broken", "org/broken: no safetensors weights")]
    assert client.get(f"{API}/submissions", params={"status": "lost"}).json()["error"]["parameter"] == "status"


def test_exports_parse_and_honour_filters(client, published):
    expected = set(ids(board(client, license="apache-2.0")))
    as_json = client.get(f"{API}/export/leaderboard.json", params={"license": "apache-2.0"})
    assert as_json.headers["content-type"] == "application/json"
    assert {r["model_id"] for r in as_json.json()} == expected
    as_csv = client.get(f"{API}/export/leaderboard.csv", params={"license": "apache-2.0"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["model_id"] for r in rows} == expected and "score_arc_easy" in rows[0]
    as_parquet = client.get(f"{API}/export/leaderboard.parquet", params={"license": "apache-2.0"})
    table = pq.read_table(io.BytesIO(as_parquet.content))
    assert set(table.column("model_id").to_pylist()) == expected
    assert "attachment" in as_parquet.headers["content-disposition"]
    assert client.get(f"{API}/export/leaderboard.xlsx").status_code == 400


def test_duckdb_export_is_the_published_file(client, published, tmp_path):
    response = client.get(f"{API}/export/leaderboard.duckdb")
    assert response.status_code == 200 and response.content == published.path.read_bytes()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(response.content)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("SELECT snapshot_id FROM publication").fetchone()[0] == published.second["snapshot_id"]
    assert client.get(f"{API}/export/leaderboard.duckdb",
                      headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_openapi_and_docs(client):
    spec = client.get(f"{API}/openapi.json").json()
    for path in ("/leaderboard", "/models/{org}/{name}", "/models/{org}/{name}/samples", "/benchmarks", "/suites",
                 "/snapshots", "/snapshots/{a}/diff/{b}", "/submissions", "/export/leaderboard.{fmt}",
                 "/export/leaderboard.duckdb", "/health"):
        assert f"{API}{path}" in spec["paths"], path
    assert "422" not in json.dumps(spec["paths"])  # validation errors are documented as 400
    assert client.get(f"{API}/docs").status_code == 200


def test_missing_or_empty_snapshot_is_503(tmp_path):
    from fastapi.testclient import TestClient

    from leaderboard.api import create_app
    from tests.unit.builders import make_settings
    settings = make_settings(tmp_path)
    client = TestClient(create_app(settings))
    for path in ("/leaderboard", "/health", "/models/org/x", "/export/leaderboard.duckdb"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 503, path
        assert "published" in response.json()["error"]["message"]
    settings.published_path.parent.mkdir(parents=True)
    settings.published_path.write_bytes(b"")
    assert client.get(f"{API}/leaderboard").status_code == 503
    settings.published_path.write_bytes(b"not a duckdb file at all" * 100)
    assert client.get(f"{API}/leaderboard").status_code == 503
