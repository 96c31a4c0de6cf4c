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

# the executor cores the user asked for (before `--`), so that BLAS threads match them
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
run_job distributed-trainer io.sparkgpt.trainer.align.DpoJob "$@"
