import pytest

from leaderboard.errors import SubmissionRejected
from leaderboard.model_ids import validate_model_id, validate_revision


@pytest.mark.parametrize("model_id", [
    "HuggingFaceTB/SmolLM2-135M-Instruct", "leaderboard-demo/SmolLM2-135M-random",
    "a/b", "org_1/model.v2", "A" * 96 + "/" + "b" * 96,
])
def test_good_model_ids_pass(model_id):
    assert validate_model_id(model_id) == model_id


@pytest.mark.parametrize("model_id", [
    "../x", "a/../b", "a/b/c", "a;rm -rf/b", "a/b$(x)", "-a/b", "a--b/c", "", None,
    "A" * 97 + "/b", "a/" + "b" * 97, "model", "/b", "a/", "a/b.", "a/b ", "a/b\n", "a\\b/c", 42,
])
def test_bad_model_ids_are_rejected(model_id):
    with pytest.raises(SubmissionRejected):
        validate_model_id(model_id)


@pytest.mark.parametrize("revision", ["main", "v1.0", "refs/pr/1", "feature/x-y", "a" * 40, "r" * 128])
def test_good_revisions_pass(revision):
    assert validate_revision(revision) == revision


@pytest.mark.parametrize("revision", [None, ""])
def test_missing_revision_means_main(revision):
    assert validate_revision(revision) == "main"


@pytest.mark.parametrize("revision", [
    "../x", "a/../b", "main;rm -rf /", "main$(x)", "-main", ".hidden", "r" * 129, "main\n", "a b", 7,
])
def test_bad_revisions_are_rejected(revision):
    with pytest.raises(SubmissionRejected, match="revision .* is malformed"):
        validate_revision(revision)
