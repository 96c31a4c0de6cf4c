#!/usr/bin/env bash
# Does augmentation raise held-out accuracy where the literature says it should: scarce training data in one
# wording, held-out problems in other wordings and with typing noise? Task (scarce_compare.py): "which of two
# numbers 0..99 is larger", N_TRAIN (150) training problems in ONE wording; 400 held-out problems (split by a hash of
# the unordered pair: none is a training problem in any order or wording) asked in six wordings (test.jsonl: the
# training one, two that reword knows, three that nothing here uses) and again with typing noise (test-noisy.jsonl).
# Three sides per seed in SEEDS, each SFT from the same pretrained base with the same schedule (SFT_ROUNDS rounds x
# 10 local steps x batch 16 x 2 workers: all sides converged, see the val curve):
#   plain     sft.sh on train.jsonl
#   sft-aug   sft.sh --augment reword,renumber --augment-copies 4 --augment-exclude test.jsonl,test-noisy.jsonl
#             (renumber re-draws any problem of the held-out files or of --val; the check below asserts it)
#   augment   augment.sh --synonym-rate 0.3 --char-noise-rate 0.05 --word-noise-rate 0.05 --copies 2 --seed SEED
#             (synonyms keep the answer's words; numbers are never touched) -> sft.sh on examples.jsonl
#
#   bench/posttrain/augment-scarce.sh [OUT]   (default work/bench-augment-scarce; env: SEEDS ("1 2 3"),
#       SFT_ROUNDS (40), N_TRAIN (150), PRETRAIN_ROUNDS (60: a base made by demo.sh when OUT/demo/run has none),
#       SPARKGPT_JARS)
# Output: OUT/results.tsv (rows of seeds not in SEEDS are kept) (side, seed, test, exact match, best and last val exact match), a table per test file with
# mean, min-max over seeds and the binomial standard error of one 400-problem figure, and the paired differences.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/bench-augment-scarce}"
d="$root/deploy/spark-submit"
rounds="${SFT_ROUNDS:-40}"
seeds="${SEEDS:-1 2 3}"
mkdir -p "$out/task"
date -u
uptime
if [[ ! -f "$out/demo/run/_SUCCESS" ]]; then
  "$d/demo.sh" --output "$out/demo" --rounds "${PRETRAIN_ROUNDS:-60}" > "$out/demo.log" 2>&1
fi
python3 "$root/bench/posttrain/scarce_compare.py" "$out/task" "${N_TRAIN:-150}"

em() { # model, test file, report -> exact match
  "$d/evaluate.sh" -- --model "$1" --exact-match "$2" --max-new-tokens 4 --report "$3" > "$3.log" 2>&1
  grep "^figure exact_match " "$3.log" | awk '{print $3}'
}
val_em() { # run dir -> best and last validation exact match
  python3 - "$1/metrics.jsonl" <<'PY'
import json, sys
v = [json.loads(l)["metrics"]["exact_match"] for l in open(sys.argv[1]) if "exact_match" in l]
print(f"{max(v):.2f}\t{v[-1]:.2f}")
PY
}
sft() { # side, seed, data options: train, then grade on both held-out files (a side's rows land as it finishes)
  local side=$1 seed=$2
  shift 2
  "$d/sft.sh" -- "${common[@]}" --seed "$seed" "$@" --output "$out/$side-$seed" > "$out/$side-$seed.log" 2>&1
  for t in test test-noisy; do
    printf '%s\t%s\t%s\t%s\t%s\n' "$side" "$seed" "$t" "$(em "$out/$side-$seed" "$out/task/$t.jsonl" \
      "$out/eval-$side-$seed-$t.json")" "$(val_em "$out/$side-$seed")" | tee -a "$out/results.tsv"
  done
}
common=(--init "$out/demo/run" --tokenizer "$out/demo/data/tokenizer" --val "$out/task/val.jsonl" --workers 2
  --max-rounds "$rounds" --local-steps 10 --batch-size 16 --lr 2e-3 --min-lr 2e-4 --warmup 20 --eval-every 5
  --eval-generate 50 --max-new-tokens 4 --overwrite)
# a re-run keeps the rows of seeds it does not run (seeds can be run in separate calls, each through the lock)
touch "$out/results.tsv"
for s in $seeds; do
  awk -F'\t' -v s="$s" '$2 != s' "$out/results.tsv" > "$out/results.tmp" && mv "$out/results.tmp" "$out/results.tsv"
done
for s in $seeds; do
  "$d/augment.sh" --input "$out/task/train.jsonl" --output "$out/augmented-$s" --language en --synonym-rate 0.3 \
    --char-noise-rate 0.05 --word-noise-rate 0.05 --copies 2 --seed "$s" --overwrite > "$out/augmented-$s.log" 2>&1
  grep "^augment:" "$out/augmented-$s.log" | head -n 1
  sft plain "$s" --train "$out/task/train.jsonl"
  sft sft-aug "$s" --train "$out/task/train.jsonl" --augment reword,renumber --augment-copies 4 \
    --augment-exclude "$out/task/test.jsonl,$out/task/test-noisy.jsonl"
  python3 -c 'import json,sys; print("sft-aug stats:", json.load(open(sys.argv[1]))["augment"])' \
    "$out/sft-aug-$s/stats.json"
  sft augment "$s" --train "$out/augmented-$s/examples.jsonl"
done
# no held-out problem in augment.sh's output (it never touches numbers; this checks it)
python3 - "$out/task/test.jsonl" "$out"/augmented-*/examples.jsonl <<'PY'
import json, re, sys
def key(p):
    n = sorted(int(x) for x in re.findall(r"\d+", p if isinstance(p, str) else p[-1]["content"]))
    return tuple(n)
held = {key(json.loads(l)["prompt"]) for l in open(sys.argv[1])}
for f in sys.argv[2:]:
    rows = [json.loads(l) for l in open(f)]
    bad = [r for r in rows if key(r["prompt"]) in held]
    assert not bad, f"{f}: {len(bad)} held-out problems, e.g. {bad[0]}"
    print(f"{f}: {len(rows)} rows, none a held-out problem")
PY
date -u
uptime
python3 - "$out/results.tsv" <<'PY'
import math, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
for t in ("test", "test-noisy"):
    print(f"{t}: held-out exact match (400 problems), mean (min-max over seeds), binomial s.e. of one run")
    base = {r[1]: float(r[3]) for r in rows if r[0] == "plain" and r[2] == t}
    for side in ("plain", "sft-aug", "augment"):
        v = {r[1]: float(r[3]) for r in rows if r[0] == side and r[2] == t}
        if not v:
            continue
        m = statistics.mean(v.values())
        se = math.sqrt(m * (1 - m) / 400)
        diff = [v[s] - base[s] for s in v if s in base]
        extra = "" if side == "plain" or not diff else \
            f"  minus plain, same seed: {statistics.mean(diff):+.3f} ({min(diff):+.3f}..{max(diff):+.3f})"
        print(f"  {side:8s} {m:.3f} ({min(v.values()):.3f}-{max(v.values()):.3f}, n={len(v)})  s.e. {se:.3f} "
              f"(of the mean {se / math.sqrt(len(v)):.3f}){extra}")
PY
