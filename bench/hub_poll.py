"""One poll of the Hub over N listed models of which M are new, through huggingface_hub's
list_models against the HTTP stand-in on loopback, pages of 1000 linked by the Link header.

    .venvs/platform/bin/python bench/hub_poll.py [--models 10000] [--new 100] [--repeat 3]

Prints figures; it is not a test. Two cases:
- incremental: the persisted watermark lets the poll stop at the first already-seen page;
- full scan:   no watermark (a lost or first state file with backfill) reads every page and
               compares each (model, sha) with the seen map.
Each poll includes reading and writing the state file (plan_poll). Target: < 10 s."""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from huggingface_hub import HfApi

from leaderboard.hub.config import load_hub_config
from leaderboard.hub.poller import Filters, PollState, plan_poll, sense, state_path
from leaderboard.hub.standin import StandinHub, StandinServer

FILES = {"config.json": b'{"architectures": ["LlamaForCausalLM"]}', "model.safetensors": b"\0" * 8}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    hub = StandinHub()
    t = time.perf_counter()
    for i in range(args.models - args.new):
        hub.push(f"org{i % 500:03d}/model-{i:05d}", FILES, notify=False)
    print(f"stand-in: {args.models - args.new} models pushed in {time.perf_counter() - t:.1f} s")
    with StandinServer(hub) as url, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        api = HfApi(endpoint=url, token=False)
        config = dataclasses.replace(load_hub_config(), endpoint=url)
        _, seen = sense(api, PollState(None, {}), Filters(), backfill=False)
        hub._clock += timedelta(hours=1)
        for i in range(args.new):
            hub.push(f"new{i % 7}/model-{i:05d}", FILES, notify=False)
        assert len(hub.repos) == args.models

        for label, state in (("incremental (watermark)", seen), ("full scan (no watermark)",
                                                                  PollState(None, seen.seen))):
            timings = []
            for r in range(args.repeat):
                state.save(state_path(home))
                hub.requests.clear()
                t = time.perf_counter()
                plan = plan_poll(api, config, home, f"bench-{r}", Filters(), "smoke", backfill=True)
                timings.append(time.perf_counter() - t)
                assert len(plan) == args.new, f"found {len(plan)} new models, expected {args.new}"
            pages = sum(1 for m, p, _ in hub.requests if p == "/api/models")
            print(f"{label}: {args.models} listed, {len(plan)} new found, {pages} listing pages; "
                  f"poll {statistics.median(timings):.2f} s median, {max(timings):.2f} s max "
                  f"over {args.repeat} (target < 10 s)")


if __name__ == "__main__":
    main()
