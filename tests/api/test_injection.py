"""Hostile values through every string parameter: each gets a 4xx or a correct empty answer,
never a 5xx, and the published file is left exactly as it was."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest

API = "/api/v1"
HOSTILE = [
    "'", '"', "' OR 1=1 --", "x'; DROP TABLE leaderboard; --", "1; DELETE FROM models", "%' OR '%'='",
    "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "org/../../secret", "\x00", "$model_id", "?", ":1",
    "ünïcødé 模型 🚀", "\u202e\u0000", "a" * 10_000, "*", "leaderboard.duckdb", "NULL",
]

# (path template, {parameter: a harmless value}) for every string parameter of the API
STRING_PARAMETERS = [
    ("/leaderboard", "track"), ("/leaderboard", "as_of"), ("/leaderboard", "type"),
    ("/leaderboard", "precision"), ("/leaderboard", "license"), ("/leaderboard", "search"),
    ("/leaderboard", "sort"), ("/leaderboard", "order"), ("/leaderboard", "fields"),
    ("/models/org/alpha-7b/samples", "benchmark"), ("/models/org/alpha-7b/samples", "verdict"),
    ("/models/org/alpha-7b/samples", "track"), ("/models/org/alpha-7b/samples", "revision"),
    ("/suites", "suite"), ("/submissions", "status"), ("/submissions", "model"),
    ("/export/leaderboard.csv", "search"), ("/export/leaderboard.json", "license"),
    ("/snapshots/{first}/diff/{second}", "track"),
]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def before(published):
    return digest(published.path)


@pytest.fixture(scope="module", autouse=True)
def file_untouched(published, before):
    yield
    assert digest(published.path) == before, "a request changed the published file"


def _check(response):
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 200 and response.headers["content-type"].startswith("text/csv"):
        assert len(response.text.splitlines()) == 1, "a hostile value matched something"  # the header only
    elif response.status_code == 200:
        body = response.json()
        found = body if isinstance(body, list) else next(
            body[k] for k in ("rows", "samples", "suites", "submissions", "changes") if k in body)
        assert found == [], f"a hostile value matched something: {str(found)[:300]}"
    else:
        assert 400 <= response.status_code < 500 and "error" in response.json()


@pytest.mark.parametrize("path, parameter", STRING_PARAMETERS)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:20]))
def test_query_parameters(client, published, path, parameter, value):
    url = API + path.format(first=published.first["snapshot_id"], second=published.second["snapshot_id"])
    _check(client.get(url, params={parameter: value}))


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:20]))
def test_path_parameters(client, published, value):
    segment = quote(value, safe="")
    second = published.second["snapshot_id"]
    for url in (f"{API}/models/{segment}/alpha-7b", f"{API}/models/org/{segment}", f"{API}/models/org/{segment}/samples",
                f"{API}/snapshots/{segment}/diff/{second}", f"{API}/snapshots/{second}/diff/{segment}"):
        response = client.get(url)
        assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("name", ["../leaderboard.duckdb", "..%2F..%2Fwarehouse.duckdb", "%2e%2e%2fwarehouse.duckdb",
                                  "leaderboard.duckdb%00.csv", "leaderboard.csv;rm", "leaderboard.CSV",
                                  "leaderboard.duckdb.tmp", "../../etc/passwd", "leaderboard.parquet/../../x"])
def test_export_names_cannot_escape(client, published, name):
    response = client.get(f"{API}/export/{name}")
    assert 400 <= response.status_code < 500, (name, response.status_code)
    assert response.content != published.path.read_bytes()


def test_search_terms_are_text_not_patterns(client):
    # LIKE and regex metacharacters match only themselves
    for term in ("%", "_", ".*", "[a-z]"):
        response = client.get(f"{API}/leaderboard", params={"search": term})
        assert response.status_code == 200 and response.json()["rows"] == [], term
