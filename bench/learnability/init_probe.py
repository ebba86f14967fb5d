#!/usr/bin/env python3
"""How fast a from-scratch LLaVA-style model learns to read its image tokens, per initialisation scheme.

The probe task: a 48-pixel image with ONE object (5 colours x 4 shapes, drawn in one cell of the 3x3 grid on a grey
background, as the benchmark draws its scenes) and the answer "a <colour> <shape>". The sequence is
[<s>, image tokens, a, colour, shape, </s>] with the loss on the four answer tokens, so the loss of a model that
ignores the image is (0 + ln 5 + ln 4 + 0) / 4 = 0.75 and one that reads the colour only reaches ln 4 / 4 = 0.35.
The model is the independent PyTorch reference (bench/python/llava_ref.py) with the demo preset's sizes and 16-pixel
patches (configs/models/demo.json with patch_size 16: 9 image tokens, one per grid cell), AdamW, batch 32, linear
warm-up then cosine decay, gradient clipping 1.0, one thread.

    python3 bench/learnability/init_probe.py SCHEME [STEPS=300] [LR=1e-3] [SEED=0]
    python3 bench/learnability/init_probe.py --write DIR [SEED=0]   # the same 6,000 pairs as LLaVA data for `cotbal train`

SCHEME: 0.02  normal(0, 0.02) for every weight (this tool's scheme before WeightInitialization)
        proj  0.02, but the projector as PyTorch's nn.Linear default (uniform +-1/sqrt(fan_in))
        clip  the projector as `proj`, the vision tower as Hugging Face's CLIP _init_weights (the tool's scheme now)
        fanin normal(0, 1/sqrt(fan_in)) for every vision and projector weight
Prints the mean loss of every 25 steps. Debian's python3-torch 1.13, python3-numpy and python3-pil suffice.
"""
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import llava_ref as R  # noqa: E402

PALETTE = {"red": (220, 40, 40), "green": (40, 180, 60), "blue": (50, 90, 230), "yellow": (230, 210, 40), "purple": (150, 60, 200)}
SHAPES = ["circle", "square", "triangle", "diamond"]
WORDS = ["<pad>", "<s>", "</s>", "a"] + list(PALETTE) + SHAPES
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073])
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711])


def draw_shape(draw, shape, x0, y0, side, fill):
    """One filled shape in the square box [x0, x0 + side) x [y0, y0 + side) (PIL; the benchmark's four shapes)."""
    x1, y1 = x0 + side, y0 + side
    if shape == "square":
        draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=fill)
    elif shape == "circle":
        draw.ellipse([x0, y0, x1 - 1, y1 - 1], fill=fill)
    elif shape == "diamond":
        draw.polygon([((x0 + x1) / 2, y0), (x1, (y0 + y1) / 2), ((x0 + x1) / 2, y1), (x0, (y0 + y1) / 2)], fill=fill)
    else:
        draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)


def one_object_images(n, rng, write_to=None):
    """n images [n, 3, 48, 48] (CLIP-normalised) and their answers; with write_to, also PNGs and a LLaVA data file there."""
    pixels, answers, records = [], [], []
    for _ in range(n):
        grey = rng.randint(25, 70)
        image = Image.new("RGB", (48, 48), (grey, grey, grey + rng.randint(0, 19)))
        draw = ImageDraw.Draw(image)
        colour, shape = rng.choice(list(PALETTE)), rng.choice(SHAPES)
        cell = rng.randrange(9)
        side = rng.randint(10, 13)
        x0 = cell % 3 * 16 + rng.randint(0, 16 - side)
        y0 = cell // 3 * 16 + rng.randint(0, 16 - side)
        draw_shape(draw, shape, x0, y0, side, PALETTE[colour])
        if write_to:
            path = f"images/{len(records):05d}.png"
            image.save(os.path.join(write_to, path))
            records.append({"id": f"one-{len(records)}", "task": "one", "image": path, "conversations": [
                {"from": "human", "value": "<image>\nWhich object is in the cell?"},
                {"from": "gpt", "value": f"a {colour} {shape}"}]})
        a = np.asarray(image, dtype=np.float32) / 255.0
        pixels.append(torch.tensor(((a - CLIP_MEAN) / CLIP_STD).transpose(2, 0, 1), dtype=torch.float32))
        answers.append(["a", colour, shape])
    if write_to:
        with open(os.path.join(write_to, "one.json"), "w") as f:
            json.dump(records, f)
    return torch.stack(pixels), answers


