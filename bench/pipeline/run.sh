#!/usr/bin/env bash
# Pipeline benchmark: every distinct HTML page of ../shared/data (BenchPages.java: the PostgreSQL manual, the Debian
# reference, Mozilla Readability's test pages, the UDHR translations, the WARC samples' HTML responses; ~2,000
# pages, byte-identical ones left out) wrapped into gzip WARC files, run through the preprocess job (all steps, dedup
# included) in local[2]; prints our extractor vs readability4j on the same pages, a per-step table (MB/s and docs/s
# per core), and as the LAST line MB/s of HTML per core end to end: the median of BENCH_RUNS (3) runs in one JVM after
# a first run of the same size, whose figure (JIT warm-up included) is printed too.
# What repeats: within a run, nothing (at the default N); each timed run reads the same input again (run to run), and
# a warm-up job on the first 400 pages runs before them. N above the distinct pages repeats every page (the script
# prints how often: "each page k-k+1 times"), which flatters per-page caches and dedup: prefer the default.
#
#   bench/pipeline/run.sh [N]          default N = all distinct pages, each once
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
# one reactor build, nothing installed into ~/.m2: the sibling modules resolve to their target/classes (test-compile,
# as spark-common's test-jar resolves to its target/test-classes only from that phase on); each module writes the
# classpath file in turn, data-pipeline (last in the reactor) last
bench_mvn test-compile dependency:build-classpath -pl data-pipeline -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$here/target/classpath.txt" >&2
cp="$root/data-pipeline/target/classes:$(cat "$here/target/classpath.txt")"
t="$root/data-pipeline/src/test/java/io/sparkgpt/pipeline"
javac -nowarn -d "$here/target/classes" -cp "$cp" "$here/PipelineBench.java" "$here/BenchPages.java" "$t/bench/HtmlCorpus.java" \
  "$t/lang/Tar.java" 2>&1 | grep -v '^Note:' >&2 || true

flags="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)  heap: $heap  cores: $cores"
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx"$heap" $flags ${BENCH_JAVA_OPTS:-} -Dsparkgpt.shared.data="$shared" -Dbench.cores="$cores" -Dbench.runs="$runs" \
  -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -cp "$here/target/classes:$cp" PipelineBench "$n"
