#!/usr/bin/env bash
# Pipeline benchmark: N pages of the PostgreSQL manual (../shared/data/html) wrapped into gzip WARC files, run
# through the preprocess job (all steps) in local[2]; prints our extractor vs readability4j on the same pages, a
# per-step table (MB/s and docs/s per core), and as the LAST line MB/s of HTML per core end to end: the median of
# BENCH_RUNS (3) runs in one JVM after a first run of the same size, whose figure (JIT warm-up included) is printed too.
#
#   bench/pipeline/run.sh [N]          default N = 3000 pages (~41 MB of HTML)
#   BENCH_HEAP=3g BENCH_CORES=2 bench/pipeline/run.sh 6000
#   BENCH_JAVA_OPTS="-Dspark.eventLog.enabled=true -Dspark.eventLog.dir=/tmp/ev" bench/pipeline/run.sh   extra JVM flags
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/mvn-offline-first.sh"
here="$root/bench/pipeline"
heap="${BENCH_HEAP:-3g}"
runs="${BENCH_RUNS:-3}"
cores="${BENCH_CORES:-2}"
n="${1:-3000}"
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
mkdir -p "$here/target/classes"

cd "$root"
bench_mvn install -DskipTests -pl common,spark-common,tokenizer >&2
bench_mvn compile -pl data-pipeline >&2
bench_mvn dependency:build-classpath -pl data-pipeline -Dmdep.includeScope=test \
  -Dmdep.outputFile="$here/target/classpath.txt" >&2
cp="$root/data-pipeline/target/classes:$(cat "$here/target/classpath.txt")"
t="$root/data-pipeline/src/test/java/io/sparkgpt/pipeline"
javac -nowarn -d "$here/target/classes" -cp "$cp" "$here/PipelineBench.java" "$t/bench/HtmlCorpus.java" \
  "$t/lang/Tar.java" 2>&1 | grep -v '^Note:' >&2 || true

flags="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)  heap: $heap  cores: $cores"
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx"$heap" $flags ${BENCH_JAVA_OPTS:-} -Dsparkgpt.shared.data="$shared" -Dbench.cores="$cores" -Dbench.runs="$runs" \
  -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -cp "$here/target/classes:$cp" PipelineBench "$n"
