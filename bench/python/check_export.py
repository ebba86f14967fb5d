"""Loads a folder written by `cotbal export` with the independent PyTorch reference and compares its logits with
the committed reference (run by hand from the repo root; the C# tests check names, shapes and dtypes only):

    /usr/bin/python3 bench/python/check_export.py --dir EXPORTED [--reference tests/CoTBal.Model.Tests/Fixtures/checkpoints/reference.safetensors]

EXPORTED must be an export of the weights the reference was made from (CheckpointExportTests writes one when
COTBAL_KEEP_EXPORT=DIR is set). Reads config.json (LLaVA or transformers layout), model.safetensors or the shards of
model.safetensors.index.json, renames transformers keys back to LLaVA's, and prints the largest |logit difference|;
exits 1 above --tolerance.
"""
import argparse
import json
import os
import sys

import torch

from llava_ref import forward, load_safetensors

TOWER = "model.vision_tower.vision_tower."


def from_hf(key):
    for hf, llava in (("vision_tower.", TOWER), ("multi_modal_projector.linear_1.", "model.mm_projector.0."),
                      ("multi_modal_projector.linear_2.", "model.mm_projector.2."), ("language_model.lm_head.", "lm_head."),
                      ("language_model.model.", "model.")):
        if key.startswith(hf):
            return llava + key[len(hf):]
    return key


def reference_config(config):
    if "text_config" in config:  # transformers LlavaConfig
        return {"vision_config": config["vision_config"], "text_config": config["text_config"],
                "mm_projector_type": "mlp2x_gelu", "mm_vision_select_layer": config.get("vision_feature_layer", -2),
                "mm_vision_select_feature": "patch" if config.get("vision_feature_select_strategy", "default") == "default" else "cls_patch"}
    return {"vision_config": config["vision_config"], "text_config": config,
            "mm_projector_type": config.get("mm_projector_type", "mlp2x_gelu"),
            "mm_vision_select_layer": config.get("mm_vision_select_layer", -2),
            "mm_vision_select_feature": config.get("mm_vision_select_feature", "patch")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reference", default="tests/CoTBal.Model.Tests/Fixtures/checkpoints/reference.safetensors")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    a = ap.parse_args()
    with open(os.path.join(a.dir, "config.json")) as f:
        config = json.load(f)
    index = os.path.join(a.dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
    else:
        shards = ["model.safetensors"]
    sd = {}
    for shard in shards:
        sd.update(load_safetensors(os.path.join(a.dir, shard)))
    sd = {from_hf(k): v.float() for k, v in sd.items()}
    io = load_safetensors(a.reference)
    with torch.no_grad():
        logits, _, mask = forward(sd, reference_config(config), io["input_ids"], io["labels"], io["attention_mask"].bool(),
                                  io["pixels"], io["has_image"].bool())
    diff = ((logits - io["logits"]).abs() * mask[..., None]).max().item()
    print(json.dumps({"dir": a.dir, "keys": len(sd), "max_abs_logit_diff": diff}))
    sys.exit(0 if diff <= a.tolerance else 1)


if __name__ == "__main__":
    main()
