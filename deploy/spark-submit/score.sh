#!/usr/bin/env bash
# score: each document's loss (nats/token) and perplexity under a model, added as columns to the input's rows
# (io.sparkgpt.trainer.batch.ScoreJob): a quality signal to filter a crawl by, as CCNet does with its language
# model. Documents longer than the context are scored in consecutive windows. Writes scored/ (Parquet: the input's
# columns + row, n_tokens, loss, perplexity), errors/ (JSON lines: empty text, one token, missing column, not JSON),
# stats.json, _SUCCESS.
#
#   deploy/spark-submit/score.sh [spark options --] --model <run|model.ckpt|model file> [--tokenizer <dir>]
#       --input <documents.parquet|docs.jsonl> --output <dir> [--column text] [--precision FLOAT32|INT8]
#   deploy/spark-submit/score.sh --master spark://127.0.0.1:7077 -- --model out/run \
#       --input out/pp/documents --output out/scored
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job distributed-trainer io.sparkgpt.trainer.batch.ScoreJob "$@"
