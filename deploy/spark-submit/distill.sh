#!/usr/bin/env bash
# Knowledge distillation by parameter averaging on Spark (io.sparkgpt.trainer.distill.DistillJob): a student GPT
# trained on a teacher's logits (KL at --temperature, times tau^2, plus --alpha times cross-entropy).
#
#   deploy/spark-submit/distill.sh [spark-submit options --] --teacher <run>/model/model.ckpt --data <tokens dir> \
#       --output <run dir> --n-layer 2 --n-embd 64 [pretraining options]
#
# Everything else is as pretrain.sh (same executor defaults, same options for shards, rounds, schedule, validation,
# checkpoints and --resume). The from-scratch peer of a student is pretrain.sh with the same options and --seed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.distill.DistillJob "$@"
