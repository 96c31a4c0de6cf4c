#!/usr/bin/env bash
# Alignment bench: do DPO and PPO, started from the SFT model, raise held-out accuracy over it, and at what KL?
# Task (compare_data.py): "which of two numbers (0..99) is larger", in chat form, split by the unordered pair:
# no held-out problem is a training problem in any order or wording. Chain: deploy/spark-submit/demo-posttrain.sh
# (the demo's pretrained base -> SFT -> reward model -> DPO, figures; run by demo.sh --posttrain) then PPO from the SFT model (its frozen
# reference) twice: with the answer checker and with the reward model. Every model is graded by evaluate.sh on the
# same held-out problems: exact match of greedy answers; checker reward of answers sampled at temperature 1 and
# their KL to the SFT model (the estimate ppo.sh reports, same seeds).
#
#   bench/posttrain/align.sh [OUT]     (default work/bench-align; a re-run reuses the pretrained base)
#   env: PRETRAIN_ROUNDS (60) SFT_ROUNDS (120) ALIGN_ROUNDS (10: reward model, DPO) PPO_ROUNDS (25), SPARKGPT_JARS
#
# Last line: the exact-match figures of base, SFT, DPO and PPO on the held-out problems.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/bench-align}"
d="$root/deploy/spark-submit"
uptime
"$d/demo.sh" --master "local[2]" --output "$out" --rounds "${PRETRAIN_ROUNDS:-60}" --posttrain \
  > "$out.demo-posttrain.log" 2>&1
tail -n 5 "$out.demo-posttrain.log"
pt="$out/posttrain"
tok="$out/data/tokenizer"
sft="$pt/sft/model/model.ckpt"

ppo() { # name, reward (checker or a reward model.ckpt); a finished run is kept
  [[ -f "$pt/$1/_SUCCESS" ]] || "$d/ppo.sh" --master "local[2]" -- --init "$sft" --tokenizer "$tok" --data "$pt/task/prompts.jsonl" --reward "$2" \
    --max-new-tokens 4 --kl-coef 0.05 --max-rounds "${PPO_ROUNDS:-25}" --local-steps 5 --batch-size 16 \
    --lr 5e-4 --min-lr 5e-5 --warmup 5 --eval-every 5 --output "$pt/$1" --workers 2 --seed 1 --overwrite \
    > "$pt/$1.log" 2>&1
  "$d/evaluate.sh" -- --model "$pt/$1/model/model.ckpt" --tokenizer "$tok" --exact-match "$pt/task/test.jsonl" \
    --max-new-tokens 4 --reference "$sft" --report "$pt/eval-$1.json" > "$pt/eval-$1.log" 2>&1
}
ppo ppo checker
ppo ppo-rm "$pt/reward/model/model.ckpt"

fig() { python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["figures"].get(sys.argv[2], float("nan")))' "$pt/eval-$1.json" "$2"; }
echo "| model | exact match | sampled (T=1) right | KL to SFT (nats) |"
for m in base sft dpo ppo ppo-rm; do
  echo "| $m | $(fig $m exact_match) | $(fig $m sampled.reward) | $(fig $m kl_to_reference) |"
done
uptime
echo "exact match on $(wc -l < "$pt/task/test.jsonl") held-out problems: base $(fig base exact_match)  sft $(fig sft exact_match)  dpo $(fig dpo exact_match)  ppo $(fig ppo exact_match)  ppo-rm $(fig ppo-rm exact_match)"
