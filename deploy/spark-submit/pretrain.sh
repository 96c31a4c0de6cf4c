#!/usr/bin/env bash
# GPT pretraining by parameter averaging on Spark (io.sparkgpt.trainer.PretrainJob).
#
#   deploy/spark-submit/pretrain.sh [spark-submit options --] --data <tokens dir> --output <run dir> [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `pretrain.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - Defaults for the executors (yours, given before `--`, win): 1 GiB heap, ND4J/JavaCPP off-heap caps, and
#   OMP_NUM_THREADS = spark.executor.cores (1 unless you say otherwise), so a worker's BLAS threads match its cores.
# - Examples:
#     pretrain.sh --data out/tokens --output out/run --workers 2 --max-rounds 20        # local[*]
#     pretrain.sh --master spark://127.0.0.1:7077 -- --data out/tokens --output s3a://bucket/run --resume
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.PretrainJob "$@"
