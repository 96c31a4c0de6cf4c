#!/usr/bin/env bash
# preprocess: crawl files -> clean documents (Parquet). Reads WARC/WET (.warc, .warc.gz, .wet.gz), plain text and
# JSONL (a "text" field) from files, folders, globs or *.paths(.gz) listings, local or s3a://; one task per file,
# streaming. Steps (FineWeb's order): select (HTTP 200 HTML responses, WET/text records) -> extract (charset
# detection + main content) -> language (OpenNLP, --languages, --language-threshold) -> gopher_repetition ->
# gopher_quality -> c4 -> fineweb -> pii (e-mails, IPs, phones masked). Writes documents/, excluded/<step>/ (with
# reason), errors/ (file, offset, message), stats.json, _SUCCESS. Re-runs resume; --overwrite starts over.
#
#   deploy/spark-submit/preprocess.sh [spark options --] --input <paths...> --output <dir>
#       [--steps select,extract,...] [--languages en,zh] [--language-threshold 0.5] [--partitions N]
#       [--overwrite] [every filter threshold: see --help]
#   deploy/spark-submit/preprocess.sh --master spark://127.0.0.1:7077 -- \
#       --input data/sample --output /tmp/sparkgpt/preprocess
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.preprocess.PreprocessJob "$@"
