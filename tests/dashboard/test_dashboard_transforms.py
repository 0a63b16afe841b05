"""The pure table transforms of the dashboard."""

import dashboard_snapshot  # noqa: F401  (puts the repo root, and so the dashboard package, on sys.path)
import pandas as pd

from dashboard import transforms


def tracks(*rows):
    return pd.DataFrame(rows, columns=["suite", "suite_version", "ranked_models"])


def test_default_track_is_the_smoke_track_with_most_ranked_models():
    t = tracks(("ci", "a", 9), ("smoke", "b", 1), ("smoke", "c", 4), ("standard", "d", 7))
    assert transforms.default_track(t) == 2


def test_default_track_falls_back_to_the_first():
    assert transforms.default_track(tracks(("ci", "a", 0), ("standard", "d", 7))) == 0


def test_matches_needs_every_term_case_insensitively():
    ids = pd.Series(["Qwen/Qwen2-7B", "meta/Llama-3-8B", "qwen/tiny-0.5b"])
    assert transforms.matches(ids, "qwen 7b").tolist() == [True, False, False]
    assert transforms.matches(ids, "").tolist() == [True, True, True]
    assert transforms.matches(ids, "l.ama").tolist() == [False, False, False]  # terms are not regexes
