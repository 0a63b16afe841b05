"""The Hugging Face Hub as a model source, through huggingface_hub: model_info pins the revision
to a commit sha, the checks that need no weights run first (config, safetensors headers), and
only then snapshot_download fetches the allowed files at exactly that sha."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx2
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.utils import disable_progress_bars
from huggingface_hub.errors import (
    GatedRepoError, HfHubHTTPError, NotASafetensorsRepoError, RepositoryNotFoundError,
    RevisionNotFoundError, SafetensorsParsingError,
)

from leaderboard.errors import EvaluationFailed, SubmissionRejected
from leaderboard.hub.config import HubConfig, load_hub_config
from leaderboard.model_ids import validate_model_id, validate_revision
from leaderboard.model_source import (
    ModelInfo, ResolvedModel, check_config, check_parameter_cap, check_weight_files, model_type_from,
    precision_of,
)

COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
disable_progress_bars()  # task logs, not terminals


def check_not_opted_out(model_id: str, opt_out: frozenset[str]) -> None:
    author = model_id.split("/", 1)[0]
    if author.lower() in opt_out:
        raise SubmissionRejected(f"{model_id}: the author {author!r} opted out of evaluation")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


class HubModelSource:
    name = "hub"

    def __init__(self, config: HubConfig, cache_dir: Path):
        self.config = config
        self.cache_dir = cache_dir
        self.api = HfApi(endpoint=config.endpoint, token=config.token or False)

    @classmethod
    def from_settings(cls, settings) -> "HubModelSource":
        return cls(load_hub_config(), settings.home / "hub-cache")

    @property
    def _token(self):
        return self.config.token or False

    def hub_url(self, model_id: str) -> str:
        return f"{self.config.endpoint}/{model_id}"

    @contextmanager
    def _reasons(self, model_id: str, revision: str, what: str) -> Iterator[None]:
        """Turn huggingface_hub's errors into reasons a submitter can act on."""
        token = "the configured token has no access to it" if self.config.token else "no token is configured"
        try:
            yield
        except GatedRepoError:
            raise SubmissionRejected(f"{model_id} is gated and {token} ({what}); refused") from None
        except RevisionNotFoundError:
            raise SubmissionRejected(f"revision {revision!r} does not exist for model {model_id!r} on the Hub") from None
        except RepositoryNotFoundError:
            raise SubmissionRejected(
                f"model {model_id!r} does not exist on the Hub at {self.config.endpoint} "
                f"(or it is private and {token})") from None
        except (HfHubHTTPError, httpx2.TransportError) as exc:  # the Hub is down: not the submitter's fault
            raise EvaluationFailed(f"the Hub at {self.config.endpoint} failed during {what}: {exc}") from None

    def model_info(self, model_id: str, revision: str = "main"):
        with self._reasons(model_id, revision, "model info"):
            return self.api.model_info(model_id, revision=revision, token=self._token)

    def resolve(self, model_id: str, revision: str = "main") -> ResolvedModel:
        model_id = validate_model_id(model_id)
        revision = validate_revision(revision)
        check_not_opted_out(model_id, self.config.opt_out)
        info = self.model_info(model_id, revision)
        if info.gated and not self.config.token:
            raise SubmissionRejected(f"{model_id} is gated ({info.gated}) and no token is configured; refused")
        if info.private and not self.config.token:
            raise SubmissionRejected(f"{model_id} is private and no token is configured; refused")
        sha = info.sha or ""
        if not COMMIT_SHA.fullmatch(sha):
            raise SubmissionRejected(f"revision {revision!r} of {model_id} did not resolve to a commit sha (got {sha!r})")
        files = [s.rfilename for s in info.siblings or []]
        card = info.card_data.to_dict() if info.card_data is not None else {}
        is_adapter = "adapter_config.json" in files
        base_model = self._base_model(model_id, sha, card, is_adapter)
        if "config.json" not in files:
            raise SubmissionRejected(f"{model_id}: config.json is missing")
        check_weight_files(model_id, files)
        with self._reasons(model_id, revision, "config.json"):
            config_path = hf_hub_download(model_id, "config.json", revision=sha, cache_dir=self.cache_dir,
                                          endpoint=self.config.endpoint, token=self._token)
        _, architecture = check_config(model_id, Path(config_path).read_bytes())
        parameters, precision = self._count_parameters(model_id, sha)
        check_parameter_cap(model_id, parameters, self.config.max_parameters)
        license = card.get("license")
        if self.config.require_license and not license:
            raise SubmissionRejected(f"{model_id}: the model card declares no license; refused")
        with self._reasons(model_id, revision, "download"):
            folder = snapshot_download(model_id, revision=sha, cache_dir=self.cache_dir,
                                       allow_patterns=list(self.config.download_patterns),
                                       endpoint=self.config.endpoint, token=self._token)
        model = ModelInfo(
            model_id=model_id, revision=sha, source=self.name, architecture=architecture,
            parameters=parameters, precision=precision, license=str(license) if license else None,
            base_model=base_model, model_type=model_type_from(info.tags, card, is_adapter),
            created_at=_iso(info.created_at), modified_at=_iso(info.last_modified), hub_url=self.hub_url(model_id),
        )
        return ResolvedModel(model, Path(folder))

    def _count_parameters(self, model_id: str, sha: str) -> tuple[int, str]:
        """From the safetensors headers alone (HTTP range requests), before any weights are fetched."""
        try:
            with self._reasons(model_id, sha, "reading the safetensors headers"):
                meta = self.api.get_safetensors_metadata(model_id, revision=sha, token=self._token)
        except NotASafetensorsRepoError:
            raise SubmissionRejected(
                f"{model_id}: no model.safetensors or model.safetensors.index.json at {sha}") from None
        except SafetensorsParsingError as exc:
            raise SubmissionRejected(f"{model_id}: a safetensors header does not parse: {exc}") from None
        counts = meta.parameter_count
        return sum(counts.values()), precision_of(counts)

    def _base_model(self, model_id: str, sha: str, card: dict, is_adapter: bool) -> str | None:
        """The card's base_model; an adapter's base model (adapter_config.json) must resolve."""
        base = card.get("base_model")
        base = base[0] if isinstance(base, list) and base else base
        if not is_adapter:
            return base if isinstance(base, str) else None
        with self._reasons(model_id, sha, "adapter_config.json"):
            path = hf_hub_download(model_id, "adapter_config.json", revision=sha, cache_dir=self.cache_dir,
                                   endpoint=self.config.endpoint, token=self._token)
        try:
            adapter = json.loads(Path(path).read_text())
            base = adapter["base_model_name_or_path"] if isinstance(adapter, dict) else None
        except (ValueError, KeyError):
            base = None
        if not isinstance(base, str):
            raise SubmissionRejected(f"{model_id}: adapter_config.json names no base_model_name_or_path")
        try:
            validate_model_id(base)
            self.model_info(base)
        except SubmissionRejected as exc:
            raise SubmissionRejected(f"{model_id}: the adapter's base model {base!r} is not resolvable: {exc}") from None
        return base
