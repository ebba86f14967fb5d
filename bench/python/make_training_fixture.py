"""Writes tests/CoTBal.Training.Tests/Fixtures/tiny-llava.training.safetensors (run from the repo root):

    /usr/bin/python3 bench/python/make_training_fixture.py

PyTorch's own training steps on the model fixture of tests/CoTBal.Model.Tests/Fixtures (tiny-llava.safetensors, the
batch of tiny-llava.io.safetensors), as LLaVA's Hugging Face trainer takes them: token-mean cross-entropy over the
answer labels, backward, gradient clipping at norm 5.0 (LLaVA's is 1.0), torch.optim.AdamW (lr 1e-2, betas 0.9/0.999, eps 1e-8, no
weight decay), zero_grad; float32, one thread; STEPS steps on the same batch. Once with the vision tower frozen
(tiny-llava.config.json) and once trained (tiny-llava-unfrozen.config.json). Keys, for NAME in frozen / unfrozen:
NAME.losses [STEPS] (float32, the loss of each step before its update), NAME.grad_norms [STEPS] (the norm
clip_grad_norm_ returns, before clipping) and NAME.weights.KEY (every weight after the last step).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llava_ref import IGNORE_INDEX, forward, load_safetensors, save_safetensors, trainable  # noqa: E402

MODEL = "tests/CoTBal.Model.Tests/Fixtures"
OUT = "tests/CoTBal.Training.Tests/Fixtures"
STEPS = 6
LR = 1e-2
CLIP = 5.0   # active in the first steps only: AdamW is blind to a clipping that scales every step alike, not to this


def trajectory(config_file):
    cfg = json.load(open(os.path.join(MODEL, config_file)))
    sd = load_safetensors(os.path.join(MODEL, "tiny-llava.safetensors"))
    io = load_safetensors(os.path.join(MODEL, "tiny-llava.io.safetensors"))
    params = trainable(sd, cfg)
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    losses, norms = [], []
    for _ in range(STEPS):
        logits, labels, _ = forward(sd, cfg, io["input_ids"], io["labels"], io["attention_mask"].bool(), io["pixels"], io["has_image"].bool())
        v = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, v), labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)
        losses.append(loss.item())
        loss.backward()
        # the tower's last layer is never run (select layer -2): it has no gradient and is left out, as in LLaVA
        norms.append(torch.nn.utils.clip_grad_norm_([p for p in params if p.grad is not None], CLIP).item())
        opt.step()
        opt.zero_grad(set_to_none=True)
    return losses, norms, sd


def main():
    torch.set_num_threads(1)
    out = {}
    for name, config in (("frozen", "tiny-llava.config.json"), ("unfrozen", "tiny-llava-unfrozen.config.json")):
        losses, norms, sd = trajectory(config)
        out[f"{name}.losses"] = torch.tensor(losses, dtype=torch.float32)
        out[f"{name}.grad_norms"] = torch.tensor(norms, dtype=torch.float32)
        for k, t in sd.items():
            out[f"{name}.weights.{k}"] = t.detach().clone()
        print(name, "losses", " ".join(f"{x:.6f}" for x in losses), "grad norms", " ".join(f"{x:.4f}" for x in norms))
    os.makedirs(OUT, exist_ok=True)
    save_safetensors(os.path.join(OUT, "tiny-llava.training.safetensors"), out)


if __name__ == "__main__":
    main()
