#!/usr/bin/python3
"""PyTorch peer of io.sparkgpt.model.bench.SpeedBench: the same GPT (nanoGPT model.py: token + learned position
embeddings, pre-LN blocks, causal attention, tanh-GELU MLP, final LN, tied LM head, no bias, no dropout), the same
AdamW step (betas 0.9/0.99, wd 0.1 on 2-D block weights, clip 1.0), same batch and thread count, random tokens.
Usage: gpt_speed_torch.py C L H T B steps warmup threads
Warm-up: at least `warmup` steps and 3 s (as SpeedBench), printed as the cold figure first_tokens_per_s=<x>.
Prints one line with tokens/s, GFLOP/s (6N + 12 L C T per token) and a 1024^3 matmul peak, then tokens_per_s=<x>."""
import math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

C, L, H, T, B, steps, warm, threads = (int(a) for a in sys.argv[1:9])
torch.set_num_threads(threads)


def mapped_blas():
    """The BLAS libraries this process has mapped (torch links libblas.so.3 / libopenblas.so.0)."""
    with open("/proc/self/maps") as f:
        libs = {ln.split()[-1] for ln in f if "blas" in ln.split()[-1].rsplit("/", 1)[-1]}
    return " ".join(sorted(libs)) or "?"



torch.manual_seed(1)
V = 65


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(C, elementwise_affine=True)
        self.ln1.bias = None
        self.qkv = nn.Linear(C, 3 * C, bias=False)
        self.proj = nn.Linear(C, C, bias=False)
        self.ln2 = nn.LayerNorm(C)
        self.ln2.bias = None
        self.fc = nn.Linear(C, 4 * C, bias=False)
        self.fc2 = nn.Linear(4 * C, C, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(F.layer_norm(x, (C,), self.ln1.weight)).split(C, dim=2)
        q = q.view(b, t, H, c // H).transpose(1, 2)
        k = k.view(b, t, H, c // H).transpose(1, 2)
        v = v.view(b, t, H, c // H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc(F.layer_norm(x, (C,), self.ln2.weight)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.blocks = nn.ModuleList([Block() for _ in range(L)])
        self.lnf = nn.LayerNorm(C)
        self.lnf.bias = None

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for blk in self.blocks:
            x = blk(x)
        logits = F.layer_norm(x, (C,), self.lnf.weight) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, V), targets.view(-1))


model = GPT()
n_params = sum(p.numel() for p in model.parameters())
decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wte" not in n and "wpe" not in n]
nodecay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wte" not in n and "wpe" not in n)]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}],
                        lr=1e-3, betas=(0.9, 0.99))
data = torch.randint(0, V, (200_000,))


def batch():
    ix = torch.randint(len(data) - T, (B,))
    return torch.stack([data[i:i + T] for i in ix]), torch.stack([data[i + 1:i + 1 + T] for i in ix])


def step():
    x, y = batch()
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


# untimed warm-up: at least `warm` steps and WARM_SECONDS, the rule SpeedBench follows (its JIT needs it; here it
# lets the allocator and the thread pools settle), so both sides' steady figures start from the same point
WARM_SECONDS = 3.0
w0 = time.perf_counter()
n_warm = 0
first = 0.0
while n_warm < warm or time.perf_counter() - w0 < WARM_SECONDS:
    step()
    n_warm += 1
    if n_warm == 1:
        first = time.perf_counter() - w0
warm_secs = time.perf_counter() - w0
print(f"warmup: {n_warm} steps in {warm_secs:.2f} s (first step {first:.3f} s), {n_warm * B * T / warm_secs:.0f} tokens/s")
print(f"first_tokens_per_s={n_warm * B * T / warm_secs:.1f}")
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
secs = time.perf_counter() - t0
cpu = time.process_time() - c0
tps = steps * B * T / secs
fpt = 6.0 * n_params + 12.0 * L * C * T
a = torch.randn(1024, 1024)
b = torch.randn(1024, 1024)
best = 0.0
for r in range(6):
    t = time.perf_counter()
    a @ b
    s = time.perf_counter() - t
    if r:
        best = max(best, 2 * 1024 ** 3 / s / 1e9)
print(f"pytorch-{torch.__version__} C={C} L={L} H={H} T={T} B={B} threads={threads} params={n_params}: "
      f"{secs / steps:.3f} s/step, {tps:.0f} tokens/s, {tps * fpt / 1e9:.1f} GFLOP/s, matmul peak {best:.1f} GFLOP/s, "
      f"MFU {100 * tps * fpt / 1e9 / best:.1f}%")
cap = [l.split(":")[1].strip() for l in torch.__config__.show().split("\n") if "CPU capability usage" in l]
print(f"blas: omp {torch.get_num_threads()} thread(s), OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}, "
      f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}, "
      f"ATen CPU capability {cap[0] if cap else '?'}, mapped {mapped_blas()}")
# CPU seconds per step (all threads), as SpeedBench prints: on a loaded machine the steadier figure
print(f"cpu {cpu / steps:.3f} s/step (process, all threads)")
print(f"tokens_per_s={tps:.1f}")
