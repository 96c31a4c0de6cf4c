#!/usr/bin/env bash
# Main-content extraction benchmark: our extractor vs readability4j 1.0.8 on Mozilla Readability's 130 labelled test
# pages (../shared/data/extraction): word-level precision/recall/F1 against the expected articles, empty pages, and
# MB/s of HTML on one thread, both measured in the same run. Last line: our F1.
#
#   bench/extraction/run.sh                      the 130 pages of ../shared/data
#   bench/extraction/run.sh PAGES.tar.gz         any tar.gz of <page>/source.html + <page>/expected.html folders
#   BENCH_WORST=20 bench/extraction/run.sh       also list our 20 worst pages
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/extraction"
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
pages="${1:-$shared/extraction/mozilla-readability-test-pages.tar.gz}"
mkdir -p "$here/target/classes"
cd "$root"
# reactor build (no install): the modules' own target/classes are on the classpath
mvn -q -B -o test-compile dependency:build-classpath -pl data-pipeline -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$here/target/classpath.txt" >&2
cp="$root/data-pipeline/target/classes:$root/data-pipeline/target/test-classes:$(cat "$here/target/classpath.txt")"
javac -nowarn -d "$here/target/classes" -cp "$cp" "$here/ExtractionBench.java" 2>&1 | grep -v '^Note:' >&2 || true
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx2g -Dbench.worst="${BENCH_WORST:-0}" -Dbench.rounds="${BENCH_ROUNDS:-3}" \
  -cp "$here/target/classes:$cp" ExtractionBench "$pages"
