#!/usr/bin/env python3
"""Does DPO's preference term add anything over its SFT term? Each DPO run of gains.sh's `pd` block has a control:
the same run (same on-policy pairs, batches, steps, lr, SFT weight) with beta 1e-6, which leaves the SFT term alone
(the preference term's gradient is beta * sigmoid(-z) ~ 5e-7). The pairs are listed in POSTTRAIN/pd-pairs.txt
("dpo control" per line). For each: held-out exact match of both, the DPO model against its control problem by
problem (gained / lost, two-sided sign test), KL to SFT, sampled answers right, and the job's held-out on-policy
pair figures at its last evaluation: preference accuracy (policy log-ratio margin above the reference's) and the mean
change of the chosen - rejected log-prob margin over the reference (reward margin / beta), and where the job
reports them (val_dlogp_*), that change split into the chosen and the rejected answers' own moves. Then per setting
over seeds: mean difference. START names the model the runs started from and are measured against (KL; default SFT).

    pref_vs_ctl.py POSTTRAIN [START]
"""
import json
import math
import re
import sys

pt = sys.argv[1]
start = sys.argv[2] if len(sys.argv) > 2 else "SFT"


def sign_test(b, c):  # two-sided exact binomial p of b wins vs c losses
    k, m = min(b, c), b + c
    if m == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m)


def ev(name):
    return json.load(open(f"{pt}/eval-{name}.json"))


def last_eval(name):  # the job's figures on its held-out on-policy pairs at its last evaluation
    metrics = None
    for line in open(f"{pt}/{name}/metrics.jsonl"):
        r = json.loads(line)
        if "metrics" in r:
            metrics = r["metrics"]
    return metrics


def beta_of(name):  # from the run's name (gains.sh's pd block writes it there); controls are beta 1e-6
    m = re.search(r"-b([0-9.e-]+?)-w", name)
    return float(m.group(1)) if m else 1e-6


pairs = []
for line in open(f"{pt}/pd-pairs.txt"):
    d, c = line.split()
    try:
        pairs.append((d, c, ev(d), ev(c), last_eval(d), last_eval(c)))
    except FileNotFoundError as e:
        print(f"(skipped {d} vs {c}: {e.filename} missing)")
def moves(m):  # the chosen and rejected answers' mean log-prob change over the reference, if the job reported it
    if "val_dlogp_chosen" not in m:
        return "-"
    return f"{m['val_dlogp_chosen']:+.2f} / {m['val_dlogp_rejected']:+.2f}"


print(f"| DPO run | exact match: DPO / control | DPO vs control: gained / lost (p) | KL to {start}: DPO / control "
      "| sampled right (T=1): DPO / control | held-out on-policy pairs: pref. accuracy DPO / control "
      "| log-prob margin change over reference: DPO / control "
      "| log-prob change chosen / rejected: DPO; control |")
print("|---|---|---|---|---|---|---|---|")
groups = {}
for d, c, ed, ec, md, mc in pairs:
    wd, wc = set(ed["exact_match"]["wrong"]), set(ec["exact_match"]["wrong"])
    gained, lost = len(wc - wd), len(wd - wc)
    fd, fc = ed["figures"], ec["figures"]
    dm_d = md["val_reward_margin"] / beta_of(d)
    dm_c = mc["val_reward_margin"] / beta_of(c)
    print(f"| {d} | {fd['exact_match']:.3f} / {fc['exact_match']:.3f} | +{gained} / -{lost} "
          f"(p {sign_test(gained, lost):.3f}) | {fd['kl_to_reference']:.3f} / {fc['kl_to_reference']:.3f} | "
          f"{fd['sampled.reward']:.3f} / {fc['sampled.reward']:.3f} | "
          f"{md['val_accuracy']:.3f} / {mc['val_accuracy']:.3f} ({int(md['val_pairs'])} pairs) | "
          f"{dm_d:+.2f} / {dm_c:+.2f} | {moves(md)}; {moves(mc)} |")
    groups.setdefault(re.sub(r"-s\d+$", "", d), []).append((fd["exact_match"] - fc["exact_match"], gained, lost))
for g, xs in groups.items():
    diffs = [x[0] for x in xs]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((v - mean) ** 2 for v in diffs) / (len(diffs) - 1)) if len(diffs) > 1 else float("nan")
    gained, lost = sum(x[1] for x in xs), sum(x[2] for x in xs)
    print(f"{g}: {len(xs)} seed(s), DPO minus control exact match mean {mean:+.3f} (sd {sd:.3f}; "
          f"{' '.join('%+.3f' % v for v in diffs)}); DPO ahead at {sum(v > 0 for v in diffs)}, behind at "
          f"{sum(v < 0 for v in diffs)}; problems summed over seeds +{gained} / -{lost} (sign test p "
          f"{sign_test(gained, lost):.3f}, seeds pooled as if independent)")
