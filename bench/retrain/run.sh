#!/usr/bin/env bash
# Incremental dedup benchmark (issue 17): the n-th crawl deduplicated against the index of the earlier ones
# (DedupJob --index --generation, the retraining cycle's step) vs one DedupJob over all n crawls, n = 1..N, in one
# JVM in local[BENCH_CORES]; prints a Markdown table and, as the LAST line, the N-th increment vs the full recompute.
#
#   bench/retrain/run.sh [N [D]]        default N = 4 crawls of D = 2000 distinct documents each
#   BENCH_HEAP=3g BENCH_CORES=2 BENCH_WORK=/tmp/incremental-dedup-bench bench/retrain/run.sh 4 2000
# Needs data-pipeline's job jar (built here when missing, offline) and a Spark 3.5 (deploy/spark-submit/install-spark.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/deploy/spark-submit/_lib.sh"
here="$root/bench/retrain"
work="${BENCH_WORK:-/tmp/incremental-dedup-bench}"
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
crawls="${1:-4}" per="${2:-2000}"

jar="$(ls "$root"/data-pipeline/target/data-pipeline-*-job.jar 2>/dev/null | head -n 1 || true)"
if [[ -z "$jar" ]]; then
  (cd "$root" && mvn -o -q -B -pl data-pipeline -am package -DskipTests >&2)
  jar="$(ls "$root"/data-pipeline/target/data-pipeline-*-job.jar | head -n 1)"
fi
spark="$(spark_home)"
cp="$jar:$spark/jars/*"
mkdir -p "$here/target/classes" "$work/texts"
javac -nowarn -d "$here/target/classes" -cp "$cp" "$here/IncrementalDedupBench.java"

# the documents' text: the English books and the PostgreSQL manual's HTML pages of shared/data
cp "$shared"/text/en/*.txt "$work/texts/"
[[ -d "$work/texts/postgresql" ]] || { mkdir -p "$work/texts/postgresql" &&
  tar -xzf "$shared/html/postgresql-doc-15_15.20-html.tar.gz" -C "$work/texts/postgresql"; }

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx"${BENCH_HEAP:-3g}" $SPARK_JAVA17_FLAGS -Dbench.cores="${BENCH_CORES:-2}" \
  -Dlog4j2.configurationFile="$root/bench/pipeline/log4j2.properties" \
  -cp "$here/target/classes:$cp" IncrementalDedupBench "$work/data" "$work/texts" "$crawls" "$per"
