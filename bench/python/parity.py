"""PyTorch side of the `model-parity` benchmark (bench/CoTBal.Bench/ModelParityBench.cs runs it):

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    /usr/bin/python3 bench/python/parity.py --dir DIR [--steps 20] [--warmup 3] [--threads 1] [--lr 1e-4]

DIR holds config.json, weights.safetensors and batch0.safetensors ... batch{K-1}.safetensors written by the C#
side. Writes DIR/logits.safetensors (reference logits of batch 0, no grad) and prints one JSON line with:
- the wall time (and process CPU time) of every training step after the warm-up (step i uses batch i mod K, warm-up included in i): forward,
  token-mean cross-entropy, backward, gradient clipping at 1.0, AdamW, zero_grad -- what LLaVA's HF trainer does
  per step; the vision tower trains unless the config freezes it;
- this process's fp32 1024^3 matmul peak (best of 20, in wall time and in CPU time) and the thread check: process CPU time over wall time while
  the matmuls and while the steps ran (1 thread cannot exceed ~1.0), OpenBLAS's own thread count read from the
  loaded library, torch's parallel_info, and the BLAS environment variables.
"""
import argparse
import ctypes
import json
import os
import time

import torch
import torch.nn.functional as F

from llava_ref import IGNORE_INDEX, forward, load_safetensors, save_safetensors, trainable

_PINS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def openblas_threads():
    """Threads of the OpenBLAS pool torch's matmuls run in (None if no OpenBLAS is loaded)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    for lib in sorted(libs):
        try:
            return ctypes.CDLL(lib).openblas_get_num_threads(), lib
        except (OSError, AttributeError):
            continue
    return None, None


def matmul_peak(repeats=20, n=1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best, best_cpu, cpu0, wall0 = float("inf"), float("inf"), time.process_time(), time.perf_counter()
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        a @ b
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    ratio = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return 2 * n ** 3 / best / 1e9, ratio, 2 * n ** 3 / best_cpu / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-4)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(f"{a.dir}/config.json"))
    sd = load_safetensors(f"{a.dir}/weights.safetensors")
    batches = []
    while os.path.exists(f"{a.dir}/batch{len(batches)}.safetensors"):
        b = load_safetensors(f"{a.dir}/batch{len(batches)}.safetensors")
        batches.append((b["input_ids"], b["labels"], b["attention_mask"].bool(), b["pixels"], b["has_image"].bool()))

    peak_before, mm_ratio_before, cpu_peak_before = matmul_peak()
    ids, labels, mask, pixels, has_image = batches[0]
    with torch.no_grad():
        logits, _, spliced_mask = forward(sd, cfg, ids, labels, mask, pixels, has_image)
    save_safetensors(f"{a.dir}/logits.safetensors", {"logits": logits, "spliced_mask": spliced_mask.long()})

    params = trainable(sd, cfg)
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    times, cpu_times, losses = [], [], []
    cpu0, wall0 = None, None
    for step in range(a.steps + a.warmup):
        if step == a.warmup:
            cpu0, wall0 = time.process_time(), time.perf_counter()
        ids, labels, mask, pixels, has_image = batches[step % len(batches)]
        t0, c0 = time.perf_counter(), time.process_time()
        logits, spliced_labels, _ = forward(sd, cfg, ids, labels, mask, pixels, has_image)
        v = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, v), spliced_labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in params if p.grad is not None], 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step >= a.warmup:
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
    step_ratio = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    peak_after, mm_ratio_after, cpu_peak_after = matmul_peak()
    blas_threads, blas_lib = openblas_threads()
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
        "openblas_threads": blas_threads, "openblas_lib": blas_lib,
        "env": {k: os.environ.get(k) for k in _PINS},
        "parallel_info": torch.__config__.parallel_info().strip().splitlines()[:8],
        "mm_gflops": max(peak_before, peak_after), "mm_cpu_gflops": max(cpu_peak_before, cpu_peak_after), "mm_cpu_ratio": max(mm_ratio_before, mm_ratio_after),
        "step_cpu_ratio": step_ratio, "warmup": a.warmup, "times_s": times, "cpu_times_s": cpu_times, "losses": losses}))


if __name__ == "__main__":
    main()
