"""The Hub model source against the HTTP stand-in: huggingface_hub itself makes the requests.
Every validation rule has a repo that breaks it, and its reason is asserted."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from leaderboard.errors import SubmissionRejected
from leaderboard.hub.source import HubModelSource
from repos import repo_files
from repos import TOKEN


@pytest.fixture
def source(hub_config, tmp_path):
    return HubModelSource(hub_config, tmp_path / "cache")


def with_config(source, **changes) -> HubModelSource:
    return HubModelSource(dataclasses.replace(source.config, **changes), source.cache_dir)


def test_resolve_pins_the_sha_and_reads_the_metadata(hub, source, good_repo, hub_url):
    sha = hub.repos[good_repo].main
    resolved = source.resolve(good_repo)
    info = resolved.info
    assert info.revision == sha and resolved.path.name == sha, "pinned to the sha sensed, snapshot of that sha"
    assert (info.source, info.architecture, info.license, info.model_type) == ("hub", "LlamaForCausalLM", "mit", "chat")
    assert info.parameters == 6 + 2 and info.precision == "bfloat16"
    assert info.hub_url == f"{hub_url}/org/good"
    assert info.created_at.startswith("2025-01-01") and info.modified_at is not None
    assert sorted(os.listdir(resolved.path)) == ["README.md", "config.json", "model.safetensors", "tokenizer.json"]
    # a new push moves main; the old sha still resolves to the old files
    new_sha = hub.push(good_repo, repo_files(shape=[4, 4], license="mit"))
    assert source.resolve(good_repo).info.parameters == 16 + 2
    assert source.resolve(good_repo, sha).info.revision == sha
    assert source.resolve(good_repo, new_sha[:40]).info.revision == new_sha


def test_parameters_come_from_range_requests_before_any_download(hub, source):
    hub.push("org/big", repo_files(shape=[1000, 1000]))
    with pytest.raises(SubmissionRejected, match=r"org/big: 1,000,002 parameters .* exceed the cap of 1,000"):
        with_config(source, max_parameters=1000).resolve("org/big")
    weight_gets = [r for r in hub.requests if r[0] == "GET" and r[1].endswith("model.safetensors")]
    assert weight_gets and all(r[2] and r[2].startswith("bytes=") for r in weight_gets), weight_gets


def test_pickles_are_never_downloaded(hub, source):
    hub.push("org/mixed", repo_files(extra={"pytorch_model.bin": b"\x80\x04pickle", "run.py": b"import os"}))
    resolved = source.resolve("org/mixed")
    assert not (resolved.path / "pytorch_model.bin").exists() and not (resolved.path / "run.py").exists()
    assert not any(r[1].endswith((".bin", ".py")) for r in hub.requests)


@pytest.mark.parametrize("model_id", ["../etc/passwd", "org/model;rm -rf /", "org/$(id)", "org/a b", "org/..x"])
def test_malformed_ids_never_reach_the_hub(hub, source, model_id):
    with pytest.raises(SubmissionRejected, match="malformed"):
        source.resolve(model_id)
    assert hub.requests == []


def test_unknown_model(source):
    with pytest.raises(SubmissionRejected, match=r"model 'org/missing' does not exist on the Hub at http://127"):
        source.resolve("org/missing")


def test_unknown_revision(source, good_repo):
    with pytest.raises(SubmissionRejected, match=r"revision 'v9' does not exist for model 'org/good'"):
        source.resolve(good_repo, "v9")


def test_gated_model_needs_a_token_with_access(hub, source):
    hub.push("org/gated", repo_files(), gated="manual")
    with pytest.raises(SubmissionRejected, match=r"org/gated is gated \(manual\) and no token is configured"):
        source.resolve("org/gated")
    with pytest.raises(SubmissionRejected, match=r"org/gated is gated and the configured token has no access"):
        with_config(source, token="hf_standin_nobody").resolve("org/gated")
    assert with_config(source, token=TOKEN).resolve("org/gated").info.model_id == "org/gated"


def test_private_model_needs_a_token(hub, source):
    hub.push("org/private", repo_files(), private=True)
    with pytest.raises(SubmissionRejected, match=r"'org/private' does not exist .* private and no token is configured"):
        source.resolve("org/private")
    assert with_config(source, token=TOKEN).resolve("org/private").info.model_id == "org/private"


def test_pickle_only_is_refused(hub, source):
    hub.push("org/pickled", repo_files(weights="bin"))
    with pytest.raises(SubmissionRejected, match=r"no safetensors weights \(found pickle weights \['pytorch_model.bin'\]"):
        source.resolve("org/pickled")


@pytest.mark.parametrize("config, reason", [
    (b"{not json", "config.json does not parse"),
    (json.dumps({"architectures": ["LlamaForCausalLM"], "auto_map": {"AutoModel": "m.M"}}).encode(),
     "config.json has auto_map, which needs remote code; refused"),
    (json.dumps({"architectures": ["BertModel"]}).encode(), "architecture 'BertModel' is not supported"),
])
def test_config_rules(hub, source, config, reason):
    hub.push("org/cfg", repo_files(config=config))
    with pytest.raises(SubmissionRejected, match="org/cfg: " + reason.replace("(", r"\(")):
        source.resolve("org/cfg")


def test_missing_config_is_refused(hub, source):
    files = repo_files()
    del files["config.json"]
    hub.push("org/noconfig", files)
    with pytest.raises(SubmissionRejected, match="org/noconfig: config.json is missing"):
        source.resolve("org/noconfig")


def test_broken_safetensors_header_is_refused(hub, source):
    hub.push("org/broken", repo_files(extra={"model.safetensors": b"\x05\x00\x00\x00\x00\x00\x00\x00{nope"}))
    with pytest.raises(SubmissionRejected, match="org/broken: a safetensors header does not parse"):
        source.resolve("org/broken")


def test_license_is_required(hub, source):
    hub.push("org/unlicensed", repo_files(license=None))
    with pytest.raises(SubmissionRejected, match="org/unlicensed: the model card declares no license"):
        source.resolve("org/unlicensed")


def test_adapter_base_model_must_resolve(hub, source, good_repo):
    adapter = {"adapter_config.json": json.dumps({"base_model_name_or_path": "org/gone", "peft_type": "LORA"}).encode()}
    hub.push("org/adapter", repo_files(extra=adapter))
    with pytest.raises(SubmissionRejected, match=r"org/adapter: the adapter's base model 'org/gone' is not resolvable"):
        source.resolve("org/adapter")
    adapter = {"adapter_config.json": json.dumps({"base_model_name_or_path": good_repo}).encode()}
    hub.push("org/adapter", repo_files(extra=adapter))
    info = source.resolve("org/adapter").info
    assert (info.model_type, info.base_model) == ("adapter", good_repo)


def test_opted_out_authors_are_refused_before_any_request(hub, source, good_repo):
    with pytest.raises(SubmissionRejected, match="org/good: the author 'org' opted out of evaluation"):
        with_config(source, opt_out=frozenset({"org"})).resolve(good_repo)
    assert hub.requests == []


@pytest.mark.parametrize("tags, meta, expected", [
    ([], {}, "pretrained"),
    (["conversational"], {}, "chat"),
    ([], {"base_model": "org/base"}, "fine-tuned"),
    (["mergekit"], {"base_model": "org/base"}, "merge"),
    (["peft"], {}, "adapter"),
])
def test_model_type_from_tags_and_card(hub, source, tags, meta, expected):
    hub.push("org/typed", repo_files(tags=tags, **meta))
    assert source.resolve("org/typed").info.model_type == expected
