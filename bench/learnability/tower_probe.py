#!/usr/bin/env python3
"""Does a vision tower pretrained alone on per-patch labels make the cell lookup learnable? (PyTorch reference model)

Stage 0: the demo preset's tower (48-pixel images, 8-pixel patches) + linear heads predict each patch's grid-cell
content (colour, shape; with CELL_HEAD=1 also the cell itself), on 8,000 scenes of 1-6 objects. Prints held-out
per-patch accuracy (colour, shape; "none" counted, so the majority class is ~0.61).
Stage 1: tower frozen; projector + decoder learn "which object is in the <loc> cell ?" -> "a red circle" / "nothing"
(half the questions about a random cell, half about an occupied one). Prints the mean loss of every 25 steps and the
exact match of the whole answer on 500 held-out questions (occupied / empty cells). QFIRST=1 puts the image after the
question instead of before it (LLaVA puts it first). INVERSE=1 asks the inverse lookup instead, "where is the <colour>
object ?" -> its cell ("top left"), for a colour only one object of the scene has. TOWER=FILE.safetensors (a LLaVA
export such as assets/demo-base/model.safetensors) loads that tower instead of training one (run with STAGE0_STEPS 0).
PREFIX=N puts N words between <s> and the image, as a chat template's system prompt does.

    python3 bench/learnability/tower_probe.py STAGE0_STEPS STAGE1_STEPS [LR0=1e-3] [LR1=1e-3] [SEED=0]
Debian's python3-torch 1.13, python3-numpy and python3-pil suffice; one thread. docs/benchmarks/pretraining.md has
the figures.
"""
import json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)
import llava_ref as R  # noqa
from init_probe import initialise, draw_shape, CLIP_MEAN, CLIP_STD, PALETTE, SHAPES  # noqa
import init_probe

COLOURS = list(PALETTE)
LOCS = [["top", "left"], ["top"], ["top", "right"], ["left"], ["center"], ["right"], ["bottom", "left"], ["bottom"], ["bottom", "right"]]
INVERSE = os.environ.get("INVERSE") == "1"
# PREFIX=N: N words between <s> and the image, as a chat template's system prompt puts them (image-first order only)
FILLER = (["a", "cell", "object", "is", "in", "the", "which"] * 20)[:int(os.environ.get("PREFIX", "0"))]
WORDS = ["<pad>", "<s>", "</s>", "a", "nothing", "where", "which", "object", "is", "in", "the", "cell", "?", "top", "left", "right", "center", "bottom"] + COLOURS + SHAPES
IDX = {w: i for i, w in enumerate(WORDS)}


def scenes(n, rng):
    """pixels [n,3,48,48]; cells [n,9] of (colour index+1, shape index+1) or (0,0)"""
    px, cells = [], []
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    for _ in range(n):
        grey = rng.randint(25, 70)
        a = np.full((48, 48, 3), grey, dtype=np.float32) + nrng.integers(-12, 13, (48, 48, 1))
        image = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        k = rng.randint(1, 6)
        occupied = rng.sample(range(9), k)
        c = [(0, 0)] * 9
        for cell in occupied:
            ci, si = rng.randrange(5), rng.randrange(4)
            side = rng.randint(10, 13)
            x0 = cell % 3 * 16 + rng.randint(0, 16 - side)
            y0 = cell // 3 * 16 + rng.randint(0, 16 - side)
            draw_shape(draw, SHAPES[si], x0, y0, side, PALETTE[COLOURS[ci]])
            c[cell] = (ci + 1, si + 1)
        a = np.asarray(image, dtype=np.float32) / 255.0
        px.append(torch.tensor(((a - CLIP_MEAN) / CLIP_STD).transpose(2, 0, 1), dtype=torch.float32))
        cells.append(c)
    return torch.stack(px), torch.tensor(cells)  # [n,3,48,48], [n,9,2]


