"""Writes the PyTorch-made test fixture of tests/CoTBal.Model.Tests/Fixtures (run from the repo root):

    /usr/bin/python3 bench/python/make_fixture.py

tiny-llava.config.json      the architecture (same as TestModels.Tiny in the C# tests)
tiny-llava.safetensors      weights written by PyTorch with Hugging Face / LLaVA key names
tiny-llava.io.safetensors   a batch (ids, labels, mask, pixels, has_image) and the reference logits/labels/mask
"""
import json
import os

import torch

from llava_ref import IGNORE_INDEX, IMAGE_TOKEN_INDEX, VISION, forward, save_safetensors

OUT = "tests/CoTBal.Model.Tests/Fixtures"
CFG = {
    "vision_config": {"image_size": 16, "patch_size": 8, "hidden_size": 16, "intermediate_size": 32,
                      "num_hidden_layers": 2, "num_attention_heads": 2},
    "text_config": {"vocab_size": 50, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
                    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64},
    "mm_projector_type": "mlp2x_gelu",
    "mm_vision_select_layer": -2,
    "mm_vision_select_feature": "patch",
}


def weights(cfg, g):
    v, t = cfg["vision_config"], cfg["text_config"]
    dv, iv, dt, it, vocab = v["hidden_size"], v["intermediate_size"], t["hidden_size"], t["intermediate_size"], t["vocab_size"]
    hd = dt // t["num_attention_heads"]
    kv = t["num_key_value_heads"] * hd
    P = (v["image_size"] // v["patch_size"]) ** 2
    shapes = {
        "model.embed_tokens.weight": [vocab, dt], "lm_head.weight": [vocab, dt], "model.norm.weight": [dt],
        "model.mm_projector.0.weight": [dt, dv], "model.mm_projector.0.bias": [dt],
        "model.mm_projector.2.weight": [dt, dt], "model.mm_projector.2.bias": [dt],
        VISION + "embeddings.class_embedding": [dv],
        VISION + "embeddings.patch_embedding.weight": [dv, 3, v["patch_size"], v["patch_size"]],
        VISION + "embeddings.position_embedding.weight": [P + 1, dv],
        VISION + "pre_layrnorm.weight": [dv], VISION + "pre_layrnorm.bias": [dv],
        VISION + "post_layernorm.weight": [dv], VISION + "post_layernorm.bias": [dv],
    }
    for i in range(t["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({p + "self_attn.q_proj.weight": [dt, dt], p + "self_attn.k_proj.weight": [kv, dt],
                       p + "self_attn.v_proj.weight": [kv, dt], p + "self_attn.o_proj.weight": [dt, dt],
                       p + "mlp.gate_proj.weight": [it, dt], p + "mlp.up_proj.weight": [it, dt],
                       p + "mlp.down_proj.weight": [dt, it],
                       p + "input_layernorm.weight": [dt], p + "post_attention_layernorm.weight": [dt]})
    for i in range(v["num_hidden_layers"]):
        p = f"{VISION}encoder.layers.{i}."
        for m in ("q", "k", "v", "out"):
            shapes[p + f"self_attn.{m}_proj.weight"] = [dv, dv]
            shapes[p + f"self_attn.{m}_proj.bias"] = [dv]
        shapes.update({p + "mlp.fc1.weight": [iv, dv], p + "mlp.fc1.bias": [iv], p + "mlp.fc2.weight": [dv, iv],
                       p + "mlp.fc2.bias": [dv], p + "layer_norm1.weight": [dv], p + "layer_norm1.bias": [dv],
                       p + "layer_norm2.weight": [dv], p + "layer_norm2.bias": [dv]})
    sd = {}
    for name, shape in shapes.items():
        norm = "norm" in name or "layrnorm" in name
        if norm and name.endswith("weight"):
            sd[name] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            std = 0.1 if name.endswith("bias") or norm else 0.3
            sd[name] = std * torch.randn(shape, generator=g)
    return sd


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(2024)
    sd = weights(CFG, g)
    # three right-padded rows: image in the middle, text only (padded), image first (padded)
    ids = torch.tensor([[5, 6, IMAGE_TOKEN_INDEX, 7, 8, 9], [10, 11, 12, 0, 0, 0], [IMAGE_TOKEN_INDEX, 13, 14, 15, 0, 0]])
    labels = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 7, 8, 9],
                           [IGNORE_INDEX, 11, 12, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX],
                           [IGNORE_INDEX, IGNORE_INDEX, 14, 15, IGNORE_INDEX, IGNORE_INDEX]])
    mask = ids.new_tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0]]).bool()
    has_image = torch.tensor([True, False, True])
    pixels = torch.randn(3, 3, 16, 16, generator=g)
    pixels[1] = 0
    with torch.no_grad():
        logits, spliced_labels, spliced_mask = forward(sd, CFG, ids, labels, mask, pixels, has_image)
    save_safetensors(f"{OUT}/tiny-llava.safetensors", sd)
    save_safetensors(f"{OUT}/tiny-llava.io.safetensors", {
        "input_ids": ids, "labels": labels, "attention_mask": mask.long(), "pixels": pixels,
        "has_image": has_image.long(), "logits": logits, "spliced_labels": spliced_labels,
        "spliced_mask": spliced_mask.long()})
    with open(f"{OUT}/tiny-llava.config.json", "w") as f:
        json.dump(CFG, f, indent=2)
        f.write("\n")
    print("logits", tuple(logits.shape), "torch", torch.__version__)


if __name__ == "__main__":
    main()
