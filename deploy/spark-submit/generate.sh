#!/usr/bin/env bash
# generate: a completion for every prompt of a Parquet or JSONL input, on the executors
# (io.sparkgpt.trainer.batch.GenerateJob). The model is loaded once per executor; each task decodes --batch-size
# prompts together (one forward pass per step, KV cache). Row r samples from (--seed, r): the same output whatever
# the partitioning. Writes completions/ (Parquet: row, prompt, completion, prompt_tokens, new_tokens), errors/
# (JSON lines: row, error, detail: empty prompt, prompt too long for the context, missing column, not JSON),
# stats.json (rows, kept, errors by kind, prompts/s, tokens/s), _SUCCESS.
#
#   deploy/spark-submit/generate.sh [spark options --] --model <run|model.ckpt|model file> [--tokenizer <dir>]
#       --input <prompts.parquet|prompts.jsonl> --output <dir> [--column prompt] [--max-new-tokens 64]
#       [--temperature 0.8] [--top-k 200] [--top-p 1.0] [--seed 1337] [--batch-size 16] [--precision FLOAT32|INT8]
#   deploy/spark-submit/generate.sh --master spark://127.0.0.1:7077 -- --model out/run --input prompts.jsonl \
#       --output out/completions
# The model file must be readable by every executor (a shared folder or s3a://).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job distributed-trainer io.sparkgpt.trainer.batch.GenerateJob "$@"
