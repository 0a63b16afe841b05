import json
import struct

import pytest

from leaderboard.errors import SubmissionRejected
from leaderboard.model_source import LocalModelSource

from builders import write_model, write_safetensors


@pytest.fixture
def root(tmp_path):
    return tmp_path / "models"


def test_resolve_pins_the_content_and_reads_the_metadata(root):
    folder = write_model(root, "org/model", license="mit")
    source = LocalModelSource(root)
    resolved = source.resolve("org/model")
    info = resolved.info
    assert resolved.path == folder
    assert len(info.revision) == 64 and info.revision == source.content_hash(folder)
    assert (info.model_id, info.source, info.architecture) == ("org/model", "local", "LlamaForCausalLM")
    assert info.parameters == 6  # BF16 [2, 3]
    assert info.precision == "bfloat16"
    assert info.license == "mit"

    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    assert source.resolve("org/model").info.revision != info.revision  # any change re-pins


def test_parameters_are_summed_over_shards_and_precision_is_the_majority_dtype(root):
    folder = write_model(root, "org/model")
    write_safetensors(folder / "model-00002.safetensors", {"a": ("F32", [4]), "b": ("F32", [1, 3])})
    info = LocalModelSource(root).resolve("org/model").info
    assert info.parameters == 6 + 7
    assert info.precision == "float32"


def test_unknown_model_lists_the_available_ones(root):
    write_model(root, "org/model")
    write_model(root, "other/thing")
    with pytest.raises(SubmissionRejected, match=r"'org/nope' does not exist.*org/model, other/thing"):
        LocalModelSource(root).resolve("org/nope")


def test_malformed_id_is_rejected_before_touching_the_disk(root):
    with pytest.raises(SubmissionRejected, match="malformed"):
        LocalModelSource(root).resolve("../models")


def test_revisions(root):
    write_model(root, "org/model")
    source = LocalModelSource(root)
    pinned = source.resolve("org/model").info.revision
    assert source.resolve("org/model", pinned).info.revision == pinned
    assert source.resolve("org/model", pinned[:7]).info.revision == pinned
    with pytest.raises(SubmissionRejected, match=r"revision 'v2' does not exist.*main = " + pinned):
        source.resolve("org/model", "v2")
    with pytest.raises(SubmissionRejected, match="does not exist"):
        source.resolve("org/model", pinned[:6])  # too short to be a prefix
    wrong = ("0" if pinned[0] != "0" else "1") + pinned[1:]
    with pytest.raises(SubmissionRejected, match="does not exist"):
        source.resolve("org/model", wrong)


def test_remote_code_is_refused(root):
    write_model(root, config={"architectures": ["LlamaForCausalLM"], "auto_map": {"AutoModel": "x.Model"}})
    with pytest.raises(SubmissionRejected, match="auto_map"):
        LocalModelSource(root).resolve("org/model")


@pytest.mark.parametrize("config", [{"architectures": ["BertModel"]}, {"model_type": "llama"}])
def test_unsupported_architecture_is_refused(root, config):
    write_model(root, config=config)
    with pytest.raises(SubmissionRejected, match="is not supported; supported: .*LlamaForCausalLM"):
        LocalModelSource(root).resolve("org/model")


def test_pickle_weights_are_refused(root):
    write_model(root, weights="bin")
    with pytest.raises(SubmissionRejected, match=r"no safetensors weights.*pickle.*pytorch_model\.bin"):
        LocalModelSource(root).resolve("org/model")


def test_no_weights_at_all_is_refused(root):
    write_model(root, weights="none")
    with pytest.raises(SubmissionRejected, match="no safetensors weights$"):
        LocalModelSource(root).resolve("org/model")


def test_missing_or_broken_config_is_refused(root):
    folder = write_model(root, config=False)
    with pytest.raises(SubmissionRejected, match="config.json is missing"):
        LocalModelSource(root).resolve("org/model")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(SubmissionRejected, match="config.json does not parse"):
        LocalModelSource(root).resolve("org/model")


def test_card_without_front_matter_means_no_license(root):
    folder = write_model(root, license=None)
    (folder / "README.md").write_text("# just a title\n")
    assert LocalModelSource(root).resolve("org/model").info.license is None


@pytest.mark.parametrize("config, message", [
    (b"[1, 2]", "config.json is not a JSON object"),
    (b'{"architectures": ["\xff"]}', "config.json does not parse"),
    (b'{"architectures": {"x": 1}}', "architecture None is not supported"),
    (b'{"architectures": [["LlamaForCausalLM"]]}', r"architecture \[.*\] is not supported"),
])
def test_odd_configs_are_refused_with_a_reason(root, config, message):
    folder = write_model(root)
    (folder / "config.json").write_bytes(config)
    with pytest.raises(SubmissionRejected, match="org/model: " + message):
        LocalModelSource(root).resolve("org/model")


@pytest.mark.parametrize("content, message", [
    (b"\x01\x02", "too short to be a safetensors file"),
    (struct.pack("<Q", 5) + b"{nope", "safetensors header does not parse"),
    (struct.pack("<Q", 2) + b"[]", "safetensors header is not a JSON object"),
    (struct.pack("<Q", 2**40) + b"{}", "safetensors header of 1099511627776 bytes is implausible"),
    (struct.pack("<Q", 19) + b'{"w": {"dtype": 1}}', "tensor 'w' has no valid shape and dtype"),
])
def test_broken_safetensors_are_refused_with_a_reason(root, content, message):
    folder = write_model(root)
    (folder / "model.safetensors").write_bytes(content)
    with pytest.raises(SubmissionRejected, match="model.safetensors: " + message):
        LocalModelSource(root).resolve("org/model")