def tower_features(sd, cfg, pixels):
    v = cfg["vision_config"]
    d, heads, eps = v["hidden_size"], v["num_attention_heads"], v.get("layer_norm_eps", 1e-5)
    hd = d // heads
    n = pixels.shape[0]
    VISION = R.VISION
    x = F.conv2d(pixels, sd[VISION + "embeddings.patch_embedding.weight"], stride=v["patch_size"]).flatten(2).transpose(1, 2)
    cls = sd[VISION + "embeddings.class_embedding"].reshape(1, 1, d).expand(n, 1, d)
    x = torch.cat([cls, x], 1) + sd[VISION + "embeddings.position_embedding.weight"]
    x = F.layer_norm(x, (d,), sd[VISION + "pre_layrnorm.weight"], sd[VISION + "pre_layrnorm.bias"], eps)
    run = v["num_hidden_layers"] - 1
    for i in range(run):
        p = f"{VISION}encoder.layers.{i}."
        h = F.layer_norm(x, (d,), sd[p + "layer_norm1.weight"], sd[p + "layer_norm1.bias"], eps)
        q, k, val = (F.linear(h, sd[p + f"self_attn.{m}_proj.weight"], sd[p + f"self_attn.{m}_proj.bias"]).reshape(n, -1, heads, hd).transpose(1, 2) for m in ("q", "k", "v"))
        att = (torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), -1) @ val).transpose(1, 2).reshape(n, -1, d)
        x = x + F.linear(att, sd[p + "self_attn.out_proj.weight"], sd[p + "self_attn.out_proj.bias"])
        h = F.layer_norm(x, (d,), sd[p + "layer_norm2.weight"], sd[p + "layer_norm2.bias"], eps)
        h = F.linear(h, sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"])
        h = h * torch.sigmoid(1.702 * h)
        x = x + F.linear(h, sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])
    return x[:, 1:]  # [n, 36, d]


