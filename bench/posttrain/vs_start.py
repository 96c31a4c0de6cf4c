#!/usr/bin/env python3
"""Every model evaluated in POSTTRAIN (eval-NAME.json, written by evaluate.sh) against the model they started from
(eval-START.json): held-out exact match, its change counted problem by problem (gained / lost, two-sided exact sign
test), sampled answers right (T=1), KL to the start; then each setting over its seeds (names equal but for -sN).
gains.sh prints it against its SFT model, dpo-weak-start.sh against a weaker start.

    vs_start.py POSTTRAIN START
"""
import glob
import json
import math
import os
import re
import sys

pt, start = sys.argv[1], sys.argv[2]


def load(name):
    return json.load(open(f"{pt}/eval-{name}.json"))


def sign_test(b, c):  # two-sided exact binomial p of b gains vs c losses
    k, m = min(b, c), b + c
    if m == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m)


s0 = load(start)
n = s0["exact_match"]["n"]
start_wrong = set(s0["exact_match"]["wrong"])
print(f"| model | exact match ({n} held-out) | vs {start}: gained / lost (sign test p) | sampled right (T=1) "
      f"| KL to {start} (nats/answer) |")
print("|---|---|---|---|---|")
names = sorted(os.path.basename(f)[5:-5] for f in glob.glob(f"{pt}/eval-*.json"))
for name in [start] + [x for x in names if x != start]:
    r = load(name)
    f, wrong = r["figures"], set(r["exact_match"]["wrong"])
    gained, lost = len(start_wrong - wrong), len(wrong - start_wrong)
    vs = "-" if name == start else f"+{gained} / -{lost} (p {sign_test(gained, lost):.3f})"
    print(f"| {name} | {f['exact_match']:.3f} | {vs} | {f.get('sampled.reward', float('nan')):.3f} | "
          f"{f.get('kl_to_reference', float('nan')):.3f} |")
groups = {}
for x in names:
    if x != start:
        groups.setdefault(re.sub(r"-s\d+$", "", x), []).append(x)
for g, xs in groups.items():
    if len(xs) < 2:
        continue
    fs = [load(x)["figures"] for x in xs]
    em = [f["exact_match"] for f in fs]
    mean = sum(em) / len(em)
    sd = math.sqrt(sum((v - mean) ** 2 for v in em) / (len(em) - 1))
    sm = sum(f["sampled.reward"] for f in fs) / len(fs)
    kl = sum(f["kl_to_reference"] for f in fs) / len(fs)
    print(f"{g} over {len(xs)} seeds: exact match mean {mean:.3f} (sd {sd:.3f}; {' '.join('%.3f' % v for v in em)}) "
          f"vs {start} {s0['figures']['exact_match']:.3f} ({mean - s0['figures']['exact_match']:+.3f}); "
          f"sampled right mean {sm:.3f} vs {s0['figures']['sampled.reward']:.3f}; KL mean {kl:.3f}")
