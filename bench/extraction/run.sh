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
ROOT="$root"
. "$root/bench/lib/pipeline-bench.sh"
cp="$(compile_pipeline_bench "$here" "$here/ExtractionBench.java")"
bench_header
exec java -Xmx2g -Dbench.worst="${BENCH_WORST:-0}" -Dbench.rounds="${BENCH_ROUNDS:-3}" \
  -cp "$cp" ExtractionBench "$pages"
