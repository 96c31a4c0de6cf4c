#!/usr/bin/env bash
# Distillation beside training from scratch, on a local standalone cluster (Master + 2 Workers, 1 core each), the
# same way as pretraining: byte-level tokens of tinyshakespeare (TextTokensJob); a teacher pretrained (pretrain.sh);
# a smaller student distilled from it (distill.sh: tau^2 KL + alpha CE); the same student shape trained from scratch
# (pretrain.sh) with the same options and seed, i.e. the same initial parameters and the very same token windows.
# Prints each run's validation loss; LAST line: val_gap=<scratch val loss - distilled val loss> (> 0: distillation
# helped at equal tokens).
#
#   bench/distill.sh [--teacher-rounds 40] [--rounds 20] [--local-steps 16] [--temperature 2] [--alpha 0.5]
#
# Needs the job jars (mvn -B package -DskipTests -pl distributed-trainer,data-pipeline -am: TextTokensJob is a
# data-pipeline job) and /work/shared/data (or
# SPARKGPT_SHARED_DATA). Work dir: $BENCH_DIR or a temp folder (removed unless --keep).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
deploy="$root/deploy/spark-submit"
teacher_rounds=40; rounds=20; local_steps=16; temperature=2; alpha=0.5; keep=0
while (($#)); do
  case "$1" in
    --teacher-rounds) teacher_rounds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --local-steps) local_steps="$2"; shift 2 ;;
    --temperature) temperature="$2"; shift 2 ;;
    --alpha) alpha="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "distill.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$(ls "$root"/distributed-trainer/target/distributed-trainer-*-job.jar 2> /dev/null | head -n 1 || true)"
pjar="$(ls "$root"/data-pipeline/target/data-pipeline-*-job.jar 2> /dev/null | head -n 1 || true)"
[[ -f "$jar" && -f "$pjar" ]] || { echo "distill.sh: build the job jars first (mvn -B package -DskipTests -pl distributed-trainer,data-pipeline -am)" >&2; exit 2; }
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
work="${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sparkgpt-bench-distill.XXXXXX")}"
mkdir -p "$work/jars"
cp "$jar" "$pjar" "$work/jars/"
export SPARKGPT_JARS="$work/jars" SPARKGPT_CLUSTER_DIR="$work/cluster" SPARK_LOCAL_IP=127.0.0.1
cleanup() {
  "$deploy/local-cluster.sh" stop > /dev/null 2>&1 || true
  ((keep == 1)) || rm -rf "$work"
}
trap cleanup EXIT
echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
"$deploy/submit.sh" --master 'local[1]' --class io.sparkgpt.pipeline.tokenize.TextTokensJob "$work/jars/$(basename "$pjar")" \
  --input "$shared/text/en/tinyshakespeare-input.txt" --output "$work/tokens" > "$work/tokens.log" 2>&1 \
  || { cat "$work/tokens.log"; exit 1; }
master="$("$deploy/local-cluster.sh" start --workers 2 --cores 1 --memory 1g | tail -n 1)"
common=(--data "$work/tokens" --workers 2 --local-steps "$local_steps" --batch-size 8 --block-size 64 --warmup 8
  --lr 2e-3 --eval-windows 64 --eval-every 5 --checkpoint-every 0 --seed 1)
val() { python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if "val_loss" in l]; print("%.4f" % r[-1]["val_loss"])' "$1/metrics.jsonl"; }
"$deploy/pretrain.sh" --master "$master" --executor-memory 768m -- "${common[@]}" --output "$work/teacher" \
  --n-layer 4 --n-head 4 --n-embd 128 --max-rounds "$teacher_rounds" > "$work/teacher.log" 2>&1 || { tail -20 "$work/teacher.log"; exit 1; }
echo "teacher (L4 C128), $teacher_rounds rounds: val_loss $(val "$work/teacher")"
student=(--n-layer 2 --n-head 2 --n-embd 64 --max-rounds "$rounds")
"$deploy/distill.sh" --master "$master" --executor-memory 768m -- "${common[@]}" "${student[@]}" --output "$work/distilled" \
  --teacher "$work/teacher/model/model.ckpt" --temperature "$temperature" --alpha "$alpha" > "$work/distilled.log" 2>&1 \
  || { tail -20 "$work/distilled.log"; exit 1; }
"$deploy/pretrain.sh" --master "$master" --executor-memory 768m -- "${common[@]}" "${student[@]}" --output "$work/scratch" \
  > "$work/scratch.log" 2>&1 || { tail -20 "$work/scratch.log"; exit 1; }
d=$(val "$work/distilled"); s=$(val "$work/scratch")
echo "student (L2 C64), $rounds rounds x 2 workers x $local_steps steps x 8 x 64 tokens: distilled val_loss $d, from scratch val_loss $s"
echo "# load at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "val_gap=$(echo "$s $d" | awk '{printf "%.4f", $1 - $2}')"
