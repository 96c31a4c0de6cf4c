#!/usr/bin/env python3
"""A templated string task in chat form for the augmentation bench: name the first or the last word of a list.

train.jsonl: N examples (default 120) in ONE clean wording: "Which word comes first: fox river stone?" -> "fox".
val.jsonl:   40 more, same wording (the job's validation curve).
test.jsonl:  300 held-out examples whose word lists are not in train/val, asked in wordings users type: the
             instruction words misspelt (a letter dropped, doubled, swapped or replaced; here, not with the
             project's TextNoise), in upper or lower case, or rephrased ("Tell me the last word:", "the final word").
             The list words themselves are kept as written, so the answer is always one of them.
Usage: words_task.py OUT_DIR [N_TRAIN] [SEED]
"""
import itertools
import json
import random
import sys

from typo import typo

out = sys.argv[1]
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 120
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
WORDS = ("apple river stone cloud horse table garden window letter candle forest bridge planet silver winter "
         "summer doctor pencil castle rabbit mirror island hammer basket violin tiger orange button ladder rocket "
         "kettle jacket meadow tunnel pepper spider wallet anchor lemon marble").split()
triples = list(itertools.permutations(WORDS, 3))
rng.shuffle(triples)


def clean(which, ws):
    return f"Which word comes {which}: {' '.join(ws)}?"


def held_out(which, ws):
    lst = " ".join(ws)
    style = rng.randrange(4)
    if style == 0:  # misspelt instruction words
        words = ["Which", "word", "comes", which]
        k = rng.sample(range(4), 2)
        for j in k:
            words[j] = typo(words[j], rng)
        return f"{' '.join(words)}: {lst}?"
    if style == 1:  # case
        head = f"Which word comes {which}:"
        head = head.upper() if rng.random() < 0.5 else head.lower()
        return f"{head} {lst}?"
    if style == 2:  # another wording
        syn = {"first": rng.choice(["first", "initial", "earliest"]), "last": rng.choice(["last", "final", "latest"])}
        t = rng.choice(["Tell me the {w} word: {l}", "What is the {w} word in: {l}?", "Name the {w} word of {l}."])
        return t.format(w=syn[which], l=lst)
    # extra spaces and a dropped word
    return f"Which  word {which}:  {lst}?"


def write(path, items, make):
    with open(path, "w") as f:
        for which, ws in items:
            f.write(json.dumps({"prompt": make(which, ws), "completion": ws[0] if which == "first" else ws[-1]}) + "\n")


items = [(rng.choice(["first", "last"]), t) for t in triples[: n_train + 40 + 300]]
write(f"{out}/train.jsonl", items[:n_train], clean)
write(f"{out}/val.jsonl", items[n_train:n_train + 40], clean)
write(f"{out}/test.jsonl", items[n_train + 40:], held_out)
print(f"{n_train} training, 40 validation, 300 held-out test examples in {out}")
