"""Fixture repos for the Hub stand-in: small but real model repos (config, safetensors, card)."""

from __future__ import annotations

import json

from tests.helpers import safetensors_bytes

TOKEN = "hf_standin_granted"  # the token the stand-in accepts for gated and private fixture repos


def card(**meta) -> bytes:
    lines = [f"{k}: {json.dumps(v)}" for k, v in meta.items() if v is not None]
    return ("---\n" + "\n".join(lines) + "\n---\n# model\n").encode()


def repo_files(*, architecture: str = "LlamaForCausalLM", config: bytes | None = None, weights: str = "safetensors",
               license: str | None = "apache-2.0", tags: list[str] | None = None, base_model: str | None = None,
               shape: list[int] | None = None, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    files = {"config.json": config if config is not None else
             json.dumps({"architectures": [architecture], "model_type": "llama"}).encode(),
             "tokenizer.json": b"{}", "README.md": card(license=license, tags=tags, base_model=base_model)}
    if weights == "safetensors":
        files["model.safetensors"] = safetensors_bytes({"w": ("BF16", shape or [2, 3]), "b": ("F32", [2])})
    elif weights == "bin":
        files["pytorch_model.bin"] = b"\x80\x04not really a pickle"
    return {**files, **(extra or {})}
