#!/usr/bin/env bash
# import: GPT-2-shaped weights in Hugging Face's layout (a folder with config.json and model.safetensors, from
# export.sh or from elsewhere) -> one of our checkpoints, for `gpt sample|eval` and `gpt train --init` (fine-tuning).
# The folder's tokenizer (vocab.json + merges.txt) is recorded in the checkpoint when there.
#
#   deploy/spark-submit/import.sh --input <hf folder> --output <checkpoint file>
#
# Not a Spark job: see export.sh for why it goes through submit.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
JOB_SPARK_DEFAULTS=(--master "local[1]")
run_job distributed-trainer io.sparkgpt.model.cli.GptMain -- import "$@"
