"""Writes the checkpoint-import fixtures of tests/CoTBal.Model.Tests/Fixtures/checkpoints (run from the repo root):

    /usr/bin/python3 bench/python/checkpoint_fixtures.py

From one tiny LLaVA state dict (make_fixture.py's architecture, new seed) it writes the same weights as
    llava-sharded/   original LLaVA folder: config.json (Llama fields + mm_*, no vision config, as released LLaVA
                     configs), model-00001-of-00002.safetensors (decoder layers, float16), model-00002-of-00002
                     (the rest, float32), model.safetensors.index.json
    hf-sharded/      transformers LlavaForConditionalGeneration folder, same split, keys renamed as transformers'
                     convert_llava_weights_to_hf.py does (language_model.*, vision_tower.*, multi_modal_projector.linear_1|2)
    parts/clip/      Hugging Face CLIPVisionModel folder (vision_model.*), config.json = CLIPVisionConfig
    parts/llama/     Hugging Face LlamaForCausalLM folder (model.*, lm_head), config.json = LlamaConfig
    parts/mm_projector.bin   LLaVA stage-1 projector, torch.save of {"model.mm_projector.{0,2}.*"}
    reference.safetensors    a batch and the reference logits (llava_ref.forward) of these weights
    keys-llava.json, keys-hf.json   name -> [dtype, shape] of the float32 state dict in each layout (what an export must hold)
The decoder-layer tensors are rounded to float16 first, so the float16 shard holds the reference weights exactly.
"""
import json
import os
import shutil

import torch

from llava_ref import IGNORE_INDEX, IMAGE_TOKEN_INDEX, VISION, forward, save_safetensors
from make_fixture import CFG, weights

OUT = "tests/CoTBal.Model.Tests/Fixtures/checkpoints"
TOWER = "model.vision_tower.vision_tower."


def to_hf(key):
    """Original LLaVA key -> transformers LlavaForConditionalGeneration key (on-disk names)."""
    if key.startswith(TOWER):
        return "vision_tower." + key[len(TOWER):]
    if key.startswith("model.mm_projector.0."):
        return "multi_modal_projector.linear_1." + key[len("model.mm_projector.0."):]
    if key.startswith("model.mm_projector.2."):
        return "multi_modal_projector.linear_2." + key[len("model.mm_projector.2."):]
    if key.startswith("lm_head."):
        return "language_model." + key
    if key.startswith("model."):
        return "language_model.model." + key[len("model."):]
    raise ValueError(key)


def llama_config():
    t = CFG["text_config"]
    return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "rms_norm_eps": 1e-6,
            "rope_theta": 10000.0, "tie_word_embeddings": False, **t}


def clip_config():
    return {"architectures": ["CLIPVisionModel"], "model_type": "clip_vision_model", "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5, "num_channels": 3, **CFG["vision_config"]}


def write_sharded(folder, sd, rename, config):
    os.makedirs(folder)
    first = {rename(k): v.half() for k, v in sd.items() if k.startswith("model.layers.")}
    rest = {rename(k): v for k, v in sd.items() if not k.startswith("model.layers.")}
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    save_safetensors(f"{folder}/{names[0]}", first)
    save_safetensors(f"{folder}/{names[1]}", rest)
    weight_map = {k: names[0] for k in first} | {k: names[1] for k in rest}
    total = sum(v.numel() * v.element_size() for v in list(first.values()) + list(rest.values()))
    dump(f"{folder}/model.safetensors.index.json", {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    dump(f"{folder}/config.json", config)


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def key_list(sd, rename):
    names = {torch.float32: "F32", torch.float16: "F16"}
    return {rename(k): [names[v.dtype], list(v.shape)] for k, v in sorted(sd.items())}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    g = torch.Generator().manual_seed(2025)
    sd = weights(CFG, g)
    for k in sd:
        if k.startswith("model.layers."):
            sd[k] = sd[k].half().float()  # exactly representable in the float16 shard

    t = CFG["text_config"]
    llava_config = {"architectures": ["LlavaLlamaForCausalLM"], "model_type": "llava_llama", **llama_config(),
                    "mm_vision_tower": "openai/clip-vit-large-patch14-336", "mm_hidden_size": CFG["vision_config"]["hidden_size"],
                    "mm_projector_type": CFG["mm_projector_type"], "mm_vision_select_layer": CFG["mm_vision_select_layer"],
                    "mm_vision_select_feature": CFG["mm_vision_select_feature"], "image_aspect_ratio": "pad",
                    "mm_use_im_start_end": False, "tune_mm_mlp_adapter": False}
    llava_config["architectures"] = ["LlavaLlamaForCausalLM"]
    llava_config["model_type"] = "llava_llama"
    write_sharded(f"{OUT}/llava-sharded", sd, lambda k: k, llava_config)

    hf_config = {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava", "image_token_index": t["vocab_size"] - 1,
                 "projector_hidden_act": "gelu", "vision_feature_layer": CFG["mm_vision_select_layer"],
                 "vision_feature_select_strategy": "default", "text_config": llama_config(), "vision_config": clip_config()}
    write_sharded(f"{OUT}/hf-sharded", sd, to_hf, hf_config)

    os.makedirs(f"{OUT}/parts/clip")
    save_safetensors(f"{OUT}/parts/clip/model.safetensors", {k[len(TOWER):]: v for k, v in sd.items() if k.startswith(TOWER)})
    dump(f"{OUT}/parts/clip/config.json", clip_config())
    os.makedirs(f"{OUT}/parts/llama")
    save_safetensors(f"{OUT}/parts/llama/model.safetensors",
                     {k: v for k, v in sd.items() if not k.startswith(TOWER) and not k.startswith("model.mm_projector.")})
    dump(f"{OUT}/parts/llama/config.json", llama_config())
    torch.save({k: v.clone() for k, v in sd.items() if k.startswith("model.mm_projector.")}, f"{OUT}/parts/mm_projector.bin")

    # make_fixture.py's batch: image in the middle, text only (padded), image first (padded)
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
    save_safetensors(f"{OUT}/reference.safetensors", {
        "input_ids": ids, "labels": labels, "attention_mask": mask.long(), "pixels": pixels, "has_image": has_image.long(),
        "logits": logits, "spliced_labels": spliced_labels, "spliced_mask": spliced_mask.long()})
    dump(f"{OUT}/keys-llava.json", key_list(sd, lambda k: k))
    dump(f"{OUT}/keys-hf.json", key_list(sd, to_hf))
    print("fixtures in", OUT, "logits", tuple(logits.shape), "torch", torch.__version__)


if __name__ == "__main__":
    main()
