#!/usr/bin/env bash
# train-tokenizer: byte-level BPE learned from the text of a documents Parquet. Word counts by Spark over the
# corpus (or --sample), merges on the driver; writes vocab.json, merges.txt, tokenizer.json, stats.json, _SUCCESS.
#
#   deploy/spark-submit/train-tokenizer.sh [spark options --] --input <documents> --vocab-size N --output <dir>
#       [--sample 0.1] [--pattern gpt2|cl100k] [--min-frequency 2] [--max-words 5000000] [--overwrite]
#   deploy/spark-submit/train-tokenizer.sh --master spark://127.0.0.1:7077 --driver-memory 4g -- \
#       --input /data/out/documents --vocab-size 32768 --output /data/out/tokenizer
#
# The merges are learned on the driver: give it memory for the distinct words (--driver-memory).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.tokenize.TrainTokenizerJob "$@"
