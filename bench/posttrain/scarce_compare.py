#!/usr/bin/env python3
"""Scarce-data task of the augmentation bench: "which of two numbers 0..99 is larger", in chat form.

Problems (unordered pairs) are split by the same hash as compare_data.py: bucket 0..9 held out, 10..14 validation,
15..99 training, so no held-out problem is a training or validation problem in any order or wording.
  train.jsonl       N_TRAIN problems (default 150) in ONE wording: "Which is larger, A or B?" (either order)
  val.jsonl         100 validation problems, same wording (the jobs' validation curve)
  test.jsonl        400 held-out problems, each in one of six wordings: the training one, two that compare_data.py
                    also uses (and sft.sh's reword knows), three that neither the training data nor any augmenter
                    uses ("Of A and B, which one is higher?", ...)
  test-noisy.jsonl  the same 400 problems in the training wording or compare_data.py's two others, with typing noise
                    a user makes, written here (not with the project's TextNoise): one or two instruction words
                    misspelt (a letter dropped, doubled, swapped or replaced), upper/lower case, doubled spaces;
                    the numbers are never touched, so the answer stays right
Usage: scarce_compare.py OUT_DIR [N_TRAIN] [SEED]
"""
import hashlib
import json
import random
import re
import sys

from typo import typo

out = sys.argv[1]
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 150
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
TRAIN = "Which is larger, {a} or {b}?"
KNOWN = ["Which number is bigger: {a} or {b}?", "Pick the larger of {a} and {b}."]
NEW = ["Of {a} and {b}, which one is higher?", "Which is more, {a} or {b}?", "{a} or {b}: which is the greater number?"]


def bucket(a, b):
    lo, hi = min(a, b), max(a, b)
    return int(hashlib.sha256(f"{lo},{hi}".encode()).hexdigest()[:8], 16) % 100


pairs = [(a, b) for a in range(100) for b in range(a + 1, 100)]
rng.shuffle(pairs)
test = [p for p in pairs if bucket(*p) < 10][:400]
val = [p for p in pairs if 10 <= bucket(*p) < 15][:100]
train = [p for p in pairs if bucket(*p) >= 15][:n_train]
assert len(test) == 400 and len(train) == n_train


def ordered(a, b):
    return (b, a) if rng.random() < 0.5 else (a, b)


def noisy(text):
    words = re.findall(r"[A-Za-z]+", text)
    for w in rng.sample(words, rng.choice([1, 2])):
        text = re.sub(r"\b" + w + r"\b", typo(w, rng), text, count=1)
    style = rng.randrange(3)
    if style == 0:
        text = text.upper() if rng.random() < 0.5 else text.lower()
    elif style == 1:
        text = text.replace(" ", "  ", 2)
    return text


def row(q, a, b):
    return {"prompt": q, "completion": str(max(a, b))}


def write(name, rows):
    with open(f"{out}/{name}", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


write("train.jsonl", [row(TRAIN.format(a=x, b=y), x, y) for x, y in (ordered(*p) for p in train)])
write("val.jsonl", [row(TRAIN.format(a=x, b=y), x, y) for x, y in (ordered(*p) for p in val)])
tests, noisy_tests = [], []
for i, p in enumerate(test):
    x, y = ordered(*p)
    wordings = [TRAIN] + KNOWN + NEW
    tests.append(row(wordings[i % 6].format(a=x, b=y), x, y))
    noisy_tests.append(row(noisy(([TRAIN] + KNOWN)[i % 3].format(a=x, b=y)), x, y))
write("test.jsonl", tests)
write("test-noisy.jsonl", noisy_tests)
print(f"{len(train)} training (one wording), {len(val)} validation, 400 held-out problems (6 wordings; noisy) in {out}")
