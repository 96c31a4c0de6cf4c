#!/usr/bin/env python3
"""PyTorch peer of bench/infer.sh: the same GPT (weights read from our checkpoint file), greedy generation with a KV
cache (and without: a full forward pass per token), one sequence; prints the first greedy tokens (to check that both
sides run the same model) and tokens/s. Args: CHECKPOINT PROMPT_LEN NEW_TOKENS REPS THREADS PROMPT_FILE."""
import json, math, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F

path, P, N, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
raw = open(path, 'rb').read()
magic, version, jlen = struct.unpack('<qii', raw[:16])
h = json.loads(raw[16:16 + jlen])
c = h['config']
V, T, L, H, C = c['vocabSize'], c['blockSize'], c['nLayer'], c['nHead'], c['nEmbd']
bias, tied, exact = c['bias'], c['tiedEmbeddings'], c.get('exactGelu', False)
p = torch.from_numpy(np.frombuffer(raw, dtype='<f4', count=h['numParams'], offset=16 + jlen).copy())
o = 0
def take(*shape):
    global o
    n = int(np.prod(shape)); t = p[o:o + n].view(*shape); o += n; return t
wte, wpe = take(V, C), take(T, C)
layers = []
for _ in range(L):
    d = {}
    d['ln1w'] = take(C); d['ln1b'] = take(C) if bias else None
    d['qkvw'] = take(3 * C, C); d['qkvb'] = take(3 * C) if bias else None
    d['attw'] = take(C, C); d['attb'] = take(C) if bias else None
    d['ln2w'] = take(C); d['ln2b'] = take(C) if bias else None
    d['fcw'] = take(4 * C, C); d['fcb'] = take(4 * C) if bias else None
    d['fc2w'] = take(C, 4 * C); d['fc2b'] = take(C) if bias else None
    layers.append(d)
lnfw = take(C); lnfb = take(C) if bias else None
lmw = wte if tied else take(V, C)
hs = C // H
gelu = (lambda x: F.gelu(x)) if exact else (lambda x: F.gelu(x, approximate='tanh'))

@torch.no_grad()
def forward(idx, pos0, cache):
    """idx [1, t] at positions pos0..; cache: per layer [k, v] of shape [1, H, pos0, hs] (None = no cache)."""
    t = idx.shape[1]
    x = wte[idx] + wpe[pos0:pos0 + t]
    for l, d in enumerate(layers):
        y = F.layer_norm(x, (C,), d['ln1w'], d['ln1b'], 1e-5)
        q, k, v = F.linear(y, d['qkvw'], d['qkvb']).split(C, dim=2)
        q = q.view(1, t, H, hs).transpose(1, 2); k = k.view(1, t, H, hs).transpose(1, 2)
        v = v.view(1, t, H, hs).transpose(1, 2)
        if cache is not None:
            if cache[l] is not None:
                k = torch.cat([cache[l][0], k], dim=2); v = torch.cat([cache[l][1], v], dim=2)
            cache[l] = (k, v)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        if t > 1:
            mask = torch.ones(t, k.shape[2], dtype=torch.bool).tril(diagonal=k.shape[2] - t)
            att = att.masked_fill(~mask, float('-inf'))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(1, t, C)
        x = x + F.linear(y, d['attw'], d['attb'])
        y = F.layer_norm(x, (C,), d['ln2w'], d['ln2b'], 1e-5)
        x = x + F.linear(gelu(F.linear(y, d['fcw'], d['fcb'])), d['fc2w'], d['fc2b'])
    x = F.layer_norm(x[:, -1:, :], (C,), lnfw, lnfb, 1e-5)
    return F.linear(x, lmw)[0, -1]

prompt = [int(t) for t in open(sys.argv[6]).read().split()][:P]  # the Java side's prompt

@torch.no_grad()
def generate(kv):
    ctx = list(prompt)
    cache = [None] * L if kv else None
    logits = forward(torch.tensor([ctx]), 0, cache)
    out = []
    for i in range(N):
        nxt = int(torch.argmax(logits)); out.append(nxt); ctx.append(nxt)
        if i == N - 1:
            break
        logits = forward(torch.tensor([[nxt]]), len(ctx) - 1, cache) if kv else forward(torch.tensor([ctx]), 0, None)
    return out

print('greedy tokens torch: ' + str(generate(True)[:16]))
for r in range(reps):
    for kv in (True, False):
        t0 = time.perf_counter(); generate(kv); dt = time.perf_counter() - t0
        print(f'rep {r} torch: {"kv" if kv else "no-kv"} {N / dt:.1f} tokens/s')
