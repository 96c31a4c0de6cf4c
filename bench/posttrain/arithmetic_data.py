#!/usr/bin/env python3
"""Single-digit addition in chat form, split by operand pair so that no test question is a training question.

train.jsonl: 50 pairs as prompt/completion records, one instruction template only ("What is A + B?").
val.jsonl:   15 other pairs, same template (the job's validation curve).
test.jsonl:  the 35 remaining pairs, each asked with one of several templates (the wordings users bring).
Usage: arithmetic_data.py OUT_DIR [SEED]
"""
import json
import random
import sys

out = sys.argv[1]
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
pairs = [(a, b) for a in range(10) for b in range(10)]
rng.shuffle(pairs)
train, val, test = pairs[:50], pairs[50:65], pairs[65:]
# two of these are among the augmenter's reword templates, three are not, one is the training wording
templates = ["What is {a} + {b}?", "{a} + {b} = ?", "What is {a} plus {b}?", "Add {a} and {b}.",
             "How much is {a} + {b}?", "Sum of {a} and {b}?"]
with open(f"{out}/train.jsonl", "w") as f:
    for a, b in train:
        f.write(json.dumps({"prompt": f"What is {a} + {b}?", "completion": str(a + b)}) + "\n")
with open(f"{out}/val.jsonl", "w") as f:
    for a, b in val:
        f.write(json.dumps({"prompt": f"What is {a} + {b}?", "completion": str(a + b)}) + "\n")
with open(f"{out}/test.jsonl", "w") as f:
    for i, (a, b) in enumerate(test):
        t = templates[i % len(templates)]
        f.write(json.dumps({"prompt": t.format(a=a, b=b), "completion": str(a + b)}) + "\n")
print(f"{len(train)} training, {len(val)} validation, {len(test)} held-out test pairs in {out}")
