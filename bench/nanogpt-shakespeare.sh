#!/usr/bin/env bash
# nanoGPT's CPU recipe on character-level tinyshakespeare, trained by our GPT (model/ module, GptMain train):
#   90/10 split, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 (min 1e-4,
#   warmup 100, cosine to step 2000), AdamW betas (0.9, 0.99), weight decay 0.1, clip 1.0, no dropout, no bias.
# nanoGPT reaches val loss ~1.88 with it. Last line: val_loss=<x> seconds=<y>
# Env: DATA (text file), STEPS (2000), EVAL_STEPS (200 validation batches per estimate; nanoGPT's recipe uses 20),
#      THREADS (2), OUT (run folder, default a temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/text/en/tinyshakespeare-input.txt}"
STEPS="${STEPS:-2000}"
EVAL_STEPS="${EVAL_STEPS:-200}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$(mktemp -d /tmp/nanogpt-shakespeare.XXXXXX)}"
cd "$ROOT"
mvn -q -B -o install -DskipTests -pl model -am >&2
CP="$(mktemp)"
mvn -q -B -o dependency:build-classpath -pl model -Dmdep.outputFile="$CP" >&2
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"
java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3g -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.cli.GptMain \
  train --data "$DATA" --out "$OUT" --overwrite --val-fraction 0.1 \
  --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --dropout 0.0 \
  --batch-size 12 --max-steps "$STEPS" --lr 1e-3 --min-lr 1e-4 --warmup 100 --weight-decay 0.1 \
  --beta1 0.9 --beta2 0.99 --grad-clip 1.0 --eval-interval 500 --eval-steps "$EVAL_STEPS" --log-interval 100 \
  --threads "$THREADS" --seed 1337 2>&1 | grep --line-buffered -v '^SLF4J' | tee "$OUT/train.log" | grep --line-buffered -v '^val_loss=' >&2 || true
rm -f "$CP"
grep '^val_loss=' "$OUT/train.log" | tail -1
