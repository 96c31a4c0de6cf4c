#!/usr/bin/env bash
# Tokenizer benchmark: encode MB/s of our BpeTokenizer vs jtokkit r50k_base on the same documents in the same JVM
# (English: the Gutenberg + Shakespeare texts; Chinese: the fortunes-zh file; 1 and 2 threads; ids checked equal
# first), then the time to train a vocabulary (default 32768) on all shared texts (about 40 MB) with an
# extrapolation to 100 MB. Last line: min_ratio_ours_over_jtokkit=<x> (the smallest of the four ratios).
# Env: ROUNDS (5, best of), TRAIN_VOCAB (32768), TRAIN_MB (100, for the extrapolation only), THREADS is fixed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
. "$ROOT/bench/mvn-offline-first.sh"
cd "$ROOT"
bench_mvn install -DskipTests -pl tokenizer -am >&2
bench_mvn test-compile -pl tokenizer >&2
CP="$(mktemp)"
bench_mvn dependency:build-classpath -pl tokenizer -Dmdep.outputFile="$CP" >&2
java -Xmx3g -Dsparkgpt.shared.data="$ROOT/../shared/data" \
  -Dbench.rounds="${ROUNDS:-5}" -Dbench.trainVocab="${TRAIN_VOCAB:-32768}" -Dbench.trainMB="${TRAIN_MB:-100}" \
  -cp "tokenizer/target/classes:tokenizer/target/test-classes:$(cat "$CP")" io.sparkgpt.tokenizer.TokenizerBench
rm -f "$CP"
