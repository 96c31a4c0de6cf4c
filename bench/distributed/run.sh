#!/usr/bin/env bash
# Distributed pretraining benchmark: the same tiny GPT on the same tokens with 1 worker and with 2 workers on a
# local standalone cluster (Master + 2 Workers, 1 core each), at several --local-steps, for the same token budget.
# Prints one row per run (tokens/s, averaging share of a round, fixed cost per round, validation loss at the end)
# and, on the LAST line, the figure: 2-worker vs 1-worker throughput, averaging share and validation-loss gap at
# equal tokens.
#
#   bench/distributed/run.sh [--local-steps "16 64"] [--steps 1024] [--batch 8] [--batch-mode "per-worker global"]
#                            [--outer "none nesterov"] [--outer-lr 0.7] [--outer-momentum 0.9] [--lr 2e-3]
#                            [--text-bytes N] [--no-one] [--lr-scale X] [--keep]
#
# Batch modes of the 2-worker runs (the 1-worker run, batch --batch, --steps steps, is the reference of both):
#   per-worker  each worker takes --batch sequences per step (2x the global batch of 1 worker): at equal tokens
#               2 workers take half the (averaged) steps, --steps / (2 x local steps) rounds
#   global      the global batch is --batch (--global-batch: --batch / 2 per worker): the same steps, the same
#               tokens per step and the same learning rate as 1 worker, --steps / local steps rounds
# --lr-scale multiplies the learning rates (peak and floor) of the 2-worker runs (e.g. 1.414: in global mode each
# worker's half batch gives AdamW noisier gradients, so a smaller signal step; in per-worker mode the sqrt rule).
#
# Recommended sweep (issue 8's goals together, bench/RESULTS.md; ~4 min on the quiet machine):
#   bench/distributed/run.sh --local-steps 32 --steps 256 --batch 256 --batch-mode global
#
# Every run decays its learning rate over its own steps (cosine to the floor at its last round), so the 1- and
# 2-worker runs are compared at equal tokens each at the end of its schedule.
#
# Needs the job jars (mvn -B package -DskipTests -pl distributed-trainer,data-pipeline -am: TextTokensJob is a
# data-pipeline job) and /work/shared/data (or
# SPARKGPT_SHARED_DATA). Tokens: byte-level, from tinyshakespeare (TextTokensJob). Work dir: $BENCH_DIR or a temp.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deploy="$root/deploy/spark-submit"
local_steps="16 64"
steps=1024         # optimizer steps of the 1-worker run; every run sees the same tokens
batch=8            # sequences per step of the 1-worker run
modes="per-worker" # batch modes of the 2-worker runs: per-worker and/or global (see above)
lr=2e-3
text_bytes=0       # characters of tinyshakespeare made into tokens (0 = all 1.1 MB; 90% train)
lr_scale=1         # the 2-worker runs' learning rates (peak and floor) x this (e.g. 1.414: sqrt rule for 2x batch)
one=1              # 0 (--no-one): skip the 1-worker runs (e.g. to add an outer optimizer to an earlier sweep)
outers="none"      # outer optimizers of the 2-worker runs: none (plain averaging) and/or nesterov (DiLoCo)
outer_lr=0.7       # nesterov's learning rate and momentum (lr > 1 with momentum 0: the averaged change, extrapolated)
outer_momentum=0.9
keep=0
while (($#)); do
  case "$1" in
    --local-steps) local_steps="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --batch-mode) modes="$2"; shift 2 ;;
    --lr) lr="$2"; shift 2 ;;
    --outer) outers="$2"; shift 2 ;;
    --text-bytes) text_bytes="$2"; shift 2 ;;
    --no-one) one=0; shift ;;
    --lr-scale) lr_scale="$2"; shift 2 ;;
    --outer-lr) outer_lr="$2"; shift 2 ;;
    --outer-momentum) outer_momentum="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for m in $modes; do
  [[ "$m" == per-worker || "$m" == global ]] || { echo "run.sh: --batch-mode $m: expected per-worker or global" >&2; exit 2; }
  [[ "$m" != global ]] || ((batch % 2 == 0)) || { echo "run.sh: --batch-mode global needs an even --batch" >&2; exit 2; }
