#!/usr/bin/env bash
# The post-training chain on top of the demo (`demo.sh --posttrain` runs it after the pretraining chain): the demo's
# model pretrained on the bundled sample crawl -> SFT on a chat task with checkable answers -> a reward model -> DPO
# (two iterations on the model's own answers, graded by the task's checker),
# every step the real job; then the before/after figures on held-out problems. The task
# (bench/posttrain/compare_data.py, python3): "which of two numbers 0..99 is larger", split by the unordered pair so
# no held-out problem is trained on. A re-run skips the runs that finished.
#
#   deploy/spark-submit/demo-posttrain.sh MASTER DEMO_DIR      (env: SFT_ROUNDS 120, ALIGN_ROUNDS 10)
#
# Last lines: exact match of the base, SFT and DPO models, the reward model's pairwise accuracy, DPO's KL to SFT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/_lib.sh"
(($# == 2)) || die "usage: demo-posttrain.sh MASTER DEMO_DIR (or: demo.sh --posttrain)"
master="$1"
out="$2"
sft_rounds="${SFT_ROUNDS:-120}"
align_rounds="${ALIGN_ROUNDS:-10}"
command -v python3 > /dev/null || die "python3 is needed to write the task's JSONL (bench/posttrain/compare_data.py)"
[[ -f "$out/run/_SUCCESS" ]] || die "no pretrained model in $out/run (run demo.sh --output $out first)"
step() { echo; echo "=== demo-posttrain: $* ==="; }
spark=(--master "$master")
pt="$out/posttrain"
tok="$out/data/tokenizer"
task="$pt/task"
sched=(--workers 2 --local-steps 10 --batch-size 16 --seed 1 --overwrite)
mkdir -p "$task"
fresh() { # run folder: true unless it holds a finished run (a re-run skips complete steps)
  [[ ! -f "$1/_SUCCESS" ]] || { echo "(done before: $1)"; false; }
}

step "1/5 the task: which of two numbers is larger, split by pair into SFT, alignment and held-out problems"
python3 "$root/bench/posttrain/compare_data.py" "$task"

step "2/5 SFT from the pretrained model (chat tokens added; loss on the answer tokens only)"
fresh "$pt/sft" && "$here/sft.sh" "${spark[@]}" -- --init "$out/run" --tokenizer "$tok" --train "$task/sft.jsonl" \
  --val "$task/val.jsonl" --max-rounds "$sft_rounds" --lr 2e-3 --min-lr 2e-4 --warmup 20 --eval-every 5 \
  --eval-generate 50 --max-new-tokens 4 --output "$pt/sft" "${sched[@]}"
sft="$pt/sft/model/model.ckpt"

step "3/5 a reward model from the SFT model on preference pairs (the larger number chosen; the smaller or a near miss rejected)"
fresh "$pt/reward" && "$here/train-reward.sh" "${spark[@]}" -- --init "$sft" --tokenizer "$tok" --data "$task/prefs.jsonl" \
  --max-rounds "$align_rounds" --lr 1e-3 --min-lr 1e-4 --warmup 10 --eval-every 5 --output "$pt/reward" \
  "${sched[@]}"

step "4/5 DPO from the SFT model on its own answers (4 per prompt, graded by the checker), two iterations"
# on-policy pairs (the model's own near misses rejected), beta 0.3, lr 2e-4 and the SFT term; the second iteration
# draws from the first one's model, which is also its reference: above SFT at 3 of 3 seeds in
# bench/posttrain/gains.sh, where beta 0.1 at lr 5e-4 lost 8-15 points; the SFT term alone gains as much there
# (bench/RESULTS.md)
dpo=(--tokenizer "$tok" --data "$task/prompts.jsonl" --on-policy 4 --max-new-tokens 4 --beta 0.3 --sft-weight 1
  --max-rounds "$align_rounds" --lr 2e-4 --min-lr 2e-5 --warmup 10 --eval-every 5 --workers 2 --local-steps 10
  --batch-size 16 --overwrite)
fresh "$pt/dpo-it1" && "$here/dpo.sh" "${spark[@]}" -- --init "$sft" --output "$pt/dpo-it1" "${dpo[@]}" --seed 1
fresh "$pt/dpo" && "$here/dpo.sh" "${spark[@]}" -- --init "$pt/dpo-it1/model/model.ckpt" --output "$pt/dpo" \
  "${dpo[@]}" --seed 2

step "5/5 evaluate on $(wc -l < "$task/test.jsonl") held-out problems"
figure() { # report name: the figure's value in an evaluate.sh report
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["figures"][sys.argv[2]])' "$1" "$2"
}
ev() { # name, evaluate.sh arguments...
  local name="$1"; shift
  "$here/evaluate.sh" -- --tokenizer "$tok" --report "$pt/eval-$name.json" "$@" > "$pt/eval-$name.log" 2>&1 \
    || { cat "$pt/eval-$name.log" >&2; die "evaluate.sh failed for the $name model"; }
}
em=(--exact-match "$task/test.jsonl" --max-new-tokens 4)
ev base --model "$out/run/model/model.ckpt" "${em[@]}"
ev sft --model "$sft" "${em[@]}" --reference "$sft"
ev dpo --model "$pt/dpo/model/model.ckpt" "${em[@]}" --reference "$sft"
ev sft-pairs --model "$sft" --preferences "$task/prefs-test.jsonl"
ev dpo-pairs --model "$pt/dpo/model/model.ckpt" --preferences "$task/prefs-test.jsonl"
ev reward --model "$pt/reward/model/model.ckpt" --preferences "$task/prefs-test.jsonl"
echo "exact match, held-out problems:    base $(figure "$pt/eval-base.json" exact_match)  ->  SFT" \
  "$(figure "$pt/eval-sft.json" exact_match)  ->  DPO $(figure "$pt/eval-dpo.json" exact_match)"
echo "sampled answers right (T=1):       SFT $(figure "$pt/eval-sft.json" sampled.reward)  ->  DPO" \
  "$(figure "$pt/eval-dpo.json" sampled.reward), KL(DPO || SFT) $(figure "$pt/eval-dpo.json" kl_to_reference) nats"
echo "pairwise accuracy, held-out pairs: chance 0.500, reward model $(figure "$pt/eval-reward.json" pairwise_accuracy);" \
  "log p(chosen) > log p(rejected): SFT $(figure "$pt/eval-sft-pairs.json" pairwise_accuracy)  ->  DPO" \
  "$(figure "$pt/eval-dpo-pairs.json" pairwise_accuracy)"
echo "demo-posttrain: done. Runs under $pt: sft/, reward/, dpo-it1/, dpo/ (metrics.jsonl, loss.png, metrics.png, model/),"
echo "      eval-*.json (the reports)"
