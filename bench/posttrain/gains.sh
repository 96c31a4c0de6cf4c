#!/usr/bin/env bash
# Do DPO and PPO raise held-out accuracy over the SFT model beyond noise, and at what KL? From the SFT model of
# align.sh / demo-posttrain.sh (OUT/posttrain/sft; made here with the same arguments if missing, from OUT/run),
# DPO variants (offline pairs as in demo-posttrain; on-policy pairs; larger beta, lower lr; SFT term) and PPO with the
# checker at several seeds, each graded by evaluate.sh on the same 400 held-out problems: greedy exact match, its
# change over SFT counted problem by problem (gained / lost; a two-sided sign test on those), sampled answers right
# (T=1) and KL to SFT. A finished run is kept: a re-run only adds what is missing.
#
#   bench/posttrain/gains.sh [OUT]        (default work/align; needs OUT/run/_SUCCESS, the demo's pretrained model)
#   env: DPO_ROUNDS (10) PPO_ROUNDS (25) PPO_SEEDS ("1 2 3") ONLY (names of runs to do, default all) SPARKGPT_JARS
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/align}"
d="$root/deploy/spark-submit"
pt="$out/posttrain"
task="$pt/task"
tok="$out/data/tokenizer"
sft="$pt/sft/model/model.ckpt"
[[ -f "$out/run/_SUCCESS" ]] || { echo "no pretrained model in $out/run" >&2; exit 1; }
uptime
mkdir -p "$task"
[[ -f "$task/test.jsonl" ]] || python3 "$root/bench/posttrain/compare_data.py" "$task"
sched=(--workers 2 --local-steps 10 --batch-size 16 --overwrite)
wanted() { [[ -z "${ONLY:-}" ]] || [[ " $ONLY " == *" $1 "* ]]; }
ev() { # name, model.ckpt: greedy exact match, sampled reward and KL to SFT on the held-out problems
  [[ -f "$pt/eval-$1.json" ]] || "$d/evaluate.sh" -- --model "$2" --tokenizer "$tok" --exact-match "$task/test.jsonl" \
    --max-new-tokens 4 --reference "$sft" --report "$pt/eval-$1.json" > "$pt/eval-$1.log" 2>&1
}

[[ -f "$pt/sft/_SUCCESS" ]] || "$d/sft.sh" --master "local[2]" -- --init "$out/run" --tokenizer "$tok" \
  --train "$task/sft.jsonl" --val "$task/val.jsonl" --max-rounds 120 --lr 2e-3 --min-lr 2e-4 --warmup 20 \
  --eval-every 5 --eval-generate 50 --max-new-tokens 4 --output "$pt/sft" "${sched[@]}" --seed 1 > "$pt/sft.log" 2>&1
ev sft "$sft"

dpo() { # name, job arguments (data, beta, lr, ...): DPO from the SFT model, then its evaluation
  local name="$1"; shift
  wanted "$name" || return 0
  [[ -f "$pt/$name/_SUCCESS" ]] || "$d/dpo.sh" --master "local[2]" -- --init "$sft" --tokenizer "$tok" \
    --max-rounds "${DPO_ROUNDS:-10}" --warmup 10 --eval-every 5 --output "$pt/$name" "${sched[@]}" "$@" \
    > "$pt/$name.log" 2>&1
  ev "$name" "$pt/$name/model/model.ckpt"
}
off=(--data "$task/prefs.jsonl")
on=(--data "$task/prompts.jsonl" --on-policy 4 --max-new-tokens 4)
dpo dpo-b0.1 "${off[@]}" --beta 0.1 --lr 5e-4 --min-lr 5e-5 --seed 1
dpo dpo-onpolicy-b0.1 "${on[@]}" --beta 0.1 --lr 5e-4 --min-lr 5e-5 --seed 1

ppo() { # seed: PPO with the answer checker from the SFT model, align.sh's settings
  wanted "ppo-s$1" || return 0
  [[ -f "$pt/ppo-s$1/_SUCCESS" ]] || "$d/ppo.sh" --master "local[2]" -- --init "$sft" --tokenizer "$tok" \
    --data "$task/prompts.jsonl" --reward checker --max-new-tokens 4 --kl-coef 0.05 \
    --max-rounds "${PPO_ROUNDS:-25}" --local-steps 5 --batch-size 16 --lr 5e-4 --min-lr 5e-5 --warmup 5 \
    --eval-every 5 --output "$pt/ppo-s$1" --workers 2 --seed "$1" --overwrite > "$pt/ppo-s$1.log" 2>&1
  ev "ppo-s$1" "$pt/ppo-s$1/model/model.ckpt"
}
for s in ${PPO_SEEDS:-1 2 3}; do
  ppo "$s"
done

# the table: every evaluated model against SFT, problem by problem
python3 - "$pt" <<'EOF'
import glob, json, math, os, sys
pt = sys.argv[1]
def load(name):
    return json.load(open(f"{pt}/eval-{name}.json"))
sft = load("sft")
n = sft["exact_match"]["n"]
sft_wrong = set(sft["exact_match"]["wrong"])
def sign_test(b, c):  # two-sided exact binomial p of b gains vs c losses
    k, m = min(b, c), b + c
    if m == 0:
        return 1.0
    p = sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m
    return min(1.0, 2 * p)
print(f"| model | exact match ({n} held-out) | vs SFT: gained / lost (sign test p) | sampled right (T=1) | KL to SFT (nats/answer) |")
print("|---|---|---|---|---|")
names = sorted(os.path.basename(f)[5:-5] for f in glob.glob(f"{pt}/eval-*.json"))
for name in ["sft"] + [x for x in names if x != "sft"]:
    r = load(name)
    f, wrong = r["figures"], set(r["exact_match"]["wrong"])
    gained, lost = len(sft_wrong - wrong), len(wrong - sft_wrong)
    vs = "-" if name == "sft" else f"+{gained} / -{lost} (p {sign_test(gained, lost):.3f})"
    print(f"| {name} | {f['exact_match']:.3f} | {vs} | {f.get('sampled.reward', float('nan')):.3f} | "
          f"{f.get('kl_to_reference', float('nan')):.3f} |")
ppo = [load(x)["figures"] for x in names if x.startswith("ppo-s")]
if len(ppo) > 1:
    em = [f["exact_match"] for f in ppo]
    mean = sum(em) / len(em)
    sd = math.sqrt(sum((x - mean) ** 2 for x in em) / (len(em) - 1))
    print(f"PPO over {len(em)} seeds: exact match mean {mean:.3f} (sd {sd:.3f}, min {min(em):.3f}, max {max(em):.3f}) "
          f"vs SFT {sft['figures']['exact_match']:.3f}; KL mean "
          f"{sum(f['kl_to_reference'] for f in ppo) / len(ppo):.3f}")
EOF
uptime
