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

cores=1
if [[ " $* " == *" -- "* ]]; then
  prev=""
  for a in "$@"; do
    [[ "$a" == "--" ]] && break
    case "$prev|$a" in
      --executor-cores\|*) cores="$a" ;;
      *\|spark.executor.cores=*) cores="${a#*=}" ;;
    esac
    prev="$a"
  done
fi

offheap="-Dorg.bytedeco.javacpp.maxbytes=${SPARKGPT_MAXBYTES:-2g} -Dorg.bytedeco.javacpp.maxphysicalbytes=${SPARKGPT_MAXPHYSICALBYTES:-4g}"
JOB_SPARK_DEFAULTS=(
  --conf spark.executor.memory=1g
  --conf spark.executor.cores="$cores"
  --conf spark.executorEnv.OMP_NUM_THREADS="$cores"
  --conf spark.task.maxFailures=4
  --conf "spark.executor.extraJavaOptions=$offheap"
  --conf "spark.driver.extraJavaOptions=$offheap -Djava.awt.headless=true"
)
run_job distributed-trainer io.sparkgpt.trainer.distill.DistillJob "$@"
