#!/usr/bin/env bash
# Batch inference (generate job) against one JVM generating alone, same model, same prompts, same token count.
# Env: PROMPTS (64), NEW (32), C (128), L (4), T (128), CORES (2: the job's local[CORES]).
# LAST line: ratio=<generate job tokens/s> / <one JVM, InferSampler, one prompt at a time, tokens/s>.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
CP="$(mktemp)"; trap 'rm -f "$CP"' EXIT
mvn -q -B -o -pl distributed-trainer -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$CP" >&2
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
java -Xmx2g -Dspark.master="local[${CORES:-2}]" -Dorg.bytedeco.javacpp.maxbytes=2g \
  -XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false \
  -cp "distributed-trainer/target/classes:distributed-trainer/target/test-classes:$(cat "$CP")" \
  io.sparkgpt.trainer.batch.BatchInferenceBench data/test/text/en/tinyshakespeare-input.txt \
  "${PROMPTS:-64}" "${NEW:-32}" "${C:-128}" "${L:-4}" "${T:-128}" 2>&1 | grep -v -E "WARN|INFO|SLF4J|^\s*$" \
  | grep -E "one JVM|generate job|ratio=|Exception|error" 
