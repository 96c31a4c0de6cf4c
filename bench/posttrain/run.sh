#!/usr/bin/env bash
# Post-training bench: does SFT (with and without augmentation) teach a pretrained tiny GPT a checkable task?
# Single-digit addition in chat form, split by operand pair (arithmetic_data.py): no test question is a training
# question, and the test asks in wordings the training data never uses. Exact match of greedy answers on the
# held-out pairs for: the base model (given chat-token rows, as SFT starts), SFT, SFT + augmentation (reword,
# noise; renumber is left out on purpose: re-sampled operands would re-create held-out pairs).
#
#   bench/posttrain/run.sh [OUT]     (default work/bench-posttrain; a re-run reuses the pretrained base)
#
# Last line: the three exact-match figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/bench-posttrain}"
d="$root/deploy/spark-submit"
rounds="${SFT_ROUNDS:-30}"
mkdir -p "$out/task"
uptime

# 1. the base model: the demo chain (bundled sample crawl -> tokenizer -> tokens -> pretraining), reused if complete
if [[ ! -f "$out/demo/run/_SUCCESS" ]]; then
  "$d/demo.sh" --output "$out/demo" --rounds "${PRETRAIN_ROUNDS:-60}" > "$out/demo.log" 2>&1
fi
tail -n 3 "$out/demo.log" | head -n 1 || true
python3 "$root/bench/posttrain/arithmetic_data.py" "$out/task"

common=(--init "$out/demo/run" --tokenizer "$out/demo/data/tokenizer" --train "$out/task/train.jsonl"
  --val "$out/task/val.jsonl" --workers 2 --max-rounds "$rounds" --local-steps 10 --batch-size 8 --lr 2e-3
  --min-lr 2e-4 --warmup 20 --eval-every 5 --eval-generate 15 --max-new-tokens 4 --seed 1 --overwrite)
# 2. SFT without and with augmentation
"$d/sft.sh" -- "${common[@]}" --output "$out/sft" > "$out/sft.log" 2>&1
"$d/sft.sh" -- "${common[@]}" --output "$out/sft-aug" --augment reword,noise --augment-copies 4 > "$out/sft-aug.log" 2>&1
grep -h "^sft:\|^done" "$out/sft.log" "$out/sft-aug.log"

# 3. exact match on the held-out test pairs
em() { "$d/evaluate.sh" -- "$@" --exact-match "$out/task/test.jsonl" --max-new-tokens 4 2>/dev/null | grep "^figure exact_match" | awk '{print $3}'; }
base=$(em --model "$out/demo/run" --tokenizer "$out/demo/data/tokenizer" --report "$out/eval-base.json")
sft=$(em --model "$out/sft")
aug=$(em --model "$out/sft-aug")
uptime
echo "exact match on 35 held-out pairs: base $base  sft $sft  sft+augment $aug"
