"""Independent PyTorch reference of the CoTBal.NET LLaVA-style model (functional, weights by state-dict key).

Written against Debian's python3-torch 1.13 (no scaled_dot_product_attention there: attention is an explicit
softmax). Semantics follow Hugging Face CLIPVisionModel / LlamaForCausalLM and LLaVA's
prepare_inputs_labels_for_multimodal, with the same key names as the C# model, so the same safetensors file
drives both. Used by make_fixture.py (test fixture) and parity.py (benchmark).
"""
import json
import math
import struct

import torch
import torch.nn.functional as F

IMAGE_TOKEN_INDEX = -200
IGNORE_INDEX = -100
VISION = "model.vision_tower.vision_tower.vision_model."

_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32}
_NAMES = {v: k for k, v in _DTYPES.items()}


# ---------------------------------------------------------------- safetensors (no extra package needed)
def save_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for c in chunks:
            f.write(c)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(data[start:end]), dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


# ---------------------------------------------------------------- vision tower + projector
def trainable(sd, cfg):
    """Marks which weights train (everything but a frozen vision tower, as LLaVA's fine-tuning) and returns them.
    The tower's last layer and post-layernorm are never run (select layer -2): they get no gradient, as in the C# model."""
    frozen = cfg.get("freeze_vision_tower", True)
    params = []
    for name, t in sd.items():
        train = not (frozen and name.startswith("model.vision_tower."))
        t.requires_grad_(train)
        if train:
            params.append(t)
    return params


def encode_images(sd, cfg, pixels):
    v = cfg["vision_config"]
    d, heads, eps = v["hidden_size"], v["num_attention_heads"], v.get("layer_norm_eps", 1e-5)
    hd = d // heads
    n = pixels.shape[0]
    x = F.conv2d(pixels, sd[VISION + "embeddings.patch_embedding.weight"], stride=v["patch_size"])  # [N, D, g, g]
    x = x.flatten(2).transpose(1, 2)                                                                # [N, P, D]
    cls = sd[VISION + "embeddings.class_embedding"].reshape(1, 1, d).expand(n, 1, d)
    x = torch.cat([cls, x], 1) + sd[VISION + "embeddings.position_embedding.weight"]                # [N, P+1, D]
    x = F.layer_norm(x, (d,), sd[VISION + "pre_layrnorm.weight"], sd[VISION + "pre_layrnorm.bias"], eps)
    layers = v["num_hidden_layers"]
    select = cfg.get("mm_vision_select_layer", -2)
    run = layers + 1 + select if select < 0 else select
    for i in range(run):
        p = f"{VISION}encoder.layers.{i}."
        h = F.layer_norm(x, (d,), sd[p + "layer_norm1.weight"], sd[p + "layer_norm1.bias"], eps)
        q, k, val = (F.linear(h, sd[p + f"self_attn.{m}_proj.weight"], sd[p + f"self_attn.{m}_proj.bias"])
                     .reshape(n, -1, heads, hd).transpose(1, 2) for m in ("q", "k", "v"))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), -1) @ val                     # [N, H, P+1, hd]
        att = att.transpose(1, 2).reshape(n, -1, d)
        x = x + F.linear(att, sd[p + "self_attn.out_proj.weight"], sd[p + "self_attn.out_proj.bias"])
        h = F.layer_norm(x, (d,), sd[p + "layer_norm2.weight"], sd[p + "layer_norm2.bias"], eps)
        h = F.linear(h, sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"])
        h = h * torch.sigmoid(1.702 * h) if v.get("hidden_act", "quick_gelu") == "quick_gelu" else F.gelu(h)
        x = x + F.linear(h, sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])
    if cfg.get("mm_vision_select_feature", "patch") == "patch":
        x = x[:, 1:]
    if cfg.get("mm_projector_type", "mlp2x_gelu") == "linear":
        return F.linear(x, sd["model.mm_projector.weight"], sd["model.mm_projector.bias"])
    x = F.gelu(F.linear(x, sd["model.mm_projector.0.weight"], sd["model.mm_projector.0.bias"]))
    return F.linear(x, sd["model.mm_projector.2.weight"], sd["model.mm_projector.2.bias"])


