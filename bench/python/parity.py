"""PyTorch side of the `model-parity` benchmark (bench/CoTBal.Bench/ModelParityBench.cs runs it):

    /usr/bin/python3 bench/python/parity.py --dir DIR [--steps 10] [--threads 2]

DIR holds config.json, weights.safetensors and batch.safetensors written by the C# side. Writes
DIR/logits.safetensors (reference logits, no grad) and prints one JSON line with the forward+backward step
times of the same batch (token-mean cross-entropy; the vision tower frozen, as the C# default).
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from llava_ref import IGNORE_INDEX, forward, load_safetensors, save_safetensors


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(f"{a.dir}/config.json"))
    sd = load_safetensors(f"{a.dir}/weights.safetensors")
    batch = load_safetensors(f"{a.dir}/batch.safetensors")
    ids, labels = batch["input_ids"], batch["labels"]
    mask, has_image, pixels = batch["attention_mask"].bool(), batch["has_image"].bool(), batch["pixels"]

    with torch.no_grad():
        logits, spliced_labels, spliced_mask = forward(sd, cfg, ids, labels, mask, pixels, has_image)
    save_safetensors(f"{a.dir}/logits.safetensors", {"logits": logits, "spliced_mask": spliced_mask.long()})

    for name, t in sd.items():
        t.requires_grad_(not name.startswith("model.vision_tower."))
    times = []
    for step in range(a.steps + 3):
        t0 = time.perf_counter()
        logits, spliced_labels, _ = forward(sd, cfg, ids, labels, mask, pixels, has_image)
        v = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, v), spliced_labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)
        loss.backward()
        for t in sd.values():
            t.grad = None
        if step >= 3:
            times.append(time.perf_counter() - t0)
    times.sort()
    a_, b_ = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a_ @ b_
    best = min(_timed(lambda: a_ @ b_) for _ in range(20))
    print(json.dumps({"mm_gflops": 2 * 1024 ** 3 / best / 1e9,"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "median_ms": 1000 * times[len(times) // 2], "min_ms": 1000 * times[0], "steps": a.steps}))


if __name__ == "__main__":
    main()
