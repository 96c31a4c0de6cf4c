#!/usr/bin/env bash
# Hyperparameter search on the bundled data: tinyshakespeare (data/test) as byte tokens, the demo's model shape
# (2 layers, 64 wide, context 64, batch 8) at PretrainJob's default --lr 1e-3 against a learning-rate grid (log-spaced
# 1e-4..3e-2), then successive halving over the same grid points (eta 3). Trials run as Spark tasks in local[CORES].
# Env: MAX_STEPS (90), MIN_BUDGET (10), ETA (3), POINTS (5), CORES (2). OUT = $1 (default work/bench-tune; a
# re-run reuses finished trials: delete it for fresh timings).
# LAST line: the halving's best val_loss against the grid's best, and its share of the grid's optimizer steps.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
OUT="${1:-$ROOT/work/bench-tune}"
mkdir -p "$OUT"
CP="$(mktemp)"; trap 'rm -f "$CP"' EXIT
mvn -q -B -o -pl distributed-trainer -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$CP" >&2
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
java -Xmx2g -Dspark.master="local[${CORES:-2}]" -Dspark.ui.enabled=false -Dorg.bytedeco.javacpp.maxbytes=2g \
  -Dsparkgpt.test.data=data/test \
  -XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false \
  -cp "distributed-trainer/target/classes:distributed-trainer/target/test-classes:$(cat "$CP")" \
  io.sparkgpt.trainer.tune.TuneBench "$OUT" "${MAX_STEPS:-90}" "${MIN_BUDGET:-10}" "${ETA:-3}" "${POINTS:-5}" 2>&1 \
  | grep -v -E "WARN|INFO|SLF4J|^\s*$|^\[spark\]|^\s+at " > "$OUT/bench.log"
grep -v "^halving reached" "$OUT/bench.log" || true
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
grep "^halving reached" "$OUT/bench.log"
