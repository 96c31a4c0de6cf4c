#!/usr/bin/env bash
# Dedup benchmark: our MinHash-LSH dedup vs Spark MLlib MinHashLSH.approxSimilarityJoin on the same synthetic
# corpora (10% planted near copies); prints a Markdown table and, as the LAST line, the speed ratio MLlib/ours.
#
#   bench/dedup/run.sh [size ...]        default sizes: 100000 300000 1000000
#   BENCH_MLLIB_CAP_S=1800 or BENCH_MLLIB_CAP_FACTOR=3 (x our time at that size): MLlib jobs cancelled past it,
#   the row then says "> time" and the ratio "> x"
#   BENCH_HEAP=6g BENCH_MASTER='local[2]' BENCH_TABLES=5 BENCH_WORK=/tmp/dedup-bench bench/dedup/run.sh 100000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/mvn-offline-first.sh"
here="$root/bench/dedup"
work="${BENCH_WORK:-/tmp/dedup-bench}"
heap="${BENCH_HEAP:-6g}"
tables="${BENCH_TABLES:-5}"
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 300000 1000000)
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
mkdir -p "$work" "$here/target/classes"

cd "$root"
# the tree is shared: when the build fails (someone's half-saved file), a classpath built earlier is used
# one reactor build, nothing installed into ~/.m2 (an install of the modules without their parent POM left a fresh
# machine unable to resolve them); each module writes the classpath file in turn, data-pipeline (last) last
if ! bench_mvn test-compile dependency:build-classpath -pl data-pipeline -am -Dmdep.includeScope=test \
    -Dmdep.outputFile="$here/target/classpath.txt" >&2; then
  [[ -s "$here/target/classpath.txt" ]] || { echo "run.sh: build failed" >&2; exit 1; }
  echo "run.sh: build failed; using the classes and classpath built before" >&2
fi
cp="$root/data-pipeline/target/classes:$(cat "$here/target/classpath.txt")"
javac -nowarn -d "$here/target/classes" -cp "$cp" "$here/DedupBench.java"

flags="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)  heap: $heap"
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx"$heap" $flags -Dbench.master="${BENCH_MASTER:-local[2]}" \
  -Dbench.partitions="${BENCH_PARTITIONS:-16}" -Dbench.mllibCapS="${BENCH_MLLIB_CAP_S:-3600}" \
  -Dbench.mllibCapFactor="${BENCH_MLLIB_CAP_FACTOR:-0}" \
  -cp "$here/target/classes:$cp" DedupBench "$work" "$shared" "$tables" "${sizes[@]}"
