#!/usr/bin/env bash
# tokenize: documents Parquet -> tokens/train and tokens/val (doc_id, n_tokens, tokens array<int>, each document
# ending with <|endoftext|>, split by a hash of doc_id), the tokenizer folder copied beside, stats.json (documents,
# tokens, bytes per token by language), optionally llm.c .bin shards (--export-llmc), _SUCCESS.
#
#   deploy/spark-submit/tokenize.sh [spark options --] --input <documents> --tokenizer <dir> --output <dir>
#       [--val-fraction 0.05] [--export-llmc] [--llmc-shard-tokens 10000000] [--overwrite]
#   deploy/spark-submit/tokenize.sh --master spark://127.0.0.1:7077 -- \
#       --input /data/out/documents --tokenizer /data/out/tokenizer --output /data/out/tokens --export-llmc
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.tokenize.TokenizeJob "$@"
