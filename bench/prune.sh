#!/usr/bin/env bash
# Pruning table: validation perplexity of a character-level GPT after magnitude pruning (25-90% of the linear layers'
# weights) and structured pruning (attention heads, MLP neurons: the model really shrinks), without and with a short
# masked fine-tune; the unpruned model fine-tuned the same way is the control row. Trains the model first when
# CKPT does not exist (GptMain train on TEXT, the last 10% held out).
# LAST line: ppl_magnitude50_finetuned=<validation perplexity at 50% sparsity after the fine-tune>.
# Env: TEXT (tiny Shakespeare), CKPT (work/prune-bench/model/checkpoint.bin), TRAIN_STEPS (800), FT_STEPS (100),
# WINDOWS (100), THREADS (2).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TEXT="${TEXT:-$ROOT/../shared/data/text/en/tinyshakespeare-input.txt}"
OUT="$ROOT/work/prune-bench"; CKPT="${CKPT:-$OUT/model/checkpoint.bin}"
THREADS="${THREADS:-2}"; TRAIN_STEPS="${TRAIN_STEPS:-800}"; FT_STEPS="${FT_STEPS:-100}"; WINDOWS="${WINDOWS:-100}"
cd "$ROOT"
CP="$(mktemp)"; trap 'rm -f "$CP"' EXIT
mvn -q -B -o -pl model -am compile dependency:build-classpath -Dmdep.outputFile="$CP" >&2
JAVA=(java -Xmx3g --add-modules jdk.incubator.vector -cp "model/target/classes:$(cat "$CP")")
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
if [ ! -f "$CKPT" ]; then
  "${JAVA[@]}" io.sparkgpt.model.cli.GptMain train --data "$TEXT" --out "$(dirname "$CKPT")" --overwrite \
    --max-steps "$TRAIN_STEPS" --warmup 50 --lr 2e-3 --eval-interval 200 --eval-steps 10 --threads "$THREADS" 2>&1 \
    | grep -E '^model|val' | tail -3
fi
"${JAVA[@]}" io.sparkgpt.model.bench.PruneBench "$CKPT" "$TEXT" "$FT_STEPS" "$WINDOWS" 2>&1 | grep -v -e '^SLF4J' -e 'incubat'
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
