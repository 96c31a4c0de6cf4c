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
#     sft.sh ... --augment renumber,reword --augment-copies 4 --early-stop-metric exact_match --patience 3
#     sft.sh --master spark://127.0.0.1:7077 -- --init ... --output s3a://bucket/sft --resume
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
run_job distributed-trainer io.sparkgpt.trainer.posttrain.SftJob "$@"
