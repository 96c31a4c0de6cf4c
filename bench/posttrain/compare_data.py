#!/usr/bin/env python3
"""The alignment bench's task: which of two numbers is larger, in chat form, the answer checkable.

The numbers are 0..99 (N_MAX); a problem is an unordered pair {a, b}, a != b, asked in either order and in one of
three wordings. Problems are split by a hash of the unordered pair, so no held-out problem is a training problem in
any order or wording:
  sft.jsonl        prompt/completion, SFT's training set (SFT_N problems)
  val.jsonl        prompt/completion, the jobs' validation curve (SFT's --val; 100 problems)
  test.jsonl       prompt/completion, the held-out problems every model is graded on (TEST_N, >= 200)
  prefs.jsonl      prompt/chosen/rejected for the reward model and DPO: chosen the larger number, rejected either
                   the smaller one or a near miss of the larger (its last digit changed): the two errors an SFT
                   model makes here (a first run with the smaller number only taught DPO nothing it lacked:
                   the SFT model's wrong answers were near misses); on training problems that SFT did not see
  prompts.jsonl    prompt/completion, PPO's prompts (the same problems as prefs.jsonl; the checker reads completion)
  prefs-test.jsonl the held-out problems as preference pairs (pairwise accuracy of a reward model or DPO)
Usage: compare_data.py OUT_DIR [SEED]
"""
import hashlib
import json
import os
import random
import sys

out = sys.argv[1]
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n_max = int(os.environ.get("N_MAX", "99"))
sft_n = int(os.environ.get("SFT_N", "1500"))
test_n = int(os.environ.get("TEST_N", "400"))
align_n = int(os.environ.get("ALIGN_N", "1500"))
templates = ["Which is larger, {a} or {b}?", "Which number is bigger: {a} or {b}?", "Pick the larger of {a} and {b}."]


def bucket(a, b):
    """A stable share of 0..99 per unordered pair: 0..9 held out, 10..14 validation, the rest training."""
    lo, hi = min(a, b), max(a, b)
    return int(hashlib.sha256(f"{lo},{hi}".encode()).hexdigest()[:8], 16) % 100


pairs = [(a, b) for a in range(n_max + 1) for b in range(a + 1, n_max + 1)]
rng.shuffle(pairs)
test = [p for p in pairs if bucket(*p) < 10][:test_n]
val = [p for p in pairs if 10 <= bucket(*p) < 15][:100]
train = [p for p in pairs if bucket(*p) >= 15]
if len(test) < test_n or len(train) < sft_n + align_n:
    sys.exit(f"N_MAX={n_max} gives {len(test)} held-out and {len(train)} training problems: too few")
sft, align = train[:sft_n], train[sft_n:sft_n + align_n]


def ask(a, b):
    if rng.random() < 0.5:
        a, b = b, a
    return rng.choice(templates).format(a=a, b=b)


def write(name, rows):
    with open(f"{out}/{name}", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


write("sft.jsonl", [{"prompt": ask(a, b), "completion": str(max(a, b))} for a, b in sft])
write("val.jsonl", [{"prompt": ask(a, b), "completion": str(max(a, b))} for a, b in val])
write("test.jsonl", [{"prompt": ask(a, b), "completion": str(max(a, b))} for a, b in test])
asked = [(ask(a, b), a, b) for a, b in align]
held = [(ask(a, b), a, b) for a, b in test]
wrong = random.Random(rng.random())  # its own stream: the files above stay as they were


def rejected(a, b):
    hi = max(a, b)
    if wrong.random() < 0.5:
        return str(min(a, b))
    return str(hi - hi % 10 + wrong.choice([d for d in range(10) if d != hi % 10]))


write("prefs.jsonl", [{"prompt": q, "chosen": str(max(a, b)), "rejected": rejected(a, b)} for q, a, b in asked])
write("prompts.jsonl", [{"prompt": q, "completion": str(max(a, b))} for q, a, b in asked])
write("prefs-test.jsonl", [{"prompt": q, "chosen": str(max(a, b)), "rejected": rejected(a, b)} for q, a, b in held])
print(f"{len(sft)} SFT, {len(val)} validation, {len(align)} DPO/PPO, {len(test)} held-out problems in {out}")
