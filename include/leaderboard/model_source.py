"""Model sources: where model repos come from. The local source serves a folder of
Hugging Face repo folders in org/name layout, for air-gapped teams and for the demo; the Hub
source (leaderboard.hub.source) serves the Hugging Face Hub. Both apply the checks below."""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import yaml

from leaderboard.errors import SubmissionRejected
from leaderboard.hashing import sha256_file, sha256_json
from leaderboard.model_ids import validate_model_id, validate_revision

SUPPORTED_ARCHITECTURES = frozenset({
    "LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM", "Qwen2ForCausalLM",
    "Qwen3ForCausalLM", "GemmaForCausalLM", "Gemma2ForCausalLM", "Phi3ForCausalLM",
    "GPT2LMHeadModel", "GPTNeoXForCausalLM", "OlmoForCausalLM", "StableLmForCausalLM",
})
SAFETENSORS_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
                           "I16": 2, "I8": 1, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}


@dataclass(frozen=True)
class ModelInfo:
    model_id: str
    revision: str  # immutable: a commit sha, or the content hash of a local folder
    source: str
    architecture: str
    parameters: int  # counted from the safetensors headers
    precision: str  # the dtype the weights are stored in
    license: str | None
    base_model: str | None
    model_type: str | None = None  # pretrained, fine-tuned, chat, merge or adapter
    created_at: str | None = None  # ISO times, when the source knows them
    modified_at: str | None = None
    hub_url: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ResolvedModel:
    info: ModelInfo
    path: Path  # a local folder holding the repo at info.revision


class ModelSource(Protocol):
    name: str

    def resolve(self, model_id: str, revision: str = "main") -> ResolvedModel:
        """Validate and pin a model, or raise SubmissionRejected with the reason."""


def read_safetensors_header(path: Path) -> dict:
    with path.open("rb") as fh:
        try:
            (length,) = struct.unpack("<Q", fh.read(8))
        except struct.error:
            raise SubmissionRejected(f"{path.name}: too short to be a safetensors file") from None
        if length > 100_000_000:
            raise SubmissionRejected(f"{path.name}: safetensors header of {length} bytes is implausible")
        try:
            header = json.loads(fh.read(length))
        except ValueError as exc:
            raise SubmissionRejected(f"{path.name}: safetensors header does not parse: {exc}") from None
    if not isinstance(header, dict):
        raise SubmissionRejected(f"{path.name}: safetensors header is not a JSON object")
    return header


def count_parameters(weight_files: list[Path]) -> tuple[int, str]:
    total, dtypes = 0, {}
    for path in weight_files:
        for name, tensor in read_safetensors_header(path).items():
            if name == "__metadata__":
                continue
            try:
                n = 1
                for dim in tensor["shape"]:
                    n *= int(dim)
                dtype = str(tensor["dtype"])
            except (KeyError, TypeError, ValueError):
                raise SubmissionRejected(f"{path.name}: tensor {name!r} has no valid shape and dtype") from None
            total += n
            dtypes[dtype] = dtypes.get(dtype, 0) + n
    return total, precision_of(dtypes)


def precision_of(dtype_counts: dict[str, int]) -> str:
    """The dtype holding most parameters, in torch's spelling."""
    precision = max(dtype_counts, key=dtype_counts.get).lower() if dtype_counts else "unknown"
    return {"bf16": "bfloat16", "f16": "float16", "f32": "float32"}.get(precision, precision)


def read_card_metadata(folder: Path) -> dict:
    card = folder / "README.md"
    if not card.is_file():
        return {}
    text = card.read_text(errors="replace")
    if not text.startswith("---"):
        return {}
    try:
        meta = yaml.safe_load(text.split("---", 2)[1])
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def check_config(model_id: str, raw: bytes | str) -> tuple[dict, str]:
    """config.json must parse, need no remote code and name a supported architecture."""
    try:
        config = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError
        raise SubmissionRejected(f"{model_id}: config.json does not parse: {exc}") from None
    if not isinstance(config, dict):
        raise SubmissionRejected(f"{model_id}: config.json is not a JSON object")
    if "auto_map" in config:
        raise SubmissionRejected(f"{model_id}: config.json has auto_map, which needs remote code; refused")
    architectures = config.get("architectures")
    architecture = architectures[0] if isinstance(architectures, list) and architectures else None
    if not isinstance(architecture, str) or architecture not in SUPPORTED_ARCHITECTURES:
        raise SubmissionRejected(
            f"{model_id}: architecture {architecture!r} is not supported; supported: {sorted(SUPPORTED_ARCHITECTURES)}")
    return config, architecture


PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def check_weight_files(model_id: str, filenames: list[str]) -> list[str]:
    """Safetensors weights must be present; pickle-only repos are refused."""
    weights = sorted(f for f in filenames if f.endswith(".safetensors") and "/" not in f)
    if not weights:
        pickles = sorted(f for f in filenames if f.endswith(PICKLE_SUFFIXES))
        detail = f" (found pickle weights {pickles}, which are refused)" if pickles else ""
        raise SubmissionRejected(f"{model_id}: no safetensors weights{detail}")
    return weights


def check_parameter_cap(model_id: str, parameters: int, cap: int | None) -> None:
    if cap is not None and parameters > cap:
        raise SubmissionRejected(
            f"{model_id}: {parameters:,} parameters (from the safetensors headers) exceed the cap of {cap:,}")


MODEL_TYPES = ("pretrained", "fine-tuned", "chat", "merge", "adapter")


def model_type_from(tags: list[str] | None, card: dict | None, is_adapter: bool = False) -> str:
    """pretrained, fine-tuned, chat, merge or adapter, from the repo's tags and card metadata."""
    card = card or {}
    words = {str(t).lower() for t in (tags or [])}
    card_tags = card.get("tags")
    words |= {str(t).lower() for t in card_tags} if isinstance(card_tags, list) else set()
    relation = str(card.get("base_model_relation") or "").lower()
    if is_adapter or relation == "adapter" or {"peft", "lora", "adapter"} & words:
        return "adapter"
    if relation == "merge" or {"merge", "mergekit"} & words:
        return "merge"
    if {"chat", "conversational", "instruct", "instruction-tuned"} & words:
        return "chat"
    if relation in {"finetune", "fine-tune", "quantized"} or card.get("base_model") or "fine-tuned" in words:
        return "fine-tuned"
    return "pretrained"


def inspect_repo_folder(model_id: str, revision: str, source: str, folder: Path) -> ModelInfo:
    """Checks shared by every source once the repo's files are local."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise SubmissionRejected(f"{model_id}: config.json is missing")
    _, architecture = check_config(model_id, config_path.read_bytes())
    names = [p.name for p in folder.iterdir() if p.is_file()]
    weights = [folder / name for name in check_weight_files(model_id, names)]
    parameters, precision = count_parameters(weights)
    card = read_card_metadata(folder)
    base_model = card.get("base_model")
    return ModelInfo(
        model_id=model_id, revision=revision, source=source, architecture=architecture,
        parameters=parameters, precision=precision,
        license=str(card["license"]) if card.get("license") else None,
        base_model=base_model if isinstance(base_model, str) else None,
        model_type=model_type_from(None, card, (folder / "adapter_config.json").is_file()),
    )


class LocalModelSource:
    """A folder of repo folders: ROOT/org/name/{config.json, *.safetensors, tokenizer files}.

    A folder has one revision, "main", pinned as the hash of its content."""

    name = "local"

    def __init__(self, root: Path):
        self.root = root

    def available(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(f"{p.parent.name}/{p.name}" for p in self.root.glob("*/*") if (p / "config.json").is_file())

    def content_hash(self, folder: Path) -> str:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return sha256_json([(str(p.relative_to(folder)), sha256_file(p)) for p in files])

    def resolve(self, model_id: str, revision: str = "main") -> ResolvedModel:
        model_id = validate_model_id(model_id)
        revision = validate_revision(revision)
        folder = self.root / model_id
        if not folder.is_dir():
            known = ", ".join(self.available()) or "nothing"
            raise SubmissionRejected(
                f"model {model_id!r} does not exist in the local model source {self.root} (it holds: {known})")
        pinned = self.content_hash(folder)
        if revision != "main" and not (len(revision) >= 7 and pinned.startswith(revision)):
            raise SubmissionRejected(
                f"revision {revision!r} does not exist for model {model_id!r} in the local model source; "
                f"its only revision is main = {pinned}")
        return ResolvedModel(inspect_repo_folder(model_id, pinned, self.name, folder), folder)


def model_source_for(settings) -> ModelSource:
    """LEADERBOARD_MODEL_SOURCE: "local" (a folder of repos) or "hub" (the Hugging Face Hub)."""
    kind = getattr(settings, "model_source", "local")
    if kind == "hub":
        from leaderboard.hub.source import HubModelSource

        return HubModelSource.from_settings(settings)
    if kind != "local":
        raise SubmissionRejected(f"LEADERBOARD_MODEL_SOURCE={kind!r} is unknown; expected 'local' or 'hub'")
    return LocalModelSource(settings.models_dir)