def config():
    with open(os.path.join(HERE, "..", "..", "configs", "models", "demo.json")) as f:
        cfg = json.load(f)
    cfg["vision_config"]["patch_size"] = 16
    cfg["text_config"]["vocab_size"] = len(WORDS)
    return cfg


def shapes_of(cfg):
    from make_fixture import weights  # the reference's parameter inventory (names and shapes)
    return {k: v.shape for k, v in weights(cfg, torch.Generator().manual_seed(0)).items()}


def initialise(cfg, scheme, g):
    v = cfg["vision_config"]
    d, layers = v["hidden_size"], v["num_hidden_layers"]
    attention = d ** -0.5 * (2 * layers) ** -0.5
    sd = {}
    for name, shape in shapes_of(cfg).items():
        is_norm = "norm" in name or "layrnorm" in name
        vision, projector = name.startswith(R.VISION), "mm_projector" in name
        fan_in = shape[1] if len(shape) == 2 else int(np.prod(shape[1:])) if len(shape) > 2 else None
        if is_norm:
            t = torch.ones(shape) if name.endswith("weight") else torch.zeros(shape)
        elif projector and scheme in ("proj", "clip"):
            bound = (shapes_of(cfg)[name.replace(".bias", ".weight")][1]) ** -0.5
            t = (torch.rand(shape, generator=g) * 2 - 1) * bound
        elif name.endswith("bias"):
            t = torch.zeros(shape)
        elif vision and scheme == "clip":
            if "class_embedding" in name:
                std = d ** -0.5
            elif "embeddings." in name:
                std = 0.02
            elif "out_proj" in name:
                std = d ** -0.5
            elif "self_attn" in name or "fc2" in name:
                std = attention
            else:  # fc1
                std = (2 * d) ** -0.5
            t = std * torch.randn(shape, generator=g)
        elif (vision or projector) and scheme == "fanin" and fan_in:
            t = fan_in ** -0.5 * torch.randn(shape, generator=g)
        else:
            t = 0.02 * torch.randn(shape, generator=g)
        sd[name] = t.requires_grad_(True)
    return sd


def main():
    if sys.argv[1] == "--write":
        folder = sys.argv[2]
        os.makedirs(os.path.join(folder, "images"), exist_ok=True)
        one_object_images(6000, random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 0), folder)
        return
    scheme = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    peak = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if scheme not in ("0.02", "proj", "clip", "fanin"):
        sys.exit(f"unknown scheme {scheme}")
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    pixels, answers = one_object_images(6000, random.Random(seed))
    index = {w: i for i, w in enumerate(WORDS)}
    ids = torch.tensor([[index["<s>"], R.IMAGE_TOKEN_INDEX] + [index[w] for w in a] + [index["</s>"]] for a in answers])
    labels = ids.clone()
    labels[:, :2] = R.IGNORE_INDEX
    mask = torch.ones_like(ids, dtype=torch.bool)
    cfg = config()
    sd = initialise(cfg, scheme, torch.Generator().manual_seed(seed))
    params = list(sd.values())
    opt = torch.optim.AdamW(params, lr=peak, weight_decay=0.0)
    warmup = max(1, round(0.03 * steps))
    losses, start = [], time.time()
    for step in range(steps):
        lr = peak * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in opt.param_groups:
            group["lr"] = lr
        batch = torch.randint(0, len(answers), (32,))
        logits, lab, _ = R.forward(sd, cfg, ids[batch], labels[batch], mask[batch], pixels[batch], torch.ones(32, dtype=torch.bool))
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), lab[:, 1:].reshape(-1), ignore_index=R.IGNORE_INDEX)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
        if (step + 1) % 25 == 0:
            print(f"{step + 1} {sum(losses[-25:]) / 25:.3f} {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