def patch_cells():
    g = torch.arange(36)
    return (g // 6 // 2) * 3 + (g % 6 // 2)  # [36] cell of each patch


def schedule(step, steps, peak):
    warm = max(1, round(0.03 * steps))
    return peak * min(1.0, (step + 1) / warm) * 0.5 * (1 + math.cos(math.pi * step / steps))


def main():
    s0, s1 = int(sys.argv[1]), int(sys.argv[2])
    lr0 = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
    lr1 = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-3
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    init_probe.WORDS = WORDS
    cfg = init_probe.config()
    cfg["vision_config"]["patch_size"] = 8
    sd = initialise(cfg, "clip", torch.Generator().manual_seed(seed))
    d = cfg["vision_config"]["hidden_size"]
    if os.environ.get("TOWER"):
        # a pretrained tower instead of stage 0's (TOWER=model.safetensors of a LLaVA export, e.g. assets/demo-base)
        import struct
        raw = open(os.environ["TOWER"], "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        for k, v in header.items():
            if k.startswith(R.VISION) and k in sd:
                a, b = v["data_offsets"]
                sd[k] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32).copy()).reshape(v["shape"])
    pixels, cells = scenes(8000, rng)
    tpix, tcells = scenes(500, rng)
    pc = patch_cells()
    start = time.time()
    if s0:
        heads = {"colour": (torch.randn(6, d) * d ** -0.5).requires_grad_(), "shape": (torch.randn(5, d) * d ** -0.5).requires_grad_(), "cell": (torch.randn(9, d) * d ** -0.5).requires_grad_()}
        use_cell = os.environ.get("CELL_HEAD") == "1"
        tower = [t for k, t in sd.items() if k.startswith(R.VISION)]
        opt = torch.optim.AdamW(tower + list(heads.values()), lr=lr0, weight_decay=0.0)
        hist = []
        for step in range(s0):
            for g in opt.param_groups:
                g["lr"] = schedule(step, s0, lr0)
            b = torch.randint(0, len(pixels), (32,))
            f = tower_features(sd, cfg, pixels[b])  # [32,36,d]
            lab = cells[b][:, pc]  # [32,36,2]
            loss = F.cross_entropy((f @ heads["colour"].T).reshape(-1, 6), lab[..., 0].reshape(-1)) + F.cross_entropy((f @ heads["shape"].T).reshape(-1, 5), lab[..., 1].reshape(-1))
            if use_cell:
                loss = loss + F.cross_entropy((f @ heads["cell"].T).reshape(-1, 9), pc.repeat(32))
            opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(tower, 1.0); opt.step()
            hist.append(loss.item())
            if (step + 1) % 50 == 0:
                with torch.no_grad():
                    f = tower_features(sd, cfg, tpix)
                    lab = tcells[:, pc]
                    ac = ((f @ heads["colour"].T).argmax(-1) == lab[..., 0]).float().mean().item()
                    ash = ((f @ heads["shape"].T).argmax(-1) == lab[..., 1]).float().mean().item()
                print(f"s0 {step + 1} loss {sum(hist[-50:]) / 50:.3f} test colour {ac:.3f} shape {ash:.3f} {time.time() - start:.0f}s", flush=True)
    # stage 1
    for k, t in sd.items():
        if k.startswith(R.VISION):
            t.requires_grad_(False)
    rows, labs = [], []
    qs = []
    for i in range(len(pixels)):
        for _ in range(1):
            if INVERSE:
                # the inverse lookup: a colour that only one object of the scene has -> that object's cell
                colours = cells[i, :, 0].tolist()
                unique = [c for c in range(9) if colours[c] > 0 and colours.count(colours[c]) == 1]
                if not unique:
                    continue
                cell = rng.choice(unique)
                qs.append((i, ["<s>"], ["where", "is", "the", COLOURS[colours[cell] - 1], "object", "?"], LOCS[cell]))
                continue
            cell = rng.randrange(9) if rng.random() < 0.5 else rng.choice([c for c in range(9) if cells[i, c, 0] > 0] or [0])
            ci, si = cells[i, cell].tolist()
            ans = ["a", COLOURS[ci - 1], SHAPES[si - 1]] if ci else ["nothing"]
            qs.append((i, ["<s>"], ["which", "object", "is", "in", "the"] + LOCS[cell] + ["cell", "?"], ans))
    L = max(len(q) + len(a) for _, _, q, a in qs) + 3 + len(FILLER)
    ids = torch.zeros(len(qs), L, dtype=torch.long)
    labels = torch.full((len(qs), L), R.IGNORE_INDEX)
    mask = torch.zeros(len(qs), L, dtype=torch.bool)
    img = []
    for r, (i, pre, q, a) in enumerate(qs):
        if os.environ.get("QFIRST") == "1":
            seq = [IDX["<s>"]] + [IDX[w] for w in q] + [R.IMAGE_TOKEN_INDEX] + [IDX[w] for w in a] + [IDX["</s>"]]
        else:
            seq = [IDX["<s>"]] + [IDX[w] for w in FILLER] + [R.IMAGE_TOKEN_INDEX] + [IDX[w] for w in q] + [IDX[w] for w in a] + [IDX["</s>"]]
        ids[r, :len(seq)] = torch.tensor(seq)
        mask[r, :len(seq)] = True
        labels[r, :len(seq)] = ids[r, :len(seq)]
        labels[r, :2 + len(FILLER) + len(q)] = R.IGNORE_INDEX
        img.append(i)
    img = torch.tensor(img)
    params = [t for k, t in sd.items() if not k.startswith(R.VISION)]
    opt = torch.optim.AdamW(params, lr=lr1, weight_decay=0.0)
    hist = []
    for step in range(s1):
        for g in opt.param_groups:
            g["lr"] = schedule(step, s1, lr1)
        b = torch.randint(0, len(qs) - 500, (32,))
        logits, lab, _ = R.forward(sd, cfg, ids[b], labels[b], mask[b], pixels[img[b]], torch.ones(32, dtype=torch.bool))
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), lab[:, 1:].reshape(-1), ignore_index=R.IGNORE_INDEX)
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step()
        hist.append(loss.item())
        if (step + 1) % 100 == 0:
            with torch.no_grad():
                tb = torch.arange(len(qs) - 500, len(qs))
                lg, lb, _ = R.forward(sd, cfg, ids[tb], labels[tb], mask[tb], pixels[img[tb]], torch.ones(500, dtype=torch.bool))
                pred, gold = lg[:, :-1].argmax(-1), lb[:, 1:]
                ok = ((pred == gold) | (gold == R.IGNORE_INDEX)).all(-1).float()
                occ = torch.tensor([a[0] == "a" or INVERSE for _, _, _, a in qs[-500:]])
            print(f"s1 {step + 1} heldout EM {ok.mean():.3f} occupied {ok[occ].mean():.3f} empty {ok[~occ].mean():.3f}", flush=True)
        if (step + 1) % 25 == 0:
            print(f"s1 {step + 1} loss {sum(hist[-25:]) / 25:.3f} {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
