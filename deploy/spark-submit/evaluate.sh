#!/usr/bin/env bash
# Evaluation of a trained GPT (io.sparkgpt.trainer.posttrain.EvaluateJob): loss / perplexity / bits per byte on text,
# accuracy / precision / recall / F1 (macro and per class) + confusion matrix on a labelled JSONL set, exact match
# of generated answers, pairwise accuracy on preference pairs. One JSON report, one `figure NAME VALUE` line each.
#
#   deploy/spark-submit/evaluate.sh [spark-submit options --] --model <run|model.ckpt> [--tokenizer <dir>]
#       [--text F] [--labelled F.jsonl] [--exact-match F.jsonl] [--preferences F.jsonl] [--report F.json]
#
# - It runs on the driver (local[1] by default): evaluation of a small model needs no executors.
# - Examples:
#     evaluate.sh --model out/sft --exact-match test.jsonl                 # tokenizer: out/sft/tokenizer
#     evaluate.sh --model out/run --tokenizer out/data/tokenizer --text held-out.txt \
#         --preferences ../shared/data/eval/hh-rlhf-harmless-base-test.jsonl.gz --limit 200
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
offheap="-Dorg.bytedeco.javacpp.maxbytes=${SPARKGPT_MAXBYTES:-2g} -Dorg.bytedeco.javacpp.maxphysicalbytes=${SPARKGPT_MAXPHYSICALBYTES:-4g}"
JOB_SPARK_DEFAULTS=(
  --master "local[1]"
  --conf "spark.driver.extraJavaOptions=$offheap -Djava.awt.headless=true"
)
run_job distributed-trainer io.sparkgpt.trainer.posttrain.EvaluateJob "$@"