done
jar="${BENCH_JAR:-$(ls "$root"/distributed-trainer/target/distributed-trainer-*-job.jar 2> /dev/null | head -n 1 || true)}"   # BENCH_JAR: another build (A/B)
pjar="$(ls "$root"/data-pipeline/target/data-pipeline-*-job.jar 2> /dev/null | head -n 1 || true)"
[[ -f "$jar" && -f "$pjar" ]] || { echo "run.sh: build the job jars first (mvn -B package -DskipTests -pl distributed-trainer,data-pipeline -am)" >&2; exit 2; }
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
work="${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sparkgpt-bench-dist.XXXXXX")}"
mkdir -p "$work"
mkdir -p "$work/jars"   # a private copy: a rebuild of the module during the run must not swap the jar under a driver
cp "$jar" "$pjar" "$work/jars/"
jar="$work/jars/$(basename "$jar")"
pjar="$work/jars/$(basename "$pjar")"
export SPARKGPT_CLUSTER_DIR="$work/cluster" SPARK_LOCAL_IP=127.0.0.1
cleanup() {
  "$deploy/local-cluster.sh" stop > /dev/null 2>&1 || true
  ((keep == 1)) || rm -rf "$work"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
SPARKGPT_JARS="$(dirname "$jar")" "$deploy/submit.sh" --master 'local[1]' --class io.sparkgpt.pipeline.tokenize.TextTokensJob "$pjar" \
  --input "$shared/text/en/tinyshakespeare-input.txt" --output "$work/tokens" --max-bytes "$text_bytes" > "$work/tokens.log" 2>&1 \
  || { cat "$work/tokens.log"; exit 1; }
master="$("$deploy/local-cluster.sh" start --workers 2 --cores 1 --memory 1g | tail -n 1)"

model=(--n-layer 2 --n-head 2 --n-embd 64 --block-size 64 --warmup 8
  --eval-windows 64 --checkpoint-every 0 --seed 1)
fmt='%-8s %-11s %-6s %-8s %-9s %-12s %-7s %-9s %-10s %-14s %-9s %-9s %-10s\n'
printf "$fmt" workers batch_mode batch lr outer local_steps rounds tokens tokens/s averaging_share fixed_s setup_s val_loss
results="$work/results.tsv"
: > "$results"
for L in $local_steps; do
  runs=""
  if ((one == 1)); then runs="1:none:one"; fi
  for m in $modes; do for o in $outers; do runs+=" 2:$o:$m"; done; done
  for run in $runs; do
    IFS=: read -r W outer mode <<< "$run"
    scale=1
    if [[ "$mode" == global ]]; then
      rounds=$(( steps / L ))
      batch_opts=(--global-batch "$batch")
      per_worker=$(( batch / W ))
    else
      rounds=$(( steps / (L * W) ))
      batch_opts=(--batch-size "$batch")
      per_worker=$batch
    fi
    ((W == 1)) || scale=$lr_scale
    ((rounds >= 1)) || { echo "run.sh: --steps $steps too small for $W workers x $L local steps" >&2; exit 2; }
    run_lr="$(awk -v l="$lr" -v s="$scale" 'BEGIN {printf "%g", l * s}')"
    out="$work/run-w$W-l$L-$outer-$mode"
    SPARKGPT_JARS="$(dirname "$jar")" "$deploy/pretrain.sh" --master "$master" --executor-memory 768m -- \
      --data "$work/tokens" --output "$out" --workers "$W" --local-steps "$L" --max-rounds "$rounds" \
      --lr "$run_lr" \
      --min-lr "$(awk -v l="$lr" -v s="$scale" 'BEGIN {printf "%g", l * s / 10}')" "${batch_opts[@]}" \
      --outer-optimizer "$outer" --outer-lr "$outer_lr" --outer-momentum "$outer_momentum" --eval-every "$(( rounds >= 8 ? rounds / 8 : 1 ))" "${model[@]}" > "$out.log" 2>&1 \
      || { tail -n 30 "$out.log"; exit 1; }
    /usr/bin/python3 - "$out" "$W" "$L" "$rounds" "$outer" "$mode" "$per_worker" "$run_lr" >> "$results" <<'PY'
import json, sys
out, w, l, r, outer, mode, b, lr = sys.argv[1:]
rows = [json.loads(x) for x in open(out + "/metrics.jsonl") if x.strip()]
steady = rows[1:] or rows          # round 1 pays the executors' JIT and native loading
tok = (rows[-1]["tokens_seen"] - rows[0]["tokens_seen"]) / sum(x["round_s"] for x in steady) if len(rows) > 1 \
    else rows[0]["tokens_per_s"]
share = sum(x["averaging_s"] for x in steady) / sum(x["round_s"] for x in steady)
fixed = sum(x["averaging_s"] for x in steady) / len(steady)        # seconds per round outside the steps
setup = sum(x["worker_setup_s"] for x in steady) / len(steady)     # of which the slower worker's set-up
val = [x["val_loss"] for x in rows if x.get("val_loss") is not None][-1]
print("\t".join(map(str, [w, l, r, rows[-1]["tokens_seen"], round(tok, 1), round(share, 4), round(val, 4), outer,
                          mode, b, round(fixed, 3), round(setup, 3), lr])))
PY
    tail -n 1 "$results" | awk -F'\t' -v fmt="$fmt" '{printf fmt, $1, ($1 == 1 ? "-" : $9), $10, $13, $8, $2, $3, $4, $5, $6, $11, $12, $7}'
  done
done
/usr/bin/python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {(int(r[0]), int(r[1]), r[7], r[8]): r for r in rows}
parts = []
for (w, l, outer, mode), two in sorted(by.items()):
    one = by.get((1, l, "none", "one"))
    if w == 2 and one:
        speed = float(two[4]) / float(one[4])
        gap = (float(two[6]) - float(one[6])) / float(one[6]) * 100
        parts.append(f"L={l} {mode} batch outer={outer}: 2w/1w tokens/s x{speed:.2f}, averaging "
                     f"{float(two[5])*100:.1f}% of a 2w round (lr {two[12]}), val loss 2w vs 1w {gap:+.1f}% at {two[3]} tokens")
print("; ".join(parts))
PY
