#!/usr/bin/python3
"""The PyTorch peer of bench/nanogpt-shakespeare.sh: nanoGPT's model.py and train.py loop, re-written compactly for
the CPU recipe on character-level tinyshakespeare (90/10 split; n_layer 4, n_head 4, n_embd 128, block 64, batch 12,
2000 iterations, lr 1e-3 warmup 100 then cosine to 1e-4, AdamW betas (0.9, 0.99), weight decay 0.1 on every
parameter of 2 or more dimensions (nanoGPT's configure_optimizers: embeddings included), clip 1.0, no dropout, no
bias, tied LM head, exact GELU, GPT-2 init with scaled residual projections).

Usage: nanogpt_shakespeare_torch.py DATA [--seed S] [--steps N] [--eval-steps E] [--threads K]
                                         [--gelu exact|tanh] [--decay-embeddings 1|0]
Last line: val_loss=<x> seconds=<y> (the loss estimated like nanoGPT's estimate_loss, on E random batches)."""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--seed", type=int, default=1337)
ap.add_argument("--steps", type=int, default=2000)
ap.add_argument("--eval-steps", type=int, default=200)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--gelu", choices=["exact", "tanh"], default="exact")
ap.add_argument("--decay-embeddings", type=int, default=1)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

L, H, C, T, B = 4, 4, 128, 64, 12
LR, MIN_LR, WARMUP, WD = 1e-3, 1e-4, 100, 0.1
text = open(a.data, encoding="utf-8").read()
chars = sorted(set(text))
V = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.ones(C))  # LayerNorm gains without bias (nanoGPT bias=False)
        self.c_attn = nn.Linear(C, 3 * C, bias=False)
        self.c_proj = nn.Linear(C, C, bias=False)
        self.w2 = nn.Parameter(torch.ones(C))
        self.c_fc = nn.Linear(C, 4 * C, bias=False)
        self.mlp_proj = nn.Linear(4 * C, C, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(F.layer_norm(x, (C,), self.w1, None, 1e-5)).split(C, dim=2)
        q = q.view(b, t, H, c // H).transpose(1, 2)
        k = k.view(b, t, H, c // H).transpose(1, 2)
        v = v.view(b, t, H, c // H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.c_proj(y)
        h = self.c_fc(F.layer_norm(x, (C,), self.w2, None, 1e-5))
        h = F.gelu(h, approximate="tanh") if a.gelu == "tanh" else F.gelu(h)
        return x + self.mlp_proj(h)


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.wf = nn.Parameter(torch.ones(C))
        for m in self.modules():  # nanoGPT's _init_weights, then the scaled residual projections
            if isinstance(m, (nn.Linear, nn.Embedding)):
                torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * L))

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for blk in self.h:
            x = blk(x)
        logits = F.layer_norm(x, (C,), self.wf, None, 1e-5) @ self.wte.weight.t()  # tied LM head
        return F.cross_entropy(logits.view(-1, V), targets.view(-1))


model = GPT()
params = [(nm, p) for nm, p in model.named_parameters()]
decayed = [p for nm, p in params if p.dim() >= 2 and (a.decay_embeddings or nm not in ("wte.weight", "wpe.weight"))]
others = [p for nm, p in params if not any(p is d for d in decayed)]
opt = torch.optim.AdamW([{"params": decayed, "weight_decay": WD}, {"params": others, "weight_decay": 0.0}],
                        lr=LR, betas=(0.9, 0.99))


def batch(split):
    d = train_data if split == "train" else val_data
    ix = torch.randint(len(d) - T, (B,))
    return torch.stack([d[i:i + T] for i in ix]), torch.stack([d[i + 1:i + 1 + T] for i in ix])


def lr_at(it):  # nanoGPT train.py get_lr
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > a.steps:
        return MIN_LR
    ratio = (it - WARMUP) / (a.steps - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


@torch.no_grad()
def estimate(split):
    model.eval()
    losses = [model(*batch(split)).item() for _ in range(a.eval_steps)]
    model.train()
    return sum(losses) / len(losses)


t0 = time.perf_counter()
for it in range(a.steps):
    for g in opt.param_groups:
        g["lr"] = lr_at(it)
    loss = model(*batch("train"))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if it % 500 == 0:
        print(f"step {it} loss {loss.item():.4f}", flush=True)
secs = time.perf_counter() - t0
train_loss, val_loss = estimate("train"), estimate("val")
print(f"pytorch-{torch.__version__} step {a.steps}: train {train_loss:.4f} val {val_loss:.4f} "
      f"(gelu {a.gelu}, embeddings decayed {bool(a.decay_embeddings)}, seed {a.seed})")
with open("/proc/self/maps") as f:
    blas = sorted({ln.split()[-1] for ln in f if "blas" in ln.split()[-1].rsplit("/", 1)[-1]})
print(f"blas: omp {torch.get_num_threads()} thread(s), OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}, "
      f"mapped {' '.join(blas) or '?'}")
print(f"val_loss={val_loss:.4f} seconds={secs:.1f}")
