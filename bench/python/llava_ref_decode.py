"""Reference comparisons beyond the training forward (run from the repo root, after make_fixture.py):

    /usr/bin/python3 bench/python/llava_ref_decode.py

Reads the PyTorch-written weights and batch of make_fixture.py (tests/CoTBal.Model.Tests/Fixtures/
tiny-llava.safetensors, tiny-llava.io.safetensors) and writes, next to them:

tiny-llava-lora.config.json       the tiny config with LoRA adapters (r 2, alpha 4, five target modules)
tiny-llava-unfrozen.config.json   the tiny config with freeze_vision_tower false
tiny-llava.reference.safetensors
  decode.*   a LEFT-padded prompt batch (image in the middle, text only, image first) and greedy decoding
             computed by re-running the whole sequence at every step (no cache): the last position's logits
             at every generated step [S, B, V] and the chosen tokens [S, B]
  lora.*     non-zero adapters (lora_A [r, in], lora_B [out, r] per targeted linear layer) and the logits of
             the training forward on make_fixture's batch with them (PEFT's W x + alpha / r * B A x)
  vision.*   with a trainable vision tower: the mean cross-entropy of the shifted labels on that batch and
             its gradient w.r.t. a few vision-tower parameters

Everything is computed in float64 from the float32 weights, so the fixture holds the exact answer for those
weights (rounded to float32) and the C# model's float32 result is compared with it. Semantics follow
llava_ref.py (Hugging Face CLIPVisionModel / LlamaForCausalLM, LLaVA's splice); prompts are spliced, then
re-padded on the LEFT, and positions come from the attention mask (cumsum - 1), as Hugging Face's generate
does for a left-padded batch.
"""
import json

import torch
import torch.nn.functional as F

from llava_ref import IGNORE_INDEX, IMAGE_TOKEN_INDEX, VISION, decode, forward, load_safetensors, save_safetensors, splice

OUT = "tests/CoTBal.Model.Tests/Fixtures"
LORA = {"r": 2, "lora_alpha": 4.0, "target_modules": ["q_proj", "v_proj", "o_proj", "gate_proj", "down_proj"]}
STEPS = 6
VISION_PARAMS = ["embeddings.patch_embedding.weight", "embeddings.class_embedding", "embeddings.position_embedding.weight",
                 "pre_layrnorm.weight", "encoder.layers.0.self_attn.q_proj.weight", "encoder.layers.0.self_attn.v_proj.bias",
                 "encoder.layers.0.mlp.fc1.weight", "encoder.layers.0.layer_norm2.bias"]


def left_padded_prompts(sd, cfg, ids, mask, pixels, has_image):
    """Splice each row's image, then re-pad on the left: embeddings [B, T, D], mask [B, T]."""
    E, _, M = splice(sd, cfg, ids, torch.full_like(ids, IGNORE_INDEX), mask, pixels, has_image)
    n, length = M.sum(1), E.shape[1]
    E2, M2 = torch.zeros_like(E), torch.zeros_like(M)
    for b in range(E.shape[0]):
        E2[b, length - n[b]:], M2[b, length - n[b]:] = E[b, :n[b]], True
    return E2, M2


def greedy(sd, cfg, embeds, mask, steps):
    """Greedy decoding without a cache: the full sequence at every step. Returns logits [S, B, V], tokens [S, B]."""
    all_logits, tokens = [], []
    for _ in range(steps):
        logits = decode(sd, cfg, embeds, mask)[:, -1]                                     # [B, V]
        nxt = logits.argmax(-1)
        all_logits.append(logits)
        tokens.append(nxt)
        embeds = torch.cat([embeds, sd["model.embed_tokens.weight"][nxt][:, None]], 1)
        mask = torch.cat([mask, torch.ones(mask.shape[0], 1, dtype=torch.bool)], 1)
    return torch.stack(all_logits), torch.stack(tokens)


