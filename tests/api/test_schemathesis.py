"""schemathesis against the live OpenAPI spec of `python -m leaderboard.api` on loopback:
every check (server errors, status codes, content types, headers, response schemas, positive and
negative data) over a bounded number of examples with a fixed seed.

Path and query parameters draw half of their values from ids that exist in the snapshot, so
the fuzzing reaches the model, samples and diff pages instead of stopping at 404s.
The Hub webhook (POST /webhooks/hub) is the hub issue's and is fuzzed by its own tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import MODELS

ST = Path(sys.executable).with_name("st")


def test_schemathesis_finds_no_failures(live_api, published, tmp_path):
    orgs, names = zip(*(m.split("/") for m in MODELS))
    snapshots = [published.first["snapshot_id"], published.second["snapshot_id"]]
    dictionaries = {"orgs": sorted(set(orgs)), "names": sorted(names), "snapshots": snapshots,
                    "tracks": ["ci", published.suite_version], "models": sorted(MODELS)}
    bindings = {"path.org": "orgs", "path.name": "names", "path.a": "snapshots", "path.b": "snapshots",
                "query.as_of": "snapshots", "query.track": "tracks", "query.model": "models"}
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "".join(f"[dictionaries.{k}]\nvalues = {json.dumps(v)}\n\n" for k, v in dictionaries.items())
        + "[parameters]\n"
        + "".join(f'"{k}" = {{ dictionary = "{v}", probability = 0.5 }}\n' for k, v in bindings.items()))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [str(ST), "--config-file", str(config), "run", f"{live_api}/api/v1/openapi.json", "--checks", "all",
         "--exclude-path-regex", "webhooks", "--max-examples", "25", "--seed", "20261130", "--workers", "1",
         "--request-timeout", "30", "--report", "json", "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested: 11" in run.stdout and "passed" in run.stdout, run.stdout[-3000:]
    assert "Missing test data" not in run.stdout, run.stdout[-3000:]