# ---------------------------------------------------------------- splice (LLaVA prepare_inputs_labels_for_multimodal)
def splice(sd, cfg, ids, labels, mask, pixels, has_image):
    embed = sd["model.embed_tokens.weight"]
    feats = encode_images(sd, cfg, pixels[has_image]) if has_image.any() else None
    rows_e, rows_l, k = [], [], 0
    for b in range(ids.shape[0]):
        real = mask[b]
        rid, rlab = ids[b][real], labels[b][real]
        pos = (rid == IMAGE_TOKEN_INDEX).nonzero().flatten().tolist()
        if pos:
            i = pos[0]
            e = torch.cat([embed[rid[:i]], feats[k], embed[rid[i + 1:]]])
            lab = torch.cat([rlab[:i], torch.full((feats.shape[1],), IGNORE_INDEX), rlab[i + 1:]])
            k += 1
        else:
            e, lab = embed[rid], rlab
        rows_e.append(e)
        rows_l.append(lab)
    longest = max(e.shape[0] for e in rows_e)
    d = embed.shape[1]
    E = torch.zeros(len(rows_e), longest, d)
    L = torch.full((len(rows_e), longest), IGNORE_INDEX)
    M = torch.zeros(len(rows_e), longest, dtype=torch.bool)
    for b, (e, lab) in enumerate(zip(rows_e, rows_l)):
        E[b, :e.shape[0]], L[b, :e.shape[0]], M[b, :e.shape[0]] = e, lab, True
    return E, L, M


# ---------------------------------------------------------------- llama decoder
def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


def decode(sd, cfg, embeds, mask):
    t = cfg["text_config"]
    d, heads = t["hidden_size"], t["num_attention_heads"]
    kvh = t.get("num_key_value_heads") or heads
    hd, eps = d // heads, t.get("rms_norm_eps", 1e-6)
    b, n, _ = embeds.shape
    pos = (mask.long().cumsum(1) - 1).clamp(min=0)                                             # [B, T]
    inv = 1.0 / (t.get("rope_theta", 10000.0) ** (torch.arange(0, hd, 2).float() / hd))
    ang = pos.float()[..., None] * inv
    ang = torch.cat([ang, ang], -1)[:, None]                                                   # [B, 1, T, hd]
    cos, sin = ang.cos(), ang.sin()
    allowed = torch.ones(n, n).tril().bool()[None, None] & mask[:, None, None, :]              # [B, 1, T, T]
    allowed = allowed | torch.eye(n, dtype=torch.bool)[None, None]
    x = embeds
    for i in range(t["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms(x, sd[p + "input_layernorm.weight"], eps)
        q = F.linear(h, sd[p + "self_attn.q_proj.weight"]).reshape(b, n, heads, hd).transpose(1, 2)
        k = F.linear(h, sd[p + "self_attn.k_proj.weight"]).reshape(b, n, kvh, hd).transpose(1, 2)
        v = F.linear(h, sd[p + "self_attn.v_proj.weight"]).reshape(b, n, kvh, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = k.repeat_interleave(heads // kvh, 1), v.repeat_interleave(heads // kvh, 1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~allowed, float("-inf"))
        a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, n, d)
        x = x + F.linear(a, sd[p + "self_attn.o_proj.weight"])
        h = rms(x, sd[p + "post_attention_layernorm.weight"], eps)
        x = x + F.linear(F.silu(F.linear(h, sd[p + "mlp.gate_proj.weight"])) * F.linear(h, sd[p + "mlp.up_proj.weight"]),
                         sd[p + "mlp.down_proj.weight"])
    return F.linear(rms(x, sd["model.norm.weight"], eps), sd["lm_head.weight"])                # [B, T, V]


def forward(sd, cfg, ids, labels, mask, pixels, has_image):
    """Training forward: returns (logits [B, T', V], spliced labels [B, T'], mask [B, T'])."""
    E, L, M = splice(sd, cfg, ids, labels, mask, pixels, has_image)
    return decode(sd, cfg, E, M), L, M