def lora_adapters(cfg, g):
    t = cfg["text_config"]
    d, inter = t["hidden_size"], t["intermediate_size"]
    kv = t["num_key_value_heads"] * d // t["num_attention_heads"]
    shapes = {"q_proj": (d, d), "k_proj": (kv, d), "v_proj": (kv, d), "o_proj": (d, d),
              "gate_proj": (inter, d), "up_proj": (inter, d), "down_proj": (d, inter)}
    adapters = {}
    for i in range(t["num_hidden_layers"]):
        for m in LORA["target_modules"]:
            out, inp = shapes[m]
            prefix = f"model.layers.{i}.{'mlp' if m.endswith(('gate_proj', 'up_proj', 'down_proj')) else 'self_attn'}.{m}"
            adapters[prefix + ".lora_A"] = 0.3 * torch.randn(LORA["r"], inp, generator=g, dtype=torch.float32)
            adapters[prefix + ".lora_B"] = 0.3 * torch.randn(out, LORA["r"], generator=g, dtype=torch.float32)
    return adapters


def with_lora(sd, adapters):
    """PEFT's forward W x + s B A x for every adapted layer, as the weight W + s B A (float64)."""
    scaling = LORA["lora_alpha"] / LORA["r"]
    merged = dict(sd)
    for key in adapters:
        if key.endswith(".lora_A"):
            base = key[:-len(".lora_A")]
            merged[base + ".weight"] = sd[base + ".weight"] + scaling * adapters[base + ".lora_B"].double() @ adapters[key].double()
    return merged


def shifted_cross_entropy(logits, labels):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)


def main():
    torch.set_default_dtype(torch.float64)
    with open(f"{OUT}/tiny-llava.config.json") as f:
        cfg = json.load(f)
    sd = {k: v.double() for k, v in load_safetensors(f"{OUT}/tiny-llava.safetensors").items()}
    io = load_safetensors(f"{OUT}/tiny-llava.io.safetensors")
    ids, labels, mask = io["input_ids"], io["labels"], io["attention_mask"].bool()
    pixels, has_image = io["pixels"].double(), io["has_image"].bool()
    g = torch.Generator().manual_seed(77)
    out = {}

    # ---- greedy decoding of a left-padded batch
    p_ids = torch.tensor([[0, 0, 5, IMAGE_TOKEN_INDEX, 7, 8], [0, 0, 0, 10, 11, 12], [IMAGE_TOKEN_INDEX, 13, 14, 15, 16, 17]])
    p_mask = torch.tensor([[0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]]).bool()
    p_has = torch.tensor([True, False, True])
    p_pixels = torch.randn(3, 3, 16, 16, generator=g, dtype=torch.float32)
    p_pixels[1] = 0
    with torch.no_grad():
        E, M = left_padded_prompts(sd, cfg, p_ids, p_mask, p_pixels.double(), p_has)
        step_logits, tokens = greedy(sd, cfg, E, M, STEPS)
    out.update({"decode.input_ids": p_ids, "decode.attention_mask": p_mask.long(), "decode.pixels": p_pixels,
                "decode.has_image": p_has.long(), "decode.step_logits": step_logits.float(), "decode.tokens": tokens})

    # ---- LoRA forward (training forward, right-padded batch of make_fixture)
    adapters = lora_adapters(cfg, g)
    with torch.no_grad():
        lora_logits, _, _ = forward(with_lora(sd, adapters), cfg, ids, labels, mask, pixels, has_image)
    out.update({"lora." + k: v for k, v in adapters.items()})
    out["lora.logits"] = lora_logits.float()

    # ---- gradients through a trainable vision tower
    leaves = {k: sd[VISION + k].clone().requires_grad_(True) for k in VISION_PARAMS}
    graded = dict(sd)
    graded.update({VISION + k: v for k, v in leaves.items()})
    logits, spliced_labels, _ = forward(graded, cfg, ids, labels, mask, pixels, has_image)
    loss = shifted_cross_entropy(logits, spliced_labels)
    loss.backward()
    out["vision.loss"] = loss.detach().float().reshape(1)
    out.update({"vision.grad." + VISION + k: v.grad.float() for k, v in leaves.items()})

    save_safetensors(f"{OUT}/tiny-llava.reference.safetensors", out)
    for name, extra in (("lora", {"lora": LORA}), ("unfrozen", {"freeze_vision_tower": False})):
        with open(f"{OUT}/tiny-llava-{name}.config.json", "w") as f:
            json.dump({**cfg, **extra}, f, indent=2)
            f.write("\n")
    print("tokens", tokens.t().tolist(), "loss", loss.item(), "torch", torch.__version__)


if __name__ == "__main__":
    main()
