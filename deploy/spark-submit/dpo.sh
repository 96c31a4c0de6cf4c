#!/usr/bin/env bash
# DPO (io.sparkgpt.trainer.align.DpoJob) on preference JSONL from an --init model, which is also the frozen
# reference; reports held-out implicit-reward accuracy and the chosen/rejected log-prob margins.
#
#   deploy/spark-submit/dpo.sh [spark-submit options --] --data <prefs.jsonl[.gz]> --tokenizer <dir> --init <model.ckpt|run> --output <run dir> [--beta 0.1] [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `dpo.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - The --init model must be readable by every executor (a path they share, or s3a://).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.align.DpoJob "$@"
