#!/usr/bin/env bash
# Reward model (GPT trunk + a scalar head at the last token, pairwise loss) on preference JSONL
# (io.sparkgpt.trainer.align.RewardJob): parameter averaging over --workers Spark tasks; reports held-out pairwise
# accuracy beside chance and 'the longer answer wins'; checkpoints/metrics/resume like pretrain.sh.
#
#   deploy/spark-submit/train-reward.sh [spark-submit options --] --data <prefs.jsonl[.gz]> --tokenizer <dir> --init <model.ckpt|run> --output <run dir> [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `train-reward.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - The --init model must be readable by every executor (a path they share, or s3a://).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.align.RewardJob "$@"
