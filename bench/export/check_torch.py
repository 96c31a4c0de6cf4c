#!/usr/bin/python3
"""Loads an exported Hugging Face GPT-2 folder with PyTorch, without our code and without transformers: the
safetensors file is read as what it is (an 8-byte header length, a JSON header, raw little-endian float32), and a
GPT-2 written here from the GPT-2 paper's and transformers' definitions (Conv1D weights [in, out], pre-LayerNorm
blocks, gelu_new or gelu, tied head unless tie_word_embeddings is false) computes the logits of the given ids.
Compares them with the logits our `gpt logits` wrote and prints the largest absolute difference (last line).

usage: check_torch.py EXPORT_DIR OUR_LOGITS_FILE ID[,ID...]
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        b, e = t["data_offsets"]
        arr = np.frombuffer(data[base + b:base + e], dtype="<f4").reshape(t["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float64))
    return out


def gpt2_logits(cfg, w, ids):
    def g(name):
        return w["transformer." + name] if "transformer." + name in w else w[name]

    T, C, H = len(ids), cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = cfg.get("activation_function", "gelu_new")
    gelu = (lambda x: F.gelu(x)) if act == "gelu" else (lambda x: F.gelu(x, approximate="tanh"))
    idx = torch.tensor(ids)
    x = g("wte.weight")[idx] + g("wpe.weight")[:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for layer in range(cfg["n_layer"]):
        p = "h.%d." % layer
        h = F.layer_norm(x, (C,), g(p + "ln_1.weight"), g(p + "ln_1.bias"), eps)
        qkv = h @ g(p + "attn.c_attn.weight") + g(p + "attn.c_attn.bias")
        q, k, v = (t.view(T, H, C // H).transpose(0, 1) for t in qkv.split(C, dim=-1))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ g(p + "attn.c_proj.weight") + g(p + "attn.c_proj.bias")
        h = F.layer_norm(x, (C,), g(p + "ln_2.weight"), g(p + "ln_2.bias"), eps)
        x = x + gelu(h @ g(p + "mlp.c_fc.weight") + g(p + "mlp.c_fc.bias")) @ g(p + "mlp.c_proj.weight") \
            + g(p + "mlp.c_proj.bias")
    x = F.layer_norm(x, (C,), g("ln_f.weight"), g("ln_f.bias"), eps)
    head = g("wte.weight") if cfg.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return x @ head.T


def main():
    export_dir, ours_file, ids = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
    cfg = json.load(open(export_dir + "/config.json"))
    w = load_safetensors(export_dir + "/model.safetensors")
    ref = gpt2_logits(cfg, w, ids).numpy()
    ours = np.fromfile(ours_file, dtype="<f4").reshape(len(ids), cfg["vocab_size"]).astype(np.float64)
    diff = np.abs(ref - ours).max()
    print("config: n_layer %d n_head %d n_embd %d vocab %d %s tied %s; %d positions; logits range [%.2f, %.2f]"
          % (cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["vocab_size"], cfg["activation_function"],
             cfg.get("tie_word_embeddings", True), len(ids), ref.min(), ref.max()))
    print("same argmax at %d of %d positions" % ((ref.argmax(1) == ours.argmax(1)).sum(), len(ids)))
    print("max_abs_diff=%.3g" % diff)


if __name__ == "__main__":
    main()
