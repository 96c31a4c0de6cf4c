#!/usr/bin/env bash
# Supervised fine-tuning of a trained GPT on chat JSONL (io.sparkgpt.trainer.posttrain.SftJob): loss on assistant
# tokens only, parameter averaging over --workers Spark tasks, checkpoints/metrics/resume like pretrain.sh.
#
#   deploy/spark-submit/sft.sh [spark-submit options --] --init <run|model.ckpt> --tokenizer <dir> --train <jsonl> [--val <jsonl>] --output <run dir> [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `sft.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - Defaults for the executors (yours, given before `--`, win): 1 GiB heap, ND4J/JavaCPP off-heap caps, and
#   OMP_NUM_THREADS = spark.executor.cores (1 unless you say otherwise), so a worker's BLAS threads match its cores.
# - Examples:
#     sft.sh --init out/run --tokenizer out/tokenizer --train chat.jsonl --val chat-val.jsonl --output out/sft
#     sft.sh ... --augment renumber,reword,typos --augment-copies 4 --early-stop-metric exact_match --patience 3
#     sft.sh --master spark://127.0.0.1:7077 -- --init ... --output s3a://bucket/sft --resume
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.posttrain.SftJob "$@"
