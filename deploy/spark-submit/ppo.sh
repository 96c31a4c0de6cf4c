#!/usr/bin/env bash
# PPO (io.sparkgpt.trainer.align.PpoJob): policy + value head, rollouts sampled on the executors, reward from the
# answer checker or a reward model's model.ckpt, per-token KL penalty to the --init reference, GAE, clipped objective;
# reports held-out reward and KL per round.
#
#   deploy/spark-submit/ppo.sh [spark-submit options --] --data <prompts.jsonl> --tokenizer <dir> --init <model.ckpt|run> --output <run dir> [--reward checker|<rm model.ckpt>] [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `ppo.sh --help` lists the job's options with their defaults.
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
run_job distributed-trainer io.sparkgpt.trainer.align.PpoJob "$@"
