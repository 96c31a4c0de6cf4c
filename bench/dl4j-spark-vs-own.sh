#!/usr/bin/env bash
# The two engines of PretrainJob on the same tokens, model, batch, steps and workers, in local[2], one after the
# other: --engine own (the team's: rounds of local steps + treeAggregate averaging of parameters and AdamW state)
# and --engine dl4j-spark (dl4j-spark's ParameterAveragingTrainingMaster on the DL4J ComputationGraph of the same
# GPT). Tokens: byte-level tinyshakespeare (TextTokensJob). No clipping on either side (the DL4J graph has none).
# Prints one row per engine (tokens/s over the rounds after the first, validation loss at the end, wall seconds)
# and, as the LAST line, ratio=<dl4j-spark tokens/s / own tokens/s>.
# Env: STEPS (24 per worker), LOCAL_STEPS (4), WORKERS (2), C (64), L (2), H (2), T (64), B (8), KEEP (0).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/mvn-offline-first.sh"
STEPS="${STEPS:-24}"; LOCAL_STEPS="${LOCAL_STEPS:-4}"; WORKERS="${WORKERS:-2}"
C="${C:-64}"; L="${L:-2}"; H="${H:-2}"; T="${T:-64}"; B="${B:-8}"
SHARED="${SPARKGPT_SHARED_DATA:-$ROOT/../shared/data}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sparkgpt-dl4j-spark-vs-own.XXXXXX")"
cd "$ROOT"
bench_mvn compile -pl distributed-trainer >&2
bench_mvn compile -pl data-pipeline >&2   # TextTokensJob (its classes need nothing the trainer's classpath lacks)
CP="$WORK/cp"
bench_mvn dependency:build-classpath -pl distributed-trainer -Dmdep.includeScope=test -Dmdep.outputFile="$CP" >&2
FLAGS="$(sed -n 's:.*<spark.java17.flags>\(.*\)</spark.java17.flags>.*:\1:p' pom.xml)"
export SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
JAVA=(java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3g $FLAGS -Dspark.master="local[$WORKERS]" -Dspark.ui.enabled=false
      -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource
      -cp "distributed-trainer/target/classes:data-pipeline/target/classes:$(cat "$CP")")
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
"${JAVA[@]}" io.sparkgpt.pipeline.tokenize.TextTokensJob --input "$SHARED/text/en/tinyshakespeare-input.txt" \
  --output "$WORK/tokens" > "$WORK/tokens.log" 2>&1
rows=()
for engine in own dl4j-spark; do
  t0=$(date +%s)
  "${JAVA[@]}" io.sparkgpt.trainer.PretrainJob --engine "$engine" --data "$WORK/tokens" --output "$WORK/$engine" \
    --n-layer "$L" --n-head "$H" --n-embd "$C" --block-size "$T" --batch-size "$B" --workers "$WORKERS" \
    --local-steps "$LOCAL_STEPS" --max-steps "$STEPS" --warmup 4 --lr 3e-3 --min-lr 3e-4 --grad-clip 0 \
    --eval-every 0 --eval-windows 64 --checkpoint-every 1000 --seed 7 > "$WORK/$engine.log" 2>&1 \
    || { echo "$engine failed: see $WORK/$engine.log" >&2; tail -20 "$WORK/$engine.log" >&2; exit 1; }
  wall=$(( $(date +%s) - t0 ))
  row=$(/usr/bin/python3 - "$WORK/$engine/metrics.jsonl" "$engine" "$wall" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
later = rows[1:] or rows
tok = lambda r: r.get("tokens_seen", r.get("tokens"))
secs = lambda r: r.get("round_s", r.get("round_seconds"))
per_round = tok(rows[0])
tps = per_round * len(later) / sum(secs(r) for r in later)
val = rows[-1].get("val_loss")
print(f"{sys.argv[2]} {tps:.1f} {val:.4f} {tok(rows[-1])} {secs(rows[0]):.1f} {sys.argv[3]}")
PY
)
  rows+=("$row")
  read -r e tps val toks first wall <<< "$row"
  echo "$e: $tps tokens/s (rounds 2+), val_loss $val after $toks tokens, first round ${first} s, wall ${wall} s"
done
own_tps=$(echo "${rows[0]}" | cut -d' ' -f2); dl_tps=$(echo "${rows[1]}" | cut -d' ' -f2)
[ "${KEEP:-0}" = 1 ] && echo "work dir: $WORK" || rm -rf "$WORK"
echo "ratio=$(echo "$dl_tps $own_tps" | awk '{printf "%.3f", $1/$2}')"
