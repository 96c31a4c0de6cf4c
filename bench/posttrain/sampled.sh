#!/usr/bin/env bash
# The held-out reward of sampled answers (what PPO optimises), measured tighter than gains.sh's one answer per
# problem: SAMPLES (8) answers per held-out problem at temperature 1, checked by the answer checker, with their KL
# to the SFT model; for the SFT model and each named run of gains.sh (OUT/posttrain/NAME/model/model.ckpt). A
# finished evaluation is kept. One line per model, then the mean over the runs named alike but for a -sN suffix.
#
#   bench/posttrain/sampled.sh OUT NAME...      (OUT as gains.sh's; env: SAMPLES, SPARKGPT_JARS)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$1"; shift
pt="$out/posttrain"
sft="$pt/sft/model/model.ckpt"
n="${SAMPLES:-8}"
[[ -f "$sft" ]] || { echo "no SFT model at $sft (run gains.sh first)" >&2; exit 1; }
for name in sft "$@"; do
  m="$pt/$name/model/model.ckpt"
  [[ -f "$m" ]] || { echo "no model at $m" >&2; exit 1; }
  [[ -f "$pt/eval$n-$name.json" ]] || "$root/deploy/spark-submit/evaluate.sh" -- --model "$m" \
    --tokenizer "$out/data/tokenizer" --exact-match "$pt/task/test.jsonl" --max-new-tokens 4 --reference "$sft" \
    --samples "$n" --report "$pt/eval$n-$name.json" > "$pt/eval$n-$name.log" 2>&1
done
python3 - "$pt" "$n" sft "$@" <<'EOF'
import json, math, re, sys
pt, n, names = sys.argv[1], sys.argv[2], sys.argv[3:]
fig = {x: json.load(open(f"{pt}/eval{n}-{x}.json"))["figures"] for x in names}
probs = json.load(open(f"{pt}/eval{n}-sft.json"))["sampled"]["val_prompts"]
print(f"| model | sampled right (T=1, {n} per problem, {probs} answers) | KL to SFT (nats/answer) | greedy exact match |")
print("|---|---|---|---|")
for x in names:
    f = fig[x]
    print(f"| {x} | {f['sampled.reward']:.4f} | {f['kl_to_reference']:.3f} | {f['exact_match']:.3f} |")
groups = {}
for x in names[1:]:
    groups.setdefault(re.sub(r"-s\d+$", "", x), []).append(x)
for g, xs in groups.items():
    if len(xs) > 1:
        r = [fig[x]["sampled.reward"] for x in xs]
        mean = sum(r) / len(r)
        sd = math.sqrt(sum((v - mean) ** 2 for v in r) / (len(r) - 1))
        print(f"{g} over {len(xs)} seeds: sampled right mean {mean:.4f} (sd {sd:.4f}; "
              f"{' '.join('%.4f' % v for v in r)}) vs SFT {fig['sft']['sampled.reward']:.4f}")
EOF
