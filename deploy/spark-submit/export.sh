#!/usr/bin/env bash
# export: a checkpoint (pretrain's run/model/model.ckpt, gpt train's checkpoint.bin or best.bin) in Hugging Face's
# GPT-2 layout, what transformers' GPT2LMHeadModel / AutoTokenizer and llama.cpp's convert_hf_to_gguf.py load:
# model.safetensors, config.json, generation_config.json, tokenizer.json, vocab.json, merges.txt,
# tokenizer_config.json, special_tokens_map.json. --format llmc writes llm.c's model file (<output>/model.bin).
#
#   deploy/spark-submit/export.sh --model <checkpoint> --output <dir> [--format hf|llmc] [--tokenizer <dir>]
#       [--no-tokenizer]
#
# Not a Spark job: `gpt export` (io.sparkgpt.model.cli.GptMain) runs in one local driver JVM. It goes through
# submit.sh anyway because the job jar leaves Hadoop's classes (checkpoints are read through Hadoop's FileSystem,
# so s3a:// works too) to the Spark runtime, as demo.sh's sample step does.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
JOB_SPARK_DEFAULTS=(--master "local[1]")
run_job distributed-trainer io.sparkgpt.model.cli.GptMain -- export "$@"
