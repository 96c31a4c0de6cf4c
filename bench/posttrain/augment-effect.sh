#!/usr/bin/env bash
# Does augmentation raise held-out exact match of a small SFT? A templated string task (words_task.py: name the
# first or last word of a 3-word list), trained on one clean wording, tested on 300 held-out lists asked with
# misspelt, re-cased or re-worded instructions. Three sides, each SFT from the same pretrained base with the same
# rounds, for each seed in SEEDS:
#   plain     sft.sh on train.jsonl
#   sft-aug   sft.sh --augment typos,noise --augment-copies 4 (in-job augmentation)
#   augment   augment.sh (WordNet synonyms 0.3, char noise 0.05, word noise 0.05, 2 copies each) -> sft.sh on that
#
#   bench/posttrain/augment-effect.sh [OUT]   (default work/bench-augment; the base model of run.sh's demo chain is
#                                              made once and reused; SEEDS="1 2 3" SFT_ROUNDS=20 by default)
# Last line: mean exact match (and min-max over seeds) of the three sides.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/bench-augment}"
d="$root/deploy/spark-submit"
rounds="${SFT_ROUNDS:-20}"
seeds="${SEEDS:-1 2 3}"
mkdir -p "$out/task"
uptime
if [[ ! -f "$out/demo/run/_SUCCESS" ]]; then
  "$d/demo.sh" --output "$out/demo" --rounds "${PRETRAIN_ROUNDS:-40}" > "$out/demo.log" 2>&1
fi
python3 "$root/bench/posttrain/words_task.py" "$out/task" "${N_TRAIN:-120}"
"$d/augment.sh" --input "$out/task/train.jsonl" --output "$out/augmented" --language en --synonym-rate 0.3 \
  --char-noise-rate 0.05 --word-noise-rate 0.05 --copies 2 --seed 1 --overwrite > "$out/augment.log" 2>&1
grep "^augment:" "$out/augment.log" | head -n 1

em() { "$d/evaluate.sh" -- --model "$1" --exact-match "$out/task/test.jsonl" --max-new-tokens 4 2>/dev/null \
  | grep "^figure exact_match" | awk '{print $3}'; }
common=(--init "$out/demo/run" --tokenizer "$out/demo/data/tokenizer" --val "$out/task/val.jsonl" --workers 2
  --max-rounds "$rounds" --local-steps 10 --batch-size 8 --lr 2e-3 --min-lr 2e-4 --warmup 20 --eval-every 10
  --eval-generate 10 --max-new-tokens 4 --overwrite)
: > "$out/results.tsv"
for s in $seeds; do
  "$d/sft.sh" -- "${common[@]}" --seed "$s" --train "$out/task/train.jsonl" --output "$out/plain-$s" > "$out/plain-$s.log" 2>&1
  "$d/sft.sh" -- "${common[@]}" --seed "$s" --train "$out/task/train.jsonl" --augment typos,noise --augment-copies 4 \
    --output "$out/sft-aug-$s" > "$out/sft-aug-$s.log" 2>&1
  "$d/sft.sh" -- "${common[@]}" --seed "$s" --train "$out/augmented/examples.jsonl" --output "$out/augment-$s" \
    > "$out/augment-$s.log" 2>&1
  for side in plain sft-aug augment; do
    printf '%s\t%s\t%s\n' "$side" "$s" "$(em "$out/$side-$s")" | tee -a "$out/results.tsv"
  done
done
uptime
python3 - "$out/results.tsv" <<'PY'
import sys, statistics
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l.strip()]
parts = []
for side in ("plain", "sft-aug", "augment"):
    v = [float(r[2]) for r in rows if r[0] == side]
    parts.append(f"{side} {statistics.mean(v):.3f} ({min(v):.3f}-{max(v):.3f}, n={len(v)})")
print("held-out exact match (300 examples), mean (min-max over seeds): " + "  ".join(parts))
PY
