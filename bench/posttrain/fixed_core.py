#!/usr/bin/env python3
"""Which held-out problems do the PPO runs fix, against those the DPO job's SFT term fixes? From gains.sh's
evaluations (eval-NAME.json) in one or more posttrain folders (the first holding eval-sft.json wins for a name;
records are matched by their line in task/test.jsonl, whatever folder they were evaluated in): per group of runs,
the mean problems gained / lost over SFT and how much the gained sets of two runs overlap against sets drawn at
random from SFT's wrong problems; then the "core" (SFT-wrong problems that at least half of the one-iteration
DPO / SFT-term runs fix) and, for each PPO run, how many of its gains lie in it.

  python3 bench/posttrain/fixed_core.py work/align/posttrain [other posttrain folders...]
"""
import glob, itertools, json, os, re, sys
from collections import Counter

ev = {}
for d in sys.argv[1:]:
    for f in sorted(glob.glob(f"{d}/eval-*.json")):
        ev.setdefault(os.path.basename(f)[5:-5], f)


def wrong(n):
    return {re.sub(r"^.*task/test.jsonl", "test.jsonl", x) for x in json.load(open(ev[n]))["exact_match"]["wrong"]}


sw = wrong("sft")
groups = {
    "PPO (ppo-*, hppo-*)": sorted(n for n in ev if n.startswith(("ppo-", "hppo-"))),
    "DPO / SFT term, one iteration (dpo-on-...-sft1, dpo-on-sft1-only, pd-*)": sorted(
        n for n in ev if (n.startswith("pd-") or n.startswith("dpo-on-b0.3-lr2e-4-sft1") or n == "dpo-on-sft1-only")
        and "-it" not in n),
}
for g, runs in groups.items():
    if len(runs) < 2:
        continue
    gained = {n: sw - wrong(n) for n in runs}
    lost = {n: wrong(n) - sw for n in runs}
    pairs = list(itertools.combinations(runs, 2))
    ov = sum(len(gained[a] & gained[b]) for a, b in pairs) / len(pairs)
    chance = sum(len(gained[a]) * len(gained[b]) / len(sw) for a, b in pairs) / len(pairs)
    c = Counter(p for n in runs for p in gained[n])
    print(f"{g}: {len(runs)} runs; mean gained {sum(map(len, gained.values())) / len(runs):.1f}, lost "
          f"{sum(map(len, lost.values())) / len(runs):.1f}; two runs' gained sets share {ov:.1f} problems "
          f"({chance:.1f} if drawn at random from SFT's {len(sw)} wrong); fixed by >= half the runs: "
          f"{sum(1 for p in sw if c[p] >= len(runs) / 2)}")
dpo = list(groups.values())[1]
if dpo:
    cd = Counter(p for n in dpo for p in sw - wrong(n))
    core = {p for p in sw if cd[p] >= len(dpo) / 2}
    print(f"core: {len(core)} SFT-wrong problems fixed by >= half of the {len(dpo)} DPO / SFT-term runs")
    for n in groups["PPO (ppo-*, hppo-*)"]:
        g = sw - wrong(n)
        print(f"  {n}: gained {len(g)} ({len(g & core)} in the core), lost {len(wrong(n) - sw)}")
