#!/usr/bin/env bash
# The DL4J face of the GPT (model/ io.sparkgpt.model.dl4j.Dl4jGpt: a ComputationGraph of EmbeddingSequence ->
# SameDiff position embedding / blocks / ln_f -> RnnOutput) against the fast engine (io.sparkgpt.model.GPT,
# hand-written on OpenBLAS), same model, weights, batches and AdamW settings, in one JVM run (Dl4jRouteBench).
# Default size: nanoGPT's CPU recipe (C=128 L=4 H=4 T=64 B=12, vocab 65).
# Last line: ratio=<DL4J graph tokens/s / fast GPT tokens/s>.
# Env: C L H T B (model), STEPS (5 timed), WARMUP (2), THREADS (2).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/mvn-offline-first.sh"
C="${C:-128}"; L="${L:-4}"; H="${H:-4}"; T="${T:-64}"; B="${B:-12}"
STEPS="${STEPS:-5}"; WARMUP="${WARMUP:-2}"; THREADS="${THREADS:-2}"
cd "$ROOT"
bench_mvn install -DskipTests -pl model -am >&2
CP="$(mktemp)"
bench_mvn dependency:build-classpath -pl model -Dmdep.outputFile="$CP" >&2
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=4g -cp "model/target/classes:$(cat "$CP")" \
  io.sparkgpt.model.dl4j.Dl4jRouteBench "$C" "$L" "$H" "$T" "$B" "$STEPS" "$WARMUP" "$THREADS" 2>/dev/null \
  | grep -v '^SLF4J\|^Added differentiated op'
rm -f "$CP"
